"""The word lists of lexicon.yaml, loaded once."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from streams.tag.kb import read_data


@dataclass(frozen=True)
class Lexicon:
    first_names: frozenset[str]  # the short curated list: also keeps cities out
    given_names: frozenset[str]  # every given name known (first_names.txt too): people only
    place_stopwords: frozenset[str]
    org_heads: frozenset[str]
    org_openers: frozenset[str]
    org_appositives: tuple[str, ...]
    place_before: tuple[str, ...]
    place_after: tuple[str, ...]
    non_name: frozenset[str]
    seats: frozenset[str]  # "the White House": a government, or at the White House a place
    generic_modified: frozenset[str]  # "military zone": the generic word is an adjective


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    data = read_data("lexicon.yaml")
    text = resources.files("streams.tag").joinpath("first_names.txt").read_text("utf-8")
    given = {line.strip() for line in text.splitlines() if line.strip() and line[0] != "#"}
    return Lexicon(
        first_names=frozenset(data["first_names"]),
        given_names=frozenset(given | set(data["first_names"])),
        place_stopwords=frozenset(data["place_stopwords"]),
        org_heads=frozenset(data["org_heads"]),
        org_openers=frozenset(data["org_openers"]),
        org_appositives=tuple(data["org_appositives"]),
        place_before=tuple(data["place_before"]),
        place_after=tuple(data["place_after"]),
        non_name=frozenset(data["non_name"]),
        generic_modified=frozenset(data["generic_modified"]),
        seats=frozenset(data["seats"]),
    )

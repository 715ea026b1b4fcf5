"""Gazetteer: the entity knowledge base and places, with a fast whole-word matcher.

Matching uses a pyahocorasick automaton when that package is installed, else one compiled
regex alternation. Both compare a length-preserving lower-cased text, then check word
boundaries and case: an alias with no lower-case letter ("ICC", "U.S.") must match exactly,
any other alias must match its first letter's case ("Wagner", not "wagner").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

try:  # optional accelerator; the regex fallback gives the same answers on real text
    import ahocorasick
except ImportError:  # pragma: no cover - depends on the environment
    ahocorasick = None

ENTITY_TYPES = ("person", "organization", "country", "location")


@dataclass(frozen=True)
class Record:
    """One canonical entity, country or place."""

    id: str | None
    name: str
    type: str
    country_code: str | None = None
    admin1: str | None = None
    lat: float | None = None
    lon: float | None = None


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    text: str
    record: Record
    demonym: bool = False  # "Malian" names Mali only as an adjective


def _lower(text: str) -> str:
    """Lower-case without changing the length, so offsets map back to the original."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(low if len(low := ch.lower()) == 1 else ch for ch in text)


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _case_ok(alias: str, surface: str) -> bool:
    if not any(ch.islower() for ch in alias):
        return surface == alias
    return surface[0] == alias[0]


class Gazetteer:
    """Finds leftmost-longest, non-overlapping mentions of known names in text."""

    def __init__(
        self, entries: Iterable[tuple[str, Record, bool]], use_automaton: bool | None = None
    ) -> None:
        self._by_key: dict[str, list[tuple[str, Record, bool]]] = {}
        for alias, record, demonym in entries:
            key = _lower(alias.strip())
            bucket = self._by_key.setdefault(key, [])
            clash = next((r for _, r, _ in bucket if r != record), None)
            if clash is not None:
                raise ValueError(f"alias {alias!r} names both {clash.name!r} and {record.name!r}")
            bucket.append((alias.strip(), record, demonym))
        self.countries = {
            r.country_code: r
            for bucket in self._by_key.values()
            for _, r, _ in bucket
            if r.type == "country" and r.country_code
        }
        if use_automaton is None:
            use_automaton = ahocorasick is not None
        self._automaton: Any = None
        self._regex: re.Pattern[str] | None = None
        if use_automaton:
            self._automaton = ahocorasick.Automaton()
            for key in self._by_key:
                self._automaton.add_word(key, key)
            self._automaton.make_automaton()
        else:
            keys = sorted(self._by_key, key=len, reverse=True)
            self._regex = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, keys)) + r")(?!\w)")

    def is_alias(self, surface: str) -> bool:
        return _lower(surface) in self._by_key

    def _candidates(self, low: str) -> Iterator[tuple[int, int, str]]:
        if self._automaton is not None:
            for end, key in self._automaton.iter(low):
                yield end + 1 - len(key), end + 1, key
        elif self._regex is not None:
            # Overlapping search, so a name inside a rejected longer one is still seen.
            pos = 0
            while (m := self._regex.search(low, pos)) is not None:
                yield m.start(), m.end(), m.group()
                pos = m.start() + 1

    def find(self, text: str) -> list[Match]:
        low = _lower(text)
        found: list[Match] = []
        for start, end, key in self._candidates(low):
            if (start > 0 and _is_word(text[start - 1])) or (
                end < len(text) and _is_word(text[end])
            ):
                continue
            surface = text[start:end]
            for alias, record, demonym in self._by_key[key]:
                if _case_ok(alias, surface):
                    found.append(Match(start, end, surface, record, demonym))
                    break
        found.sort(key=lambda m: (m.start, m.start - m.end))
        chosen: list[Match] = []
        for match in found:
            if not chosen or match.start >= chosen[-1].end:
                chosen.append(match)
        return chosen


def _entries(
    entities: dict[str, Any], places: dict[str, Any]
) -> Iterator[tuple[str, Record, bool]]:
    for e in entities["entities"]:
        if e["type"] not in ("person", "organization"):
            raise ValueError(f"entity {e['name']!r}: type must be person or organization")
        record = Record(e.get("id"), e["name"], e["type"], e.get("country_code"))
        for alias in (e["name"], *e.get("aliases", ())):
            yield alias, record, False
    for c in places["countries"]:
        record = Record(c.get("id"), c["name"], "country", c["code"])
        for alias in (c["name"], *c.get("aliases", ())):
            yield alias, record, False
        for demonym in c.get("demonyms", ()):
            yield demonym, record, True
    for p in places["places"]:
        record = Record(
            p.get("id"), p["name"], "location", p["country_code"], p.get("admin1"),
            p.get("lat"), p.get("lon"),
        )  # fmt: skip
        for alias in (p["name"], *p.get("aliases", ())):
            yield alias, record, False


def _read(name: str) -> dict[str, Any]:
    text = resources.files("streams.tag").joinpath(name).read_text("utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def build_gazetteer(
    entities: dict[str, Any], places: dict[str, Any], use_automaton: bool | None = None
) -> Gazetteer:
    return Gazetteer(_entries(entities, places), use_automaton)


@lru_cache(maxsize=2)
def load_gazetteer(use_automaton: bool | None = None) -> Gazetteer:
    """The packaged knowledge base, built once per process."""
    return build_gazetteer(_read("entities.yaml"), _read("places.yaml"), use_automaton)


@lru_cache(maxsize=1)
def person_titles() -> tuple[str, ...]:
    """Words that introduce a person's name ("President", "spokesman")."""
    return tuple(_read("entities.yaml").get("person_titles", ()))

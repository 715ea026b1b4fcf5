"""Gazetteer: every name of the knowledge base in one Aho-Corasick automaton.

The text is scanned once, case-sensitively, in a form where each character that is not an
ASCII letter or digit becomes a space (non-ASCII letters become a placeholder letter), so
that keys padded with spaces (" Kidal ") match whole words only and "Goïta" still matches
"Goïta"; offsets are those of the original text. Overlapping hits resolve leftmost-longest.
A name may stand for several records ("Georgia": the country, the US state); each match
keeps all of them as ``candidates`` and ``record`` is the default reading, which the
linker (linker.py) revisits with the article's context.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import ahocorasick

from streams.tag.kb import KB, load_kb
from streams.tag.records import Entry, Record
from streams.text.scan import ascii_letters

__all__ = ["Entry", "Gazetteer", "Match", "Record", "load_gazetteer", "person_titles"]

ENTITY_TYPES = ("person", "organization", "country", "location")
_NAME_BYTES = bytes(c if (c < 128 and chr(c).isalnum()) or c == 1 else 32 for c in range(256))


def name_form(text: str) -> str:
    """``text`` with every non-name character a space; same length, case kept."""
    return ascii_letters(text).translate(_NAME_BYTES).decode("ascii")


def _key(alias: str) -> str:
    # Most names are plain words: skip the byte translation for them (50,000 at start-up).
    if alias.isascii() and alias.replace(" ", "").isalnum():
        return alias if "  " not in alias and alias.strip() == alias else " ".join(alias.split())
    return " ".join(name_form(alias).split())


# First characters of words in English news copy (name form), the most frequent first.
_INITIALS = "tasoicwfpbrhmdTlAegSMnIPCvRBF2NWukHKGD1yEUJLOj3q40657ZVY8Q9zXx\x01"


def _order_initials(automaton: Any, initials: str) -> None:
    """Give the node after a blank its children in ``initials`` order, with keys that can
    never match (no form has a control character but \x01): pyahocorasick looks a
    character up among a node's children one by one, and that node is entered at every
    word of the text, with dozens of children."""
    for ch in initials:
        automaton.add_word(f" {ch}\x02", None)


# A class mypyc compiles, not a named tuple: built and read natively (a named tuple's
# constructor is a Python call, its fields boxed items). Never reassigned.
@dataclass(init=False, unsafe_hash=True)
class Match:
    start: int
    end: int
    text: str
    record: Record
    demonym: bool  # "Malian" names Mali only as an adjective
    candidates: tuple[Entry, ...]

    def __init__(
        self,
        start: int,
        end: int,
        text: str,
        record: Record,
        demonym: bool = False,
        candidates: tuple[Entry, ...] = (),
    ) -> None:
        self.start = start
        self.end = end
        self.text = text
        self.record = record
        self.demonym = demonym
        self.candidates = candidates


def _rank(entry: Entry) -> tuple[int, int]:
    """Default reading of a shared name: people and organisations, countries, curated
    places, then bulk places by population."""
    order = {"person": 0, "organization": 0, "country": 1, "location": 2}[entry.record.type]
    if entry.record.type == "location" and not entry.record.curated:
        order = 3
    return order, -entry.record.population


class Gazetteer:
    """Finds leftmost-longest, non-overlapping mentions of known names in text."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        by_key: dict[str, list[Entry]] = {}
        self.countries: dict[str, Record] = {}
        for entry in entries:
            key = _key(entry.alias)
            if not key:
                continue
            keys = (key, key[0].upper() + key[1:]) if key[0].islower() else (key,)
            for k in keys:  # "al-Shabaab" also opens a sentence as "Al-Shabaab"
                bucket = by_key.get(k)
                if bucket is None:
                    by_key[k] = [entry]
                elif all(e.record != entry.record for e in bucket):
                    bucket.append(entry)
            if entry.record.type == "country" and entry.record.country_code:
                self.countries.setdefault(entry.record.country_code, entry.record)
        self._entries = {
            k: (v[0],) if len(v) == 1 else tuple(sorted(v, key=_rank)) for k, v in by_key.items()
        }
        automaton: Any = ahocorasick.Automaton()
        _order_initials(automaton, _INITIALS)
        for key, entries_ in self._entries.items():
            automaton.add_word(f" {key} ", (len(key), entries_))
        automaton.make_automaton()
        self._automaton = automaton

    def is_alias(self, surface: str) -> bool:
        return _key(surface) in self._entries

    def entries(self, surface: str) -> tuple[Entry, ...]:
        return self._entries.get(_key(surface), ())

    def find(self, text: str) -> list[Match]:
        padded = f" {name_form(text)} "
        # The key " Kidal " ends at the space after the name: the name ends one before, and
        # the leading pad shifts every offset by one more. (start, -end) sorts leftmost-
        # longest first; no two hits share both, so the buckets are never compared.
        # (Typed, so that mypyc unpacks tuples and subtracts natively.)
        found: list[tuple[int, tuple[int, tuple[Entry, ...]]]] = list(self._automaton.iter(padded))
        hits: list[tuple[int, int, tuple[Entry, ...]]] = []
        for last, (length, bucket) in found:
            hits.append((last - length - 1, 1 - last, bucket))
        hits.sort()
        chosen: list[Match] = []
        edge = -1
        for start, neg_end, bucket in hits:
            if start >= edge:
                edge = -neg_end
                best = bucket[0]
                chosen.append(
                    Match(start, edge, text[start:edge], best.record, best.demonym, bucket)
                )
        return chosen


def build_gazetteer(kb: KB) -> Gazetteer:
    return Gazetteer(kb.entries)


@lru_cache(maxsize=1)
def _gazetteer() -> Gazetteer:
    return build_gazetteer(load_kb())


def load_gazetteer(use_automaton: bool | None = None) -> Gazetteer:
    """The packaged knowledge base's gazetteer, built once per process.

    ``use_automaton`` is accepted for compatibility; matching always uses the automaton.
    """
    return _gazetteer()


def person_titles() -> tuple[str, ...]:
    """Words that introduce a person's name ("President", "spokesman")."""
    return load_kb().person_titles

"""People named in copy but absent from the knowledge base ("spokesman X Y", "X Y said")."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

_TOKEN = r"[A-ZÀ-Þ][a-zß-ÿ]+(?:[A-Z][a-zß-ÿ]+|[-'][A-Za-zÀ-ÿ][a-zß-ÿ]+)*"
_NAME = rf"(?P<name>{_TOKEN}(?:[ ]{_TOKEN}){{1,3}})"
# Capitalised words that start sentences or precede names but are never part of one.
# fmt: off
_STOP = frozenset((
    "The", "A", "An", "In", "On", "At", "For", "From", "But", "And", "Or", "He", "She", "It",
    "They", "We", "I", "This", "That", "These", "Those", "His", "Her", "Their", "Its", "Our",
    "Former", "Then", "When", "While", "After", "Before", "Speaking", "Asked", "Last", "Next",
    "Early", "Late", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
    "Sunday", "January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December", "US", "U.S.", "Kremlin", "Western",
    "Eastern", "Northern", "Southern", "Central", "National", "Security", "Council", "Foreign",
    "Defence", "Defense", "Policy", "Interior",
))
# fmt: on


@dataclass(frozen=True)
class Person:
    name: str
    start: int
    end: int


@lru_cache(maxsize=4)
def _patterns(titles: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    # A title opens a sentence as often as it follows a comma: "Spokesman X", "spokesman X".
    variants = {v for t in titles for v in (t, t[:1].upper() + t[1:])}
    title = "|".join(re.escape(t) for t in sorted(variants, key=len, reverse=True))
    return tuple(
        re.compile(p)
        for p in (
            rf"(?<!\w)(?:{title})[ ]{_NAME}\b",
            rf"{_NAME},[ ](?:(?:a|an|the)[ ])?(?:[\w-]+[ ]){{0,3}}?(?:{title}|who)\b",
            r"\b(?:said|according to|told|says|asked)[ ]" + _NAME + r"\b",
            _NAME + r"[ ](?:said|says|told|added|wrote|stated)\b",
        )
    )


def find_people(
    text: str,
    titles: Sequence[str],
    is_known: Callable[[str], bool],
    taken: Sequence[tuple[int, int]] = (),
) -> list[Person]:
    """Unlinked person names, first occurrence each, skipping spans in ``taken``."""
    lowered = {t.lower() for t in titles}
    found: dict[str, Person] = {}
    for pattern in _patterns(tuple(titles)):
        for m in pattern.finditer(text):
            tokens = m.group("name").split(" ")
            start = m.start("name")
            while tokens and (tokens[0] in _STOP or tokens[0].lower() in lowered):
                start += len(tokens.pop(0)) + 1
            end = start + len(" ".join(tokens))
            if len(tokens) < 2 or any(t in _STOP or is_known(t) for t in tokens):
                continue
            if any(start < b and a < end for a, b in taken):
                continue
            name = " ".join(tokens)
            if name not in found or start < found[name].start:
                found[name] = Person(name, start, end)
    return sorted(found.values(), key=lambda p: p.start)


def count_mentions(text: str, name: str) -> int:
    """Occurrences of the full name, or of the surname alone, whichever is more."""
    full = len(re.findall(rf"(?<!\w){re.escape(name)}(?!\w)", text))
    surname = len(re.findall(rf"(?<!\w){re.escape(name.split()[-1])}(?!\w)", text))
    return max(full, surname, 1)

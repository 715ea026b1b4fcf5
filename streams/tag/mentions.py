"""Mentions in an article's text: places, countries, people and organisations from the
gazetteer and knowledge base, the states acting ("Russia launched"), names found in the copy
and linked where the knowledge base knows another spelling, and found state bodies under
their state label."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from streams.tag import geo
from streams.tag.gazetteer import Gazetteer, Match, load_gazetteer
from streams.tag.kb import load_kb
from streams.tag.linker import link
from streams.tag.names import find_names
from streams.tag.records import Record
from streams.tag.states import doers, found_body, role_of_name


@dataclass(init=False, unsafe_hash=True)  # (as gazetteer.Match: a class mypyc compiles)
class Mention:
    start: int
    end: int
    record: Record | None  # None: a name found in the copy but not in the knowledge base
    name: str
    type: str
    demonym: bool
    precision: int | None
    kind: str | None  # the record's kind; "media" for an unlinked masthead

    def __init__(
        self,
        start: int,
        end: int,
        record: Record | None,
        name: str,
        type: str,
        demonym: bool = False,
        precision: int | None = None,
        kind: str | None = None,
    ) -> None:
        self.start = start
        self.end = end
        self.record = record
        self.name = name
        self.type = type
        self.demonym = demonym
        self.precision = precision
        self.kind = kind

    def order(self) -> tuple[Any, ...]:
        """The fields in order: mentions sort as the named tuple they were."""
        return (
            self.start,
            self.end,
            self.record,
            self.name,
            self.type,
            self.demonym,
            self.precision,
            self.kind,
        )


def _with_adjectives(gaz: Gazetteer, matches: list[Match]) -> list[Match]:
    """Also count "Malian" in "Malian army": the organisation's name names its country;
    and "Trump" in "Trump administration": it names the person who leads it."""
    out: list[Match] = []
    for m in matches:
        out.append(m)
        if m.record.type != "organization" or " " not in m.text:
            continue
        word = m.text.split(" ", 1)[0].removesuffix("'s")
        for entry in gaz.entries(word):
            record = entry.record
            if (record.type == "country" and record.country_code == m.record.country_code) or (
                record.type == "person" and m.record.kind == "government"
            ):
                out.append(Match(m.start, m.start + len(word), word, record, entry.demonym))
                break
    return out


_DATELINE = re.compile(r"^([A-Z][A-Z'’-]+(?: [A-Z][A-Z'’-]+)*)(?=[,:]| [—–-]| \()", re.M)


def _datelines_titled(text: str) -> str:
    """ "ADDIS ABABA, March 22" -> "Addis Ababa, March 22", so the dateline is matched."""
    # Only paragraphs opening with two capitals can hold one: test those, not every line.
    at, out = 0, text
    while at < len(text):
        if text[at : at + 2].isupper() and (m := _DATELINE.match(text, at)):
            titled = m.group(1).title().replace("'S", "'s")
            out = out[: m.start(1)] + titled + out[m.end(1) :]
        at = text.find("\n", at) + 1
        if at == 0:
            break
    return out


@lru_cache(maxsize=1)
def _person_titles() -> frozenset[str]:
    # One set for every article: the name finder's caches keyed by it then hash it once.
    return frozenset(load_kb().person_titles)


_NOT_NAME = re.compile(r"[^\w]+")


def _loose(name: str) -> str:
    """A name without case, punctuation or "the": "Armed Forces of the Democratic Republic
    of Congo" and "... of the Democratic Republic of the Congo" are one name."""
    low = name.lower()
    if not low.replace(" ", "").isalnum():  # most names have no punctuation: no regex
        low = _NOT_NAME.sub(" ", low)
    if "the" not in low:
        return " ".join(low.split())
    return " ".join(w for w in low.split() if w != "the")


@lru_cache(maxsize=1)
def _loose_names() -> dict[tuple[str, str], Record]:
    """(type, loose form) -> the one person or organisation of the knowledge base with a
    name of that form; forms that several records share are left out."""
    found: dict[tuple[str, str], Record | None] = {}
    for entry in load_kb().entries:
        record = entry.record
        if record.type in ("person", "organization") and not entry.generic:
            key = (record.type, _loose(entry.alias))
            found[key] = record if found.get(key, record) == record else None
    return {k: r for k, r in found.items() if r is not None}


def _acronyms_as_defined(text: str, matches: list[Match]) -> list[Match]:
    """ "Ambazonia Defence Forces (ADF)": in this text ADF is that group, whatever else the
    knowledge base calls ADF (the Allied Democratic Forces)."""
    defined: dict[str, Record] = {}
    for m in matches:
        if m.record.type == "organization" and text.startswith(" (", m.end):
            close = text.find(")", m.end + 2, m.end + 14)
            if close > 0 and text[m.end + 2 : close].isupper():
                defined[text[m.end + 2 : close]] = m.record
    if not defined:
        return matches
    return [
        Match(m.start, m.end, m.text, own, m.demonym, m.candidates)
        if (own := defined.get(m.text)) is not None and own != m.record
        else m
        for m in matches
    ]


def find_mentions(text: str) -> list[Mention]:
    """Every mention in ``text``, sorted by span."""
    gaz = load_gazetteer()
    matched = _datelines_titled(text)
    found = gaz.find(matched)
    if matched is not text:
        found = [
            Match(m.start, m.end, text[m.start : m.end], m.record, m.demonym, m.candidates)
            for m in found
        ]
    everything = _acronyms_as_defined(text, _with_adjectives(gaz, link(text, found)))
    # Seas and regions spanning countries keep their words from other readings, no more.
    linked = [m for m in everything if m.record.kind != "supra"]
    out = [
        Mention(
            m.start,
            m.end,
            m.record,
            m.record.name,
            m.record.type,
            m.demonym,
            geo.geo_precision(m.record, text, m.start),
        )
        for m in linked
    ]
    kb = load_kb()
    # "Russia launched 40 drones", "Chad announced": the country, and its state acting.
    for start, end, label in doers(text, linked, kb.states, kb.capitals):
        out.append(Mention(start, end, label, label.name, label.type, False, None, label.kind))
    titles = _person_titles()
    loose = _loose_names()
    names = find_names(text, everything, titles)
    # A place inside a person's name is a part of it ("Jordan Siebatcheu").
    people = [(n.start, n.end) for n in names if n.type == "person"]
    if people:
        out = [m for m in out if m.type not in ("country", "location") or not _within(m, people)]
    for name in names:
        precision = 2 if name.type == "location" else None
        kind, type_ = ("media", "organization") if name.type == "media" else (None, name.type)
        known = loose.get((type_, _loose(name.text))) if type_ != "location" else None
        if known is not None:  # a spelling the knowledge base lacks
            out.append(
                Mention(name.start, name.end, known, known.name, type_, False, None, known.kind)
            )
            continue
        out.append(Mention(name.start, name.end, None, name.text, type_, False, precision, kind))
    # In the named tuple's order: by start and end (one int each, cheap to compare), and
    # by all the fields where two share both (never seen, but a name may sit on a place).
    out.sort(key=_span_key)
    if any(
        out[i].start == out[i + 1].start and out[i].end == out[i + 1].end
        for i in range(len(out) - 1)
    ):
        out.sort(key=Mention.order)
    return out


def found_bodies(mentions: list[Mention], country: str | None) -> list[Mention]:
    """Found names of state bodies under their state label: "Merseyside Police", "Eighth
    Division", "the Ministry of Emergency Management"."""
    out: list[Mention] = []
    for m in mentions:
        if m.record is None and m.type == "organization" and m.kind != "media":
            role = role_of_name(m.name)
            if role is not None:
                inside = load_gazetteer().find(m.name)
                label = found_body(role, inside, load_kb().states, country)
                if label is not None:
                    m = Mention(m.start, m.end, label, label.name, label.type, False, None, None)
        out.append(m)
    return out


def _within(m: Mention, spans: list[tuple[int, int]]) -> bool:
    return any(a <= m.start and m.end <= b and (a != m.start or b != m.end) for a, b in spans)


def _span_key(mention: Mention) -> int:
    return (mention.start << 32) | mention.end

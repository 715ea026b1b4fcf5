"""Tag an article: linked and unlinked entities with geography, countries by salience,
the primary location, and casualties per event."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from streams.tag import geo
from streams.tag.casualties import Casualties, extract_casualties
from streams.tag.events import enrich_events, primary_figures
from streams.tag.gazetteer import Gazetteer, Match, load_gazetteer
from streams.tag.kb import load_kb
from streams.tag.lexicon import load_lexicon
from streams.tag.linker import link
from streams.tag.names import find_names
from streams.tag.records import Record
from streams.tag.states import doers, found_body, role_of_name

# Salience: a headline mention weighs double; a country named counts fully, a place in it
# fully, an organisation or person only hints at it.
_TITLE_FACTOR, _NAMED, _HINT, _EVIDENCE_BONUS = 2.0, 1.0, 0.5, 1.0
_PLACE_KINDS_IMPLYING_COUNTRY = ("admin1", "area", "district", "camp", "town")


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


# Not frozen: a dataclass's generated __init__ runs interpreted (~2 us with frozen's
# object.__setattr__); this one mypyc compiles. The fields are never reassigned.
@dataclass(init=False, unsafe_hash=True)
class Entity:
    id: str | None
    name: str
    type: str
    country_code: str | None
    mentions: int
    extra: dict[str, Any]

    def __init__(
        self,
        id: str | None,
        name: str,
        type: str,
        country_code: str | None,
        mentions: int,
        extra: dict[str, Any] | None = None,
    ) -> None:
        self.id = id
        self.name = name
        self.type = type
        self.country_code = country_code
        self.mentions = mentions
        self.extra = {} if extra is None else extra

    def to_record(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "type": self.type,
            "country_code": self.country_code,
            "mentions": self.mentions,
            "linked": self.id is not None,
            **self.extra,
        }


@dataclass(init=False, unsafe_hash=True)  # (as Entity)
class Tagging:
    entities: list[Entity]
    countries: list[str]
    primary_country: str | None
    killed: int | None
    wounded: int | None
    events: list[dict[str, Any]]
    primary_location: dict[str, Any] | None

    def __init__(
        self,
        entities: list[Entity] | None = None,
        countries: list[str] | None = None,
        primary_country: str | None = None,
        killed: int | None = None,
        wounded: int | None = None,
        events: list[dict[str, Any]] | None = None,
        primary_location: dict[str, Any] | None = None,
    ) -> None:
        self.entities = [] if entities is None else entities
        self.countries = [] if countries is None else countries
        self.primary_country = primary_country
        self.killed = killed
        self.wounded = wounded
        self.events = [] if events is None else events
        self.primary_location = primary_location

    def to_record(self) -> dict[str, Any]:
        return {
            "entities": [e.to_record() for e in self.entities],
            "countries": list(self.countries),
            "primary_country": self.primary_country,
            "primary_location": self.primary_location,
            "killed": self.killed,
            "wounded": self.wounded,
            "events": [dict(e) for e in self.events],
        }


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


_AT_PLACE = (
    "at the ",
    "in the ",
    "inside the ",
    "outside the ",
    "into the ",
    "to the ",
    "from the ",
)


def _seat_as_place(text: str, start: int, surface: str) -> bool:
    """ "at the White House": the building, where the government is an actor elsewhere."""
    if surface.removeprefix("the ").removeprefix("The ") not in load_lexicon().seats:
        return False
    if surface[:4] in ("the ", "The "):
        start += 4
    return text[max(0, start - 12) : start].lower().endswith(_AT_PLACE)


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


def _mentions(text: str, title_end: int) -> list[Mention]:
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


def _found_bodies(mentions: list[Mention], country: str | None) -> list[Mention]:
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


def _countries(mentions: list[Mention], text: str, title_end: int) -> dict[str, float]:
    """Salience of each country the text names, or implies by a place in it."""
    score: dict[str, float] = {}
    for m in mentions:
        record = m.record
        if record is None or m.type not in ("country", "location"):
            continue
        code = record.country_code
        if code is None:
            continue
        if m.type == "country":
            weight = _NAMED
        elif record.curated:
            if record.kind not in _PLACE_KINDS_IMPLYING_COUNTRY:
                continue
            if geo.is_dateline(text, m.start, m.end):
                continue
            weight = _NAMED
        else:
            continue
        score[code] = score.get(code, 0.0) + weight * (_TITLE_FACTOR if m.start < title_end else 1)
    return score


def _entities(
    mentions: list[Mention], text: str, title_end: int, country: str | None
) -> list[Entity]:
    groups: dict[Any, list[Mention]] = {}
    for m in mentions:
        if m.type == "organization" and (
            (m.record is not None and m.record.kind == "competition")
            or _seat_as_place(text, m.start, text[m.start : m.end])
        ):
            continue
        record = m.record
        key: Any = (m.type, m.name) if record is None else record.id or record
        if record is not None and key is record.id:
            # By id, whose hash is cached where a record's hashes ten fields; by the record
            # should two records share an id (none does in the knowledge base).
            group = groups.get(key)
            if group is not None and group[0].record is not record and group[0].record != record:
                key = record
        groups.setdefault(key, []).append(m)
    kb = load_kb()
    ranked: list[tuple[float, int, int, Entity]] = []
    for group in groups.values():
        first = group[0]
        record = first.record
        count = len(group)
        if record is None:
            # Unlinked people recur by surname alone ("Lyammouri said").
            count = max(
                count, text.count(first.name.split(" ")[-1]) if first.type == "person" else 1
            )
        kind = record.kind if record else first.kind
        # News outlets are almost always cited as sources, not actors in the story.
        extra: dict[str, Any] = {"kind": kind, "role": "source" if kind == "media" else None}
        if first.type == "location":
            extra.update(geo.place_fields(record, min(m.precision or 3 for m in group)))
        if record is not None and record.id in kb.renames:
            extra["renamed"] = dict(kb.renames[record.id])
        score = sum(_TITLE_FACTOR if m.start < title_end else 1.0 for m in group)
        code = record.country_code if record else None
        entity = Entity(record.id if record else None, first.name, first.type, code, count, extra)
        # Most salient first, then first mentioned (the count keeps entities uncompared).
        ranked.append((-score, first.start, len(ranked), entity))
    ranked.sort()
    return [entity for _, _, _, entity in ranked]


def _successors(entities: list[Entity], countries: list[str], published_at: str | None) -> None:
    """Dated renames: from their date, and where they apply, name the successor."""
    african = any(geo.continent(c) == "AF" for c in countries)
    by_name = load_kb().by_name
    for entity in entities:
        rename = entity.extra.pop("renamed", None)
        if not rename:
            continue
        since = str(rename.get("since") or "")
        where = [w.lower() for w in rename.get("where", ())]
        in_scope = (
            not where
            or ("africa" in where and african)
            or any(c.lower() in where for c in countries)
        )
        if in_scope and (published_at is None or published_at[:10] >= since):
            successor = by_name.get(rename["to"])
            entity.extra["successor"] = {
                "id": successor.id if successor else None,
                "name": rename["to"],
                "since": since,
            }


class _Figures:
    """``extract_casualties``, once per sentence of the article at hand: event sentences
    are read for figures twice (per event, then for the article's toll). (Not an lru_cache
    per article: building one runs functools' Python code.)"""

    def __init__(self) -> None:
        self.seen: dict[str, Casualties] = {}

    def __call__(self, sentence: str) -> Casualties:
        figures = self.seen.get(sentence)
        if figures is None:
            figures = self.seen[sentence] = extract_casualties(sentence)
        return figures


def tag(
    title: str,
    body: str,
    events: list[dict[str, Any]],
    primary_type: str | None = None,
    published_at: str | None = None,
) -> Tagging:
    """Entities, countries, places and casualties for an article and its classified events.

    ``primary_type`` is the article's event type; the first event of that type is the
    primary event ("None" means there is none). Without it the first event is primary.
    """
    text = f"{title}\n\n{body}" if title else body
    title_end = len(title) if title else 0
    mentions = _mentions(text, title_end)
    salience = _countries(mentions, text, title_end)
    countries = sorted(salience, key=lambda c: -salience[c])
    # With no country named, people, groups and places still hint where the story is.
    main = (
        countries[:1]
        or [code for m in mentions if m.record and (code := m.record.country_code)][:1]
    )
    mentions = _found_bodies(mentions, main[0] if main else None)
    figures_of = _Figures()
    enriched, primary, place = enrich_events(text, mentions, events, primary_type, main, figures_of)
    primary_country = (place or {}).get("country_code") or (main[0] if main else None)
    entities = _entities(mentions, text, title_end, main[0] if main else None)
    _successors(entities, countries, published_at)
    killed, wounded = primary_figures(text, title, body, enriched, primary, figures_of)
    return Tagging(
        entities=entities,
        countries=countries,
        primary_country=primary_country,
        killed=killed,
        wounded=wounded,
        events=enriched,
        primary_location=place,
    )

"""Tag an article: linked and unlinked entities with geography, countries by salience,
the primary location, and casualties per event."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from streams.tag import geo
from streams.tag.casualties import Casualties, extract_casualties
from streams.tag.events import enrich_events, primary_figures
from streams.tag.kb import load_kb
from streams.tag.lexicon import load_lexicon
from streams.tag.mentions import Mention, find_mentions, found_bodies

# Salience: a headline mention weighs double; a country named counts fully, a place in it
# fully, an organisation or person only hints at it.
_TITLE_FACTOR, _NAMED, _HINT, _EVIDENCE_BONUS = 2.0, 1.0, 0.5, 1.0
_PLACE_KINDS_IMPLYING_COUNTRY = ("admin1", "area", "district", "camp", "town")


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
    mentions = find_mentions(text)
    salience = _countries(mentions, text, title_end)
    countries = sorted(salience, key=lambda c: -salience[c])
    # With no country named, people, groups and places still hint where the story is.
    main = (
        countries[:1]
        or [code for m in mentions if m.record and (code := m.record.country_code)][:1]
    )
    mentions = found_bodies(mentions, main[0] if main else None)
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

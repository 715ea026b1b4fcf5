"""Tag an article: entities, countries by salience, casualties per event."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from streams.tag.casualties import extract_casualties
from streams.tag.gazetteer import Gazetteer, Match, Record, load_gazetteer, person_titles
from streams.tag.persons import count_mentions, find_people
from streams.text.clean import split_sentences

# Salience weights: a country named, or a place in it, counts fully; an organisation or
# person only hints at a country. Headline mentions and the primary event's sentence
# weigh extra because they say what the story is about.
_NAMED, _HINT, _TITLE_FACTOR, _EVIDENCE_BONUS = 1.0, 0.5, 2.0, 1.0
# Body sentences that still tell the headline's story (for its casualty figures).
_LEAD_SENTENCES = 2


@dataclass(frozen=True)
class Entity:
    id: str | None
    name: str
    type: str
    country_code: str | None
    mentions: int

    def to_record(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "type": self.type,
            "country_code": self.country_code,
            "mentions": self.mentions,
        }


@dataclass(frozen=True)
class Tagging:
    entities: list[Entity] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    primary_country: str | None = None
    killed: int | None = None
    wounded: int | None = None
    events: list[dict[str, Any]] = field(default_factory=list)

    def to_record(self) -> dict[str, Any]:
        return {
            "entities": [e.to_record() for e in self.entities],
            "countries": list(self.countries),
            "primary_country": self.primary_country,
            "killed": self.killed,
            "wounded": self.wounded,
            "events": [dict(e) for e in self.events],
        }


def _entities(text: str, title_end: int, matches: list[Match], gaz: Gazetteer) -> list[Entity]:
    score: dict[Record, float] = {}
    count: dict[Record, int] = {}
    first: dict[Record, int] = {}
    for m in matches:
        count[m.record] = count.get(m.record, 0) + 1
        score[m.record] = score.get(m.record, 0.0) + (2.0 if m.start < title_end else 1.0)
        first.setdefault(m.record, m.start)
    ranked: list[tuple[float, int, Entity]] = [
        (score[r], first[r], Entity(r.id, r.name, r.type, r.country_code, count[r])) for r in count
    ]
    taken = [(m.start, m.end) for m in matches]
    for person in find_people(text, person_titles(), gaz.is_alias, taken):
        mentions = count_mentions(text, person.name)
        ranked.append(
            (float(mentions), person.start, Entity(None, person.name, "person", None, mentions))
        )
    ranked.sort(key=lambda item: (-item[0], item[1]))
    return [entity for _, _, entity in ranked]


def _countries(matches: list[Match], title_end: int, evidence: tuple[int, int] | None) -> list[str]:
    score: dict[str, float] = {}
    first: dict[str, int] = {}
    for m in matches:
        code = m.record.country_code
        if code is None:
            continue
        named = m.record.type in ("country", "location")
        weight = _NAMED if named else _HINT
        if m.start < title_end:
            weight *= _TITLE_FACTOR
        if named and evidence is not None and evidence[0] <= m.start < evidence[1]:
            weight += _EVIDENCE_BONUS
        score[code] = score.get(code, 0.0) + weight
        first.setdefault(code, m.start)
    return sorted(score, key=lambda code: (-score[code], first[code]))


def _where(matches: Sequence[Match]) -> tuple[Record | None, str | None]:
    """The place an event happened: its first location, else the first country named."""
    place = next((m.record for m in matches if m.record.type == "location"), None)
    if place is not None:
        return place, place.country_code
    country = next((m for m in matches if m.record.type == "country" and not m.demonym), None)
    return None, country.record.country_code if country else None


def _with_adjectives(gaz: Gazetteer, matches: list[Match]) -> list[Match]:
    """Also count "Malian" in "Malian army": the organisation's name mentions its country."""
    out: list[Match] = []
    for m in matches:
        out.append(m)
        if m.record.type != "organization" or " " not in m.text:
            continue
        word = m.text.split(" ", 1)[0]
        inner = gaz.find(word)
        if inner and inner[0].demonym and inner[0].record.country_code == m.record.country_code:
            out.append(Match(m.start, m.start + len(word), word, inner[0].record, True))
    return out


def _primary_index(events: list[dict[str, Any]], primary_type: str | None) -> int | None:
    if primary_type is None:
        return 0 if events else None
    return next((i for i, e in enumerate(events) if e.get("event_type") == primary_type), None)


def _headline_figures(
    events: list[dict[str, Any]], primary: int | None, title: str, body: str
) -> dict[str, Any]:
    """The primary event's toll; a headline often leaves it to the lead's same-type sentence."""
    none: dict[str, Any] = {"killed": None, "wounded": None}
    if primary is None:
        return none
    head = events[primary]
    if head["killed"] is not None or head["wounded"] is not None:
        return head
    lead = {title, *split_sentences(body)[:_LEAD_SENTENCES]}
    same = (
        e
        for e in events
        if e.get("event_type") == head.get("event_type") and e.get("evidence") in lead
    )
    return next((e for e in same if e["killed"] is not None or e["wounded"] is not None), none)


def tag(
    title: str, body: str, events: list[dict[str, Any]], primary_type: str | None = None
) -> Tagging:
    """Entities, countries and casualties for an article and its classified events.

    ``primary_type`` is the article's event type; the first event of that type is the
    primary event ("None" means there is none). Without it the first event is primary.
    """
    gaz = load_gazetteer()
    text = f"{title}\n\n{body}" if title else body
    title_end = len(title) if title else 0
    matches = _with_adjectives(gaz, gaz.find(text))
    primary = _primary_index(events, primary_type)
    span = None
    if primary is not None and (evidence := events[primary].get("evidence")):
        at = text.find(evidence)
        span = (at, at + len(evidence)) if at >= 0 else None
    countries = _countries(matches, title_end, span)
    primary_country = countries[0] if countries else None
    if span is not None:
        _, code = _where([m for m in matches if span[0] <= m.start < span[1]])
        primary_country = code or primary_country

    enriched: list[dict[str, Any]] = []
    for i, event in enumerate(events):
        evidence = str(event.get("evidence", ""))
        place, code = _where(gaz.find(evidence))
        location = place.name if place else None
        if place is None and code is None:
            if i == primary:
                # A headline rarely names the village: take the article's main place.
                places = (m.record for m in matches if m.record.type == "location")
                found = next((r for r in places if r.country_code == primary_country), None)
                location, code = (found.name if found else None), primary_country
            elif enriched:
                # "The bus was then targeted again": a bare sentence continues the last event.
                location, code = enriched[-1]["location"], enriched[-1]["country_code"]
            else:
                code = primary_country
        figures = extract_casualties(evidence)
        out = dict(event)
        out["killed"] = None if figures.claimed else figures.killed
        out["wounded"] = None if figures.claimed else figures.wounded
        if figures.claimed:  # a party's claim is kept, but never as the count
            out["claimed_killed"], out["claimed_wounded"] = figures.killed, figures.wounded
        out["location"], out["country_code"] = location, code
        enriched.append(out)

    head = _headline_figures(enriched, primary, title, body)
    return Tagging(
        entities=_entities(text, title_end, matches, gaz),
        countries=countries,
        primary_country=primary_country,
        killed=head["killed"],
        wounded=head["wounded"],
        events=enriched,
    )

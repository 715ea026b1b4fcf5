"""Per-event enrichment (where, how many) and the article's primary figures."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from streams.tag import geo
from streams.tag.casualties import Casualties, extract_casualties, is_cumulative
from streams.text.clean import tail_spans
from streams.text.scan import Leads

if TYPE_CHECKING:
    from streams.tag.mentions import Mention

# Event types whose toll is looked for beyond their own sentence.
_VIOLENT = ("Battles", "Explosions/Remote violence", "Violence against civilians", "Riots")
_LEAD_SENTENCES = 3
# A sentence about an earlier or other incident ("days after", "last year") is not the story.
_BACKGROUND = Leads(
    re.compile(
        r"\b(?:days|weeks|months|years) (?:after|before|earlier|ago)|\bearlier (?:this|in)|"
        r"\blast (?:year|month|week)\b|\ba series of\b|\brecent incident|\bpreviously\b|"
        r"\bin (?:19|20)\d\d\b|\bsince (?:19|20)\d\d\b|\banother attack\b|\bseparate attack\b",
        re.IGNORECASE,
    ),
    (
        *("days ", "weeks ", "months ", "years ", "earlier ", "last ", "a series of"),
        *("recent incident", "previously", "in 19", "in 20", "since 19", "since 20"),
        *("another attack", "separate attack"),
    ),
)


def _primary_index(events: list[dict[str, Any]], primary_type: str | None) -> int | None:
    if primary_type is None:
        return 0 if events else None
    return next((i for i, e in enumerate(events) if e.get("event_type") == primary_type), None)


# The keys of ``_place``, in its order.
_PLACE_KEYS = ("location", "location_id", "country_code", "admin1", "lat", "lon", "geo_precision")


def _place(m: Mention | None, code: str | None) -> dict[str, Any]:
    if m is None:
        return {
            "location": None,
            "location_id": None,
            "country_code": code,
            **geo.place_fields(None, 3 if code else None),
        }
    record = m.record
    return {
        "location": m.name,
        "location_id": record.id if record else None,
        "country_code": (record.country_code if record else None) or code,
        **geo.place_fields(record, m.precision),
    }


def _where(inside: list[Mention]) -> tuple[Mention | None, str | None]:
    """The place of an event sentence: its most precise place, else its first country."""
    places = [m for m in inside if m.type == "location"]
    if places:
        best = min(places, key=lambda m: (m.precision or 3, m.record is None))
        return best, best.record.country_code if best.record else None
    country = next((m for m in inside if m.type == "country" and not m.demonym), None)
    return None, country.record.country_code if country and country.record else None


def _main_place(mentions: list[Mention], main: str | None) -> Mention | None:
    """The article's main known place in its main country: the most mentioned, then the
    most precise (the town over its region: "Kidal region" ... "Kidal"), then the first."""
    places = [
        m
        for m in mentions
        if m.type == "location" and m.record and (main is None or m.record.country_code == main)
    ]
    if not places:
        return None
    counts: dict[str, int] = {}
    for m in places:
        counts[m.name] = counts.get(m.name, 0) + 1
    return min(places, key=lambda m: (-counts[m.name], m.precision or 3))


def enrich_events(
    text: str,
    mentions: list[Mention],
    events: list[dict[str, Any]],
    primary_type: str | None,
    countries: list[str],
    figures_of: Callable[[str], Casualties] = extract_casualties,
) -> tuple[list[dict[str, Any]], int | None, dict[str, Any] | None]:
    """Events with place and figures; the primary event's index; the primary location.

    ``figures_of``: the casualty extractor (the tagger passes one that remembers, as
    ``primary_figures`` reads the same sentences again)."""
    primary = _primary_index(events, primary_type)
    main = countries[0] if countries else None
    enriched: list[dict[str, Any]] = []
    starts = [m.start for m in mentions]
    # Mentions come in text order: an event's are then one slice, found by bisection.
    ordered = starts == sorted(starts)
    for i, event in enumerate(events):
        evidence = str(event.get("evidence", ""))
        at = text.find(evidence) if evidence else -1
        if at < 0:
            inside: list[Mention] = []
        elif ordered:
            lo = bisect_left(starts, at)
            inside = mentions[lo : bisect_left(starts, at + len(evidence), lo)]
        else:
            inside = [m for m in mentions if at <= m.start < at + len(evidence)]
        place, code = _where(inside)
        if place is not None or code is not None:
            where = _place(place, code)
        elif i == primary:
            # A headline rarely names the village: take the article's main place.
            where = _place(_main_place(mentions, main), main)
        elif enriched:
            # "The bus was then targeted again": a bare sentence continues the last event.
            where = {k: enriched[-1][k] for k in _PLACE_KEYS}
        else:
            where = _place(None, main)
        figures = figures_of(evidence)
        out = dict(event)
        out["killed"] = None if figures.claimed else figures.killed
        out["wounded"] = None if figures.claimed else figures.wounded
        if figures.claimed:  # a party's claim is kept, but never as the count
            out["claimed_killed"], out["claimed_wounded"] = figures.killed, figures.wounded
        out.update(where)
        enriched.append(out)
    location = None
    if primary is not None and enriched[primary]["location"] is not None:
        location = {k: enriched[primary][k] for k in _PLACE_KEYS}
    else:
        best = _main_place(mentions, main)
        if best is not None:
            location = _place(best, main)
    if location is not None:
        location = {"name": location.pop("location"), "id": location.pop("location_id"), **location}
    return enriched, primary, location


def primary_figures(
    text: str,
    title: str,
    body: str,
    events: list[dict[str, Any]],
    primary: int | None,
    figures_of: Callable[[str], Casualties] = extract_casualties,
) -> tuple[int | None, int | None]:
    """Killed and wounded in the primary event (ACLED: lowest credible, claims apart).

    The primary event's own sentence first, then the headline and lead, then — for violent
    events — any later sentence with a toll that is not about another event, a claim, a
    cumulative toll or background.
    """
    if primary is None:
        return None, None
    head = events[primary]
    killed: int | None = head["killed"]
    wounded: int | None = head["wounded"]
    if killed is not None and wounded is not None:
        return killed, wounded
    others = {
        e["evidence"]
        for i, e in enumerate(events)
        if i != primary and e.get("event_type") != head.get("event_type")
    }
    sentences = [title] if title else []
    body_sentences = [body[a:b] for a, b in tail_spans(text, body)]
    sentences += body_sentences[:_LEAD_SENTENCES]
    if head.get("event_type") in _VIOLENT:
        sentences += body_sentences[_LEAD_SENTENCES:]
    for sentence in sentences:
        if killed is not None:  # the toll is found; later sentences tell other things
            break
        figures = figures_of(sentence)  # cheap when there is no figure: test it first
        if (figures.killed is None and figures.wounded is None) or figures.claimed:
            continue
        if sentence in others or is_cumulative(sentence) or _BACKGROUND.search(sentence):
            continue
        killed = killed if killed is not None else figures.killed
        wounded = wounded if wounded is not None else figures.wounded
    return killed, wounded

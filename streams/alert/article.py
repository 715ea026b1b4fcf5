"""One tagged article as rule conditions see it, and the evidence they gather.

``Article`` computes each lookup once per evaluation (events in the order rules try them,
places with coordinates from the knowledge base); ``Scope`` is the article plus the event an
event-scoped rule is trying; ``Hits`` collects what matched, for the alert's reason.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

from . import kb
from .kb import Place, norm

EARTH_RADIUS_KM = 6371.0
NONE = "None"


@dataclass(frozen=True)
class Candidate:
    event: dict[str, Any]
    killed: int | None
    primary: bool


class Article:
    """A tagged record with the lookups conditions need, computed once per evaluation."""

    def __init__(self, tagged: dict[str, Any]) -> None:
        self.tagged = tagged
        self.text = f"{tagged.get('title') or ''}\n{tagged.get('body') or ''}"
        self.entities = [e for e in tagged.get("entities") or () if isinstance(e, dict)]
        self.countries = tuple(tagged.get("countries") or ())
        self.source = norm(str(tagged.get("source") or ""))

    @cached_property
    def candidates(self) -> list[Candidate]:
        """The primary event (carrying the article's toll) first, then the other events."""
        t = self.tagged
        events = [e for e in t.get("events") or () if isinstance(e, dict)]
        primary_type = t.get("event_type", NONE)
        first = next((e for e in events if e.get("event_type") == primary_type), None)
        if first is None and primary_type not in (NONE, None):
            first = {
                "event_type": primary_type,
                "sub_type": t.get("event_subtype"),
                "confidence": t.get("event_confidence", 0.0),
                "evidence": t.get("title") or "",
            }
        out: list[Candidate] = []
        if first is not None:
            killed = first.get("killed")
            out.append(Candidate(first, killed if killed is not None else t.get("killed"), True))
        out.extend(Candidate(e, e.get("killed"), False) for e in events if e is not first)
        return out

    @cached_property
    def keyed_entities(self) -> list[tuple[str | None, str, str]]:
        """(id, normalised name, name) per entity: rules compare these, normalised once."""
        out = []
        for e in self.entities:
            name = str(e.get("name", ""))
            out.append((e.get("id"), norm(name), name))
        return out

    @cached_property
    def places(self) -> tuple[Place, ...]:
        named = [kb.place(e["name"], e.get("id")) for e in self.entities if _is_place(e)]
        located = [kb.place(loc) for c in self.candidates if (loc := c.event.get("location"))]
        return tuple({(p.id or p.name): p for p in (*named, *located)}.values())


def _is_place(entity: dict[str, Any]) -> bool:
    return entity.get("type") == "location" and bool(entity.get("name"))


@dataclass(frozen=True)
class Scope:
    """What a condition sees: the article, and the event being tried (event-scoped rules)."""

    article: Article
    event: dict[str, Any] | None = None
    killed: int | None = None

    def countries(self) -> tuple[str, ...]:
        code = (self.event or {}).get("country_code")
        return (code,) if code else self.article.countries

    def places(self) -> tuple[Place, ...]:
        location = (self.event or {}).get("location")
        return (kb.place(location),) if location else self.article.places


@dataclass
class Hits:
    """Evidence gathered while a rule matched, for the alert's reason."""

    named: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    watchlists: list[str] = field(default_factory=list)

    def merge(self, other: Hits) -> None:
        self.named.extend(other.named)
        self.notes.extend(other.notes)
        self.watchlists.extend(other.watchlists)


@dataclass(frozen=True)
class Member:
    """An entity named in a rule: its canonical id/name and every spelling it was given as."""

    label: str
    ids: frozenset[str]
    names: frozenset[str]

    @classmethod
    def of(cls, text: str) -> Member:
        record = kb.resolve(text)
        ids, names = {text}, {norm(text)}
        if record is not None:
            ids.add(record.id or text)
            names.add(norm(record.name))
        return cls(record.name if record else text, frozenset(ids), frozenset(names))

    def matches(self, id_: str | None, name: str) -> bool:
        return (id_ is not None and id_ in self.ids) or norm(name) in self.names


@lru_cache(maxsize=256)
def _member_index(members: tuple[Member, ...]) -> dict[str, tuple[Member, ...]]:
    """Each id and normalised name of ``members`` -> the members it names (once per rule)."""
    index: dict[str, list[Member]] = {}
    for m in members:
        for key in m.ids | m.names:
            index.setdefault(key, []).append(m)
    return {key: tuple(ms) for key, ms in index.items()}


def entity_hits(members: tuple[Member, ...], article: Article) -> tuple[list[str], int]:
    """Article entity names matching any member (article order), and distinct members hit."""
    index = _member_index(members)
    names: list[str] = []
    hit: set[Member] = set()
    for id_, normed, name in article.keyed_entities:
        # Ids and normalised names share one index: an id never looks like a folded name
        # ("Q1234", "geonames:…"), and a member's ids include the text it was given as.
        found = (index.get(id_, ()) if id_ is not None else ()) + index.get(normed, ())
        for m in found:
            if m.matches(id_, name):
                hit.add(m)
                names.append(name)
    return list(dict.fromkeys(names)), len(hit)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))

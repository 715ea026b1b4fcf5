"""Rule conditions: leaves over one article (or one of its events) and boolean combinators.

A condition is a small object with ``test(scope, hits) -> bool``; ``hits`` collects what
matched (entities named, places, keywords) so the alert can say why it fired. Leaves that
read an event (type, sub-type, killed, confidence) make the rule *event-scoped*: it is tried
on one event at a time. Watchlist leaves live in ``watchlists.py``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from .article import Hits, Member, Scope, entity_hits, haversine_km
from .kb import Place, norm


class Condition(Protocol):
    @property
    def event_scoped(self) -> bool: ...

    def test(self, scope: Scope, hits: Hits) -> bool: ...


# --- event-scoped leaves -------------------------------------------------------------------


@dataclass(frozen=True)
class EventType:
    types: frozenset[str]
    event_scoped: bool = True

    def test(self, scope: Scope, hits: Hits) -> bool:
        return scope.event is not None and scope.event.get("event_type") in self.types


@dataclass(frozen=True)
class SubType:
    sub_types: frozenset[str]
    event_scoped: bool = True

    def test(self, scope: Scope, hits: Hits) -> bool:
        return scope.event is not None and scope.event.get("sub_type") in self.sub_types


@dataclass(frozen=True)
class MinKilled:
    at_least: int
    event_scoped: bool = True

    def test(self, scope: Scope, hits: Hits) -> bool:
        return scope.killed is not None and scope.killed >= self.at_least


@dataclass(frozen=True)
class MinConfidence:
    at_least: float
    event_scoped: bool = True

    def test(self, scope: Scope, hits: Hits) -> bool:
        return scope.event is not None and scope.event.get("confidence", 0) >= self.at_least


# --- article leaves ------------------------------------------------------------------------


@dataclass(frozen=True)
class Topics:
    topics: frozenset[str]
    event_scoped: bool = False

    def test(self, scope: Scope, hits: Hits) -> bool:
        found = [t for t in scope.article.tagged.get("topics") or () if t in self.topics]
        if found:
            hits.notes.append("topic " + ", ".join(found))
        return bool(found)


@dataclass(frozen=True)
class Entities:
    members: tuple[Member, ...]
    event_scoped: bool = False

    def test(self, scope: Scope, hits: Hits) -> bool:
        names, count = entity_hits(self.members, scope.article)
        hits.named.extend(names)
        return count > 0


@dataclass(frozen=True)
class Countries:
    codes: frozenset[str]
    event_scoped: bool = False

    def test(self, scope: Scope, hits: Hits) -> bool:
        return any(c in self.codes for c in scope.countries())


@dataclass(frozen=True)
class Admin1:
    regions: frozenset[str]
    event_scoped: bool = False

    def test(self, scope: Scope, hits: Hits) -> bool:
        found = [p for p in scope.places() if p.admin1 and norm(p.admin1) in self.regions]
        if found:
            hits.notes.append(f"{found[0].name} in {found[0].admin1} region")
        return bool(found)


@dataclass(frozen=True)
class Near:
    lat: float
    lon: float
    radius_km: float
    event_scoped: bool = False

    def place_in(self, places: tuple[Place, ...]) -> Place | None:
        for p in places:
            if p.lat is None or p.lon is None:
                continue
            if haversine_km(self.lat, self.lon, p.lat, p.lon) <= self.radius_km:
                return p
        return None

    def test(self, scope: Scope, hits: Hits) -> bool:
        found = self.place_in(scope.places())
        if found is not None:
            hits.notes.append(f"{found.name} within {self.radius_km:g} km")
        return found is not None


@dataclass(frozen=True)
class Keywords:
    pattern: re.Pattern[str]
    event_scoped: bool = False

    @classmethod
    def of(cls, words: list[str]) -> Keywords:
        alternation = "|".join(re.escape(" ".join(w.split())).replace(r"\ ", r"\s+") for w in words)
        return cls(re.compile(rf"(?<!\w)(?:{alternation})(?!\w)", re.IGNORECASE))

    def test(self, scope: Scope, hits: Hits) -> bool:
        found = self.pattern.search(scope.article.text)
        if found is not None:
            hits.notes.append(f"keyword '{found.group()}'")
        return found is not None


@dataclass(frozen=True)
class Source:
    sources: frozenset[str]
    event_scoped: bool = False

    def test(self, scope: Scope, hits: Hits) -> bool:
        return scope.article.source in self.sources


# --- combinators ---------------------------------------------------------------------------


@dataclass(frozen=True)
class All:
    parts: tuple[Condition, ...]

    @property
    def event_scoped(self) -> bool:
        return any(p.event_scoped for p in self.parts)

    def test(self, scope: Scope, hits: Hits) -> bool:
        mine = Hits()
        if all(p.test(scope, mine) for p in self.parts):
            hits.merge(mine)
            return True
        return False


@dataclass(frozen=True)
class AnyOf:
    parts: tuple[Condition, ...]

    @property
    def event_scoped(self) -> bool:
        return any(p.event_scoped for p in self.parts)

    def test(self, scope: Scope, hits: Hits) -> bool:
        for part in self.parts:
            mine = Hits()
            if part.test(scope, mine):
                hits.merge(mine)
                return True
        return False


@dataclass(frozen=True)
class Not:
    part: Condition

    @property
    def event_scoped(self) -> bool:
        return self.part.event_scoped

    def test(self, scope: Scope, hits: Hits) -> bool:
        return not self.part.test(scope, Hits())  # what is absent is not evidence


def mentions(condition: Condition, kind: type) -> bool:
    """Whether ``condition`` has a leaf of ``kind`` anywhere in it (outside ``not`` too)."""
    if isinstance(condition, kind):
        return True
    if isinstance(condition, All | AnyOf):
        return any(mentions(p, kind) for p in condition.parts)
    if isinstance(condition, Not):
        return mentions(condition.part, kind)
    return False

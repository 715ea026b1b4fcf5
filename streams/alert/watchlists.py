"""Watchlists: named sets of entities and places that rules refer to with ``watchlist:``."""

from __future__ import annotations

from dataclasses import dataclass

from .article import Hits, Member, Scope, entity_hits
from .conditions import Near
from .kb import Place, norm


@dataclass(frozen=True)
class PlaceRef:
    """A watchlist place: a named place (matched by id or name) or an area around a point."""

    label: str
    ids: frozenset[str] = frozenset()
    names: frozenset[str] = frozenset()
    area: Near | None = None

    def find(self, places: tuple[Place, ...]) -> Place | None:
        if self.area is not None:
            return self.area.place_in(places)
        return next(
            (p for p in places if (p.id and p.id in self.ids) or norm(p.name) in self.names), None
        )


@dataclass(frozen=True)
class Watchlist:
    name: str
    entities: tuple[Member, ...] = ()
    places: tuple[PlaceRef, ...] = ()
    admin1: frozenset[str] = frozenset()


@dataclass(frozen=True)
class OnWatchlist:
    """``watchlist: NAME`` or ``{name: NAME, min: N}``: at least N distinct members present."""

    watchlist: Watchlist
    at_least: int = 1
    event_scoped: bool = False

    def test(self, scope: Scope, hits: Hits) -> bool:
        names, count = entity_hits(self.watchlist.entities, scope.article)
        places = scope.places()
        found = [p for ref in self.watchlist.places if (p := ref.find(places)) is not None]
        regions = {norm(p.admin1) for p in places if p.admin1} & self.watchlist.admin1
        if count + len(found) + len(regions) < self.at_least:
            return False
        hits.named.extend(names)
        if found:
            where = ", ".join(dict.fromkeys(p.name for p in found))
            hits.notes.append(f"{where} on {self.watchlist.name}")
        hits.watchlists.append(self.watchlist.name)
        return True

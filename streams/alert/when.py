"""The ``when:`` part of a rule file: conditions and watchlists, checked as they are built."""

from __future__ import annotations

import re
from collections.abc import Callable

from streams.classify.classifier import EVENT_TYPES, NONE, TOPICS

from . import conditions as c
from . import kb
from . import watchlists as w
from .article import Member
from .yamltree import Invalid, Y, check_keys

ACLED_SUB_TYPES = {
    "Battles": ("Armed clash", "Government regains territory",
                "Non-state actor overtakes territory"),
    "Explosions/Remote violence": ("Chemical weapon", "Air/drone strike", "Suicide bomb",
                                   "Shelling/artillery/missile attack",
                                   "Remote explosive/landmine/IED", "Grenade"),
    "Violence against civilians": ("Sexual violence", "Attack",
                                   "Abduction/forced disappearance"),
    "Protests": ("Peaceful protest", "Protest with intervention",
                 "Excessive force against protesters"),
    "Riots": ("Violent demonstration", "Mob violence"),
    "Strategic developments": ("Agreement", "Arrests", "Change to group/activity",
                               "Disrupted weapons use", "Headquarters or base established",
                               "Looting/property destruction",
                               "Non-violent transfer of territory", "Other"),
}  # fmt: skip
SUB_TYPES = frozenset(s for subs in ACLED_SUB_TYPES.values() for s in subs)
COMBINATORS = ("all", "any", "not")
ALPHA2 = re.compile(r"[A-Z]{2}")


def known(y: Y, what: str, allowed: frozenset[str] | tuple[str, ...], kind: str) -> list[str]:
    values = y.strings(what)
    for value in values:
        if value not in allowed:
            raise Invalid(f"{what}: unknown {kind} {value!r}", y.line)
    return values


def countries(y: Y, what: str) -> list[str]:
    codes = y.strings(what)
    for code in codes:
        if not ALPHA2.fullmatch(code):
            raise Invalid(f"{what}: {code!r} is not an ISO 3166-1 alpha-2 code like 'ML'", y.line)
    return codes


def area(y: Y, what: str) -> c.Near:
    """``{lat, lon, radius_km}``, ``{near: [lat, lon], radius_km}`` or ``{near: PLACE, ...}``."""
    spec = y.mapping(what)
    check_keys(spec, ("lat", "lon", "near", "place", "radius_km"), what)
    if "radius_km" not in spec:
        raise Invalid(f"{what}: radius_km is required", y.line)
    radius = spec["radius_km"].number(f"{what}: radius_km", 0, 20_000)
    point = spec.get("near") or spec.get("place")
    if point is not None and isinstance(point.value, str):
        record = kb.resolve(point.value)
        if record is None or record.lat is None or record.lon is None:
            raise Invalid(f"{what}: no coordinates known for place {point.value!r}", point.line)
        return c.Near(record.lat, record.lon, radius)
    if point is not None:
        pair = point.items(f"{what}: near")
        if len(pair) != 2:
            raise Invalid(f"{what}: near must be [lat, lon]", point.line)
        lat, lon = pair
    elif "lat" in spec and "lon" in spec:
        lat, lon = spec["lat"], spec["lon"]
    else:
        raise Invalid(f"{what}: give lat and lon, or near: [lat, lon], or a place", y.line)
    return c.Near(
        lat.number(f"{what}: lat", -90, 90), lon.number(f"{what}: lon", -180, 180), radius
    )


def members(y: Y, what: str) -> tuple[Member, ...]:
    return tuple(Member.of(name) for name in y.strings(what))


def watchlist(name: str, y: Y) -> w.Watchlist:
    what = f"watchlist {name!r}"
    spec = y.mapping(what)
    check_keys(spec, ("entities", "places", "admin1"), what)
    if not spec:
        raise Invalid(f"{what} is empty", y.line)
    places = []
    for item in spec["places"].items(f"{what}: places") if "places" in spec else []:
        if isinstance(item.value, str) and item.value.strip():
            member = Member.of(item.value)
            places.append(w.PlaceRef(member.label, member.ids, member.names))
        else:
            places.append(w.PlaceRef(f"area {item.line}", area=area(item, f"{what}: place")))
    return w.Watchlist(
        name,
        members(spec["entities"], f"{what}: entities") if "entities" in spec else (),
        tuple(places),
        frozenset(map(kb.norm, spec["admin1"].strings(f"{what}: admin1")))
        if "admin1" in spec
        else frozenset(),
    )


class Conditions:
    """Builds conditions from ``when:`` mappings, knowing the file's watchlists."""

    def __init__(self, watchlists: dict[str, w.Watchlist]) -> None:
        self.watchlists = watchlists
        self.leaves: dict[str, Callable[[Y, str], c.Condition]] = {
            "event_type": lambda y, w: c.EventType(
                frozenset(known(y, w, (*EVENT_TYPES, NONE), "event type"))
            ),
            "sub_type": lambda y, w: c.SubType(frozenset(known(y, w, SUB_TYPES, "sub-type"))),
            "min_killed": lambda y, w: c.MinKilled(y.whole(w)),
            "min_confidence": lambda y, w: c.MinConfidence(y.number(w, 0, 1)),
            "topics": lambda y, w: c.Topics(frozenset(known(y, w, TOPICS, "topic"))),
            "entities": lambda y, w: c.Entities(members(y, w)),
            "countries": lambda y, w: c.Countries(frozenset(countries(y, w))),
            "admin1": lambda y, w: c.Admin1(frozenset(map(kb.norm, y.strings(w)))),
            "near": area,
            "keywords": lambda y, w: c.Keywords.of(y.strings(w)),
            "source": lambda y, w: c.Source(frozenset(map(kb.norm, y.strings(w)))),
            "watchlist": self._on_watchlist,
        }

    def _on_watchlist(self, y: Y, what: str) -> c.Condition:
        ref, at_least = y, 1
        if isinstance(y.value, dict):
            spec = y.mapping(what)
            check_keys(spec, ("name", "min"), what)
            if "name" not in spec:
                raise Invalid(f"{what}: name is required", y.line)
            ref = spec["name"]
            if "min" in spec:
                at_least = spec["min"].whole(f"{what}: min") or 1
        if not isinstance(ref.value, str) or ref.value not in self.watchlists:
            known = ", ".join(sorted(self.watchlists)) or "none defined"
            raise Invalid(f"{what}: unknown watchlist {ref.value!r} (known: {known})", ref.line)
        return w.OnWatchlist(self.watchlists[ref.value], at_least)

    def build(self, y: Y, what: str) -> c.Condition:
        spec = y.mapping(what)
        if not spec:
            raise Invalid(f"{what}: empty condition", y.line)
        parts: list[c.Condition] = []
        for key, value in spec.items():
            if key in ("all", "any"):
                items = value.items(f"{what}: {key}")
                if not items:
                    raise Invalid(f"{what}: {key} needs at least one condition", value.line)
                built = tuple(self.build(item, f"{what}: {key}") for item in items)
                parts.append(c.All(built) if key == "all" else c.AnyOf(built))
            elif key == "not":
                parts.append(c.Not(self.build(value, f"{what}: not")))
            elif key in self.leaves:
                parts.append(self.leaves[key](value, f"{what}: {key}"))
            else:
                known = ", ".join((*COMBINATORS, *self.leaves))
                raise Invalid(f"{what}: unknown condition {key!r} (known: {known})", value.line)
        return parts[0] if len(parts) == 1 else c.All(tuple(parts))

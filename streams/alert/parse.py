"""Rule files (YAML, version 2) to a RuleSet; every problem names its line.

The ``when:`` conditions and watchlists are built in ``when.py``; this module reads the
file's sections, the rules themselves and the severity policy.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from streams.classify.classifier import EVENT_TYPES

from . import conditions as c
from .ruleset import Rule, RuleSet
from .severity import SEVERITIES, GreatPower, KilledStep, Policy
from .when import ALPHA2, Conditions, known, members, watchlist
from .yamltree import Invalid, Y, check_keys, compose

TOP_KEYS = ("version", "defaults", "severity", "great_powers", "watchlists", "rules")
RULE_KEYS = ("name", "description", "severity", "when", "max_severity", "escalate_on_watchlist")
V1_KEYS = ("event_types", "sub_types", "topics_any", "entities_any", "countries_any",
           "keywords_any", "min_killed", "min_confidence")  # fmt: skip
_NAME = re.compile(r"[A-Za-z0-9_.-]+")


def _level(y: Y, what: str) -> str:
    if y.value not in SEVERITIES:
        raise Invalid(f"{what} must be one of {', '.join(SEVERITIES)}, got {y.value!r}", y.line)
    return str(y.value)


def _rule(y: Y, build: Conditions, min_confidence: float | None, seen: set[str]) -> Rule:
    spec = y.mapping("each rule")
    if "name" not in spec:
        raise Invalid("rule without a name", y.line)
    name = spec["name"].value
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise Invalid(f"rule name {name!r} must be letters, digits, '_', '.', '-'", y.line)
    label = f"rule {name!r}"
    if name in seen:
        raise Invalid(f"{label} is defined twice", spec["name"].line)
    seen.add(name)
    for key, value in spec.items():
        if key in V1_KEYS:  # the most likely cause: a version 1 file
            raise Invalid(
                f"{label}: unknown key {key!r} (version 1 syntax: conditions now go under "
                "`when:`, see docs/rules.md)",
                value.line,
            )
    check_keys(spec, RULE_KEYS, label)
    for key in ("severity", "when"):
        if key not in spec:
            raise Invalid(f"{label}: {key} is required", y.line)
    severity = _level(spec["severity"], f"{label}: severity")
    cap = _level(spec["max_severity"], f"{label}: max_severity") if "max_severity" in spec else None
    if cap is not None and SEVERITIES.index(cap) > SEVERITIES.index(severity):
        raise Invalid(f"{label}: max_severity is below severity", spec["max_severity"].line)
    when = build.build(spec["when"], f"{label}: when")
    # Background sentences ("a series of attacks") score low: the default guards event rules.
    if when.event_scoped and min_confidence is not None and not c.mentions(when, c.MinConfidence):
        when = c.All((c.MinConfidence(min_confidence), when))
    escalate = spec.get("escalate_on_watchlist")
    what = f"{label}: escalate_on_watchlist"
    return Rule(
        name=name,
        severity=severity,
        when=when,
        description=str(spec["description"].value) if "description" in spec else "",
        max_severity=cap or "critical",
        escalate_on_watchlist=escalate.flag(what) if escalate else False,
        line=y.line,
    )


def _words(y: Y | None, what: str) -> re.Pattern[str] | None:
    return c.Keywords.of(y.strings(what)).pattern if y is not None else None


def _steps(spec: dict[str, Y], what: str) -> int:
    return int(spec["raise"].whole(f"{what}: raise")) if "raise" in spec else 1


def parse_policy(severity: Y, powers: Y) -> Policy:
    spec = severity.mapping("severity")
    check_keys(spec, ("killed", "civilians", "watchlist", "great_power_forces"), "severity")
    killed = []
    for item in spec["killed"].items("severity: killed") if "killed" in spec else []:
        step = item.mapping("severity: killed step")
        check_keys(step, ("at_least", "raise", "to"), "severity: killed step")
        if "at_least" not in step or ("raise" in step) == ("to" in step):
            raise Invalid("severity: killed step needs at_least and one of raise, to", item.line)
        to = _level(step["to"], "severity: killed: to") if "to" in step else None
        killed.append(KilledStep(step["at_least"].whole("at_least"), _steps(step, "killed"), to))
    great = powers.mapping("great_powers")
    check_keys(great, ("kinds", "countries"), "great_powers")
    kinds = great.get("kinds")
    countries = (
        great["countries"].mapping("great_powers: countries") if "countries" in great else {}
    )
    civ = spec["civilians"].mapping("severity: civilians") if "civilians" in spec else {}
    check_keys(civ, ("raise", "event_types", "victims", "harm"), "severity: civilians")
    civilian_types = (
        known(civ["event_types"], "civilians: event_types", EVENT_TYPES, "event type")
        if "event_types" in civ
        else []
    )
    steps = {}
    for key in ("watchlist", "great_power_forces"):
        section = spec[key].mapping(f"severity: {key}") if key in spec else None
        if section is not None:
            check_keys(section, ("raise",), f"severity: {key}")
        steps[key] = _steps(section, key) if section is not None else 0
    return Policy(
        killed=tuple(sorted(killed, key=lambda s: s.at_least)),
        civilians_steps=_steps(civ, "civilians") if civ else 0,
        civilian_event_types=frozenset(civilian_types),
        victims=_words(civ.get("victims"), "severity: civilians: victims"),
        harm=_words(civ.get("harm"), "severity: civilians: harm"),
        watchlist_steps=steps["watchlist"],
        great_power_steps=steps["great_power_forces"],
        great_powers=tuple(_great_power(code, y) for code, y in countries.items()),
        state_kinds=frozenset(kinds.strings("great_powers: kinds") if kinds else ()),
    )


def _great_power(code: str, y: Y) -> GreatPower:
    what = f"great_powers: countries: {code}"
    if not ALPHA2.fullmatch(code):
        raise Invalid(f"{what}: not an ISO 3166-1 alpha-2 code", y.line)
    spec = y.mapping(what)
    check_keys(spec, ("adjective", "state_forces"), what)
    adjective = spec["adjective"].strings(f"{what}: adjective")[0] if "adjective" in spec else code
    forces = spec.get("state_forces")
    state_forces = members(forces, f"{what}: state_forces") if forces is not None else ()
    return GreatPower(code, adjective, state_forces)


def parse_tree(root: Y, source: str, fallback: Callable[[], dict[str, Y]] | None) -> RuleSet:
    """``fallback`` gives the packaged file's sections, for a file without a policy."""
    doc = root.mapping("a rules file")
    check_keys(doc, TOP_KEYS, "rules file")
    if "version" in doc and doc["version"].value != 2:
        raise Invalid(
            f"version {doc['version'].value!r} is not supported; this is version 2 "
            "(see docs/rules.md)",
            doc["version"].line,
        )
    if "rules" not in doc:
        raise Invalid("expected a mapping with a 'rules' list", root.line)
    # A user file that leaves out a policy section uses the packaged one.
    base = fallback() if fallback and not {"severity", "great_powers"} <= doc.keys() else {}
    policy = parse_policy(
        doc.get("severity") or base.get("severity") or Y({}, 0),
        doc.get("great_powers") or base.get("great_powers") or Y({}, 0),
    )
    defaults = doc["defaults"].mapping("defaults") if "defaults" in doc else {}
    check_keys(defaults, ("min_confidence",), "defaults")
    floor = defaults.get("min_confidence")
    min_conf = floor.number("defaults: min_confidence", 0, 1) if floor is not None else None
    lists = doc["watchlists"].mapping("watchlists") if "watchlists" in doc else {}
    watchlists = {name: watchlist(name, y) for name, y in lists.items()}
    build, seen = Conditions(watchlists), set[str]()
    rules = tuple(_rule(y, build, min_conf, seen) for y in doc["rules"].items("rules"))
    if not rules:
        raise Invalid("no rules defined", doc["rules"].line)
    return RuleSet(rules, source, policy, watchlists)


def sections(text: str) -> dict[str, Y]:
    """The top-level sections of a rules file, unchecked (for the packaged policy)."""
    return compose(text).mapping("a rules file")

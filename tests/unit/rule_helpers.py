"""Small tagged records for rule tests (the shape of schemas/article.tagged.json)."""

from __future__ import annotations

from typing import Any

from streams.alert.rules import RuleMatch, RuleSet, parse_rules

# A policy that never escalates, so condition tests see the rule's own severity.
FLAT = "severity: {}\ngreat_powers: {}\n"


def event(event_type: str, killed: int | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "event_type": event_type,
        "sub_type": None,
        "confidence": 0.8,
        "evidence": "x.",
        "killed": killed,
        "wounded": None,
        "location": None,
        "country_code": "ML",
        **extra,
    }


def entity(
    name: str, type_: str = "organization", id_: str | None = None, cc: str | None = None
) -> dict[str, Any]:
    return {"id": id_, "name": name, "type": type_, "country_code": cc, "mentions": 1}


def record(events: list[dict[str, Any]] | None = None, **extra: Any) -> dict[str, Any]:
    events = events or []
    primary = events[0]["event_type"] if events else "None"
    return {
        "id": "t",
        "title": "T",
        "body": "Body text.",
        "source": None,
        "event_type": primary,
        "event_subtype": None,
        "event_confidence": 0.8,
        "topics": ["armed_conflict"],
        "events": events,
        "entities": [],
        "countries": ["ML"],
        "primary_country": "ML",
        "killed": None,
        "wounded": None,
        **extra,
    }


def rules(text: str, flat: bool = True) -> RuleSet:
    return parse_rules((FLAT if flat else "") + text, "inline.yaml")


def fired(ruleset: RuleSet, tagged: dict[str, Any]) -> list[str]:
    return [m.rule for m in ruleset.evaluate(tagged)]


def one(ruleset: RuleSet, tagged: dict[str, Any]) -> RuleMatch:
    [match] = ruleset.evaluate(tagged)
    return match

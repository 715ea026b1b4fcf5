"""Severity escalation from the evidence, caps, and the one-line reason naming each step."""

from __future__ import annotations

import pytest

from streams.alert.severity import at_most, raise_by

from .rule_helpers import entity, event, one, record, rules

POLICY = """severity:
  killed:
    - {at_least: 10, raise: 1}
    - {at_least: 50, to: critical}
  civilians:
    raise: 1
    event_types: [Violence against civilians]
    victims: [civilians, passengers, children, residents]
    harm: [killed, killing, wounded, hit]
  watchlist: {raise: 1}
  great_power_forces: {raise: 1}
great_powers:
  kinds: [state_forces, government]
  countries:
    RU: {adjective: Russian, state_forces: [Russian Armed Forces, Africa Corps]}
    US: {adjective: US, state_forces: [Government of the United States]}
watchlists:
  russians: {entities: [Wagner Group]}
"""
RU_FORCES = entity("Russian Armed Forces", id_="wirewatch:russian-armed-forces", cc="RU")
WAGNER = entity("Wagner Group", id_="wirewatch:wagner-group", cc="RU")


def ruleset(severity: str = "low", when: str = "{event_type: [Battles]}", extra: str = ""):
    text = f"rules:\n  - name: r\n    severity: {severity}\n    when: {when}\n{extra}"
    return rules(POLICY + text, flat=False)


def test_severity_arithmetic() -> None:
    assert raise_by("low", 1) == "medium"
    assert raise_by("high", 5) == "critical"
    assert at_most("critical", "high") == "high"
    assert at_most("low", "high") == "low"


@pytest.mark.parametrize(
    ("killed", "severity", "mark"),
    [
        (3, "low", "3 killed"),
        (10, "medium", "10 killed (+1)"),
        (50, "critical", "50 killed (critical)"),
    ],
)
def test_killed_steps(killed: int, severity: str, mark: str) -> None:
    match = one(ruleset(), record([event("Battles", killed=killed)]))
    assert match.severity == severity
    assert match.reason == f"Battles in Mali; {mark} → {severity}"


def test_civilians_by_event_type_or_by_victims_in_the_evidence() -> None:
    vac = one(ruleset(when="{event_type: [Violence against civilians]}"),
              record([event("Violence against civilians")]))  # fmt: skip
    assert vac.severity == "medium" and "civilians targeted (+1)" in vac.reason
    hit = event("Battles", evidence="A shell hit the market, killing three residents.")
    assert one(ruleset(), record([hit])).severity == "medium"
    # Civilians named but not harmed is not evidence of targeting.
    calm = event("Battles", evidence="Residents said fighters clashed outside town.")
    assert one(ruleset(), record([calm])).severity == "low"


def test_watchlist_raises_only_when_the_rule_asks() -> None:
    when = "{event_type: [Battles], watchlist: russians}"
    tagged = record([event("Battles")], entities=[WAGNER])
    plain = one(ruleset(when=when), tagged)
    assert plain.severity == "low" and "Wagner Group named" in plain.reason
    raised = one(ruleset(when=when, extra="    escalate_on_watchlist: true\n"), tagged)
    assert raised.severity == "medium"
    assert raised.reason.endswith("on watchlist russians (+1) → medium")


def test_great_power_state_forces_named_and_referred_to_by_the_event() -> None:
    strike = event("Battles", evidence="A Russian drone hit a military post.", country_code="UA")
    involved = one(ruleset(), record([strike], entities=[RU_FORCES]))
    assert involved.severity == "medium"
    assert "Russian state forces involved (+1)" in involved.reason
    # Named in the article but the event's sentence does not refer to Russia: no step.
    elsewhere = event("Battles", evidence="Fighters clashed near the border.")
    assert one(ruleset(), record([elsewhere], entities=[RU_FORCES])).severity == "low"
    # A Russian group that is not a state force: no step.
    assert one(ruleset(), record([strike], entities=[WAGNER])).severity == "low"


def test_state_forces_by_knowledge_base_kind() -> None:
    strike = event("Battles", evidence="A Russian drone hit a military post.")
    police = {**entity("Russian Police", cc="RU"), "kind": "state_forces"}
    assert one(ruleset(), record([strike], entities=[police])).severity == "medium"


def test_steps_add_up_and_cap_at_critical() -> None:
    big = event(
        "Violence against civilians",
        killed=12,
        evidence="A Russian drone hit a bus, killing 12 passengers.",
    )
    match = one(ruleset("high", "{event_type: [Violence against civilians]}"),
                record([big], entities=[RU_FORCES]))  # fmt: skip
    assert match.severity == "critical"
    assert match.reason == (
        "Violence against civilians in Mali; 12 killed (+1); civilians targeted (+1); "
        "Russian state forces involved (+1) → critical"
    )


def test_rule_max_severity_caps_and_says_so() -> None:
    match = one(ruleset(extra="    max_severity: medium\n"), record([event("Battles", killed=80)]))
    assert match.severity == "medium"
    assert match.reason.endswith("80 killed (critical) → medium (rule maximum)")


def test_article_rules_weigh_the_primary_event() -> None:
    tagged = record([event("Battles", killed=20, location="Kidal")])
    match = one(ruleset(when="{countries: [ML]}"), tagged)
    assert match.scope == "article" and match.event is None
    assert match.reason == "Battles in Mali (Kidal); 20 killed (+1) → medium"
    no_event = one(ruleset(when="{countries: [ML]}"), record())
    assert no_event.reason == "story in Mali → low"


def test_a_file_without_a_policy_uses_the_packaged_one() -> None:
    text = "rules:\n  - {name: r, severity: low, when: {event_type: [Battles]}}\n"
    match = one(rules(text, flat=False), record([event("Battles", killed=60)]))
    assert match.severity == "critical"


def test_reasons_are_one_line() -> None:
    ev = event("Battles", killed=3, evidence="Line one.\nLine two.", location="Kidal\nregion")
    assert "\n" not in one(ruleset(), record([ev])).reason

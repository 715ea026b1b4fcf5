from pathlib import Path
from typing import Any

import pytest

from streams.alert.rules import RuleError, RuleSet, load_rules, parse_rules
from streams.analysis import classify_record, tag_record
from streams.seeds import load_seed_dir

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return load_rules()


@pytest.fixture(scope="module")
def tagged() -> dict[str, dict[str, Any]]:
    keys = ["mali", "bolton", "amn", "time", "wagner"]
    records = [tag_record(classify_record(a)) for a in load_seed_dir(SEEDS)]
    return dict(zip(keys, records, strict=True))


def _event(event_type: str, killed: int | None = None, **extra: Any) -> dict[str, Any]:
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


def _record(events: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    primary = events[0]["event_type"] if events else "None"
    return {
        "id": "t",
        "title": "T",
        "body": "Body text.",
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


def test_default_rules_include_the_required_ones(rules: RuleSet) -> None:
    severities = {r.name: r.severity for r in rules.rules}
    assert {
        "armed_clash": "high",
        "lethal_strike": "high",
        "civilians_targeted": "high",
        "foreign_forces_watch": "medium",
    }.items() <= severities.items()


def test_seed_alerts(rules: RuleSet, tagged: dict[str, dict[str, Any]]) -> None:
    fired = {k: [m.rule for m in rules.evaluate(t)] for k, t in tagged.items()}
    assert fired == {
        "mali": ["armed_clash", "foreign_forces_watch"],
        "bolton": [],
        "amn": ["lethal_strike"],
        "time": [],
        "wagner": ["foreign_forces_watch"],
    }


def test_seed_alert_reasons_and_events(rules: RuleSet, tagged: dict[str, dict[str, Any]]) -> None:
    [clash, watch] = rules.evaluate(tagged["mali"])
    assert clash.reason == "Battles in Mali (Kidal)"
    assert clash.event is not None and clash.event["evidence"].startswith("Several killed")
    assert watch.reason.endswith("named") and "Africa Corps" in watch.reason
    [strike] = rules.evaluate(tagged["amn"])
    assert strike.event is not None and strike.event["killed"] == 2
    assert strike.reason == "Explosions/Remote violence in Ukraine (Kherson); 2 killed"
    [wagner] = rules.evaluate(tagged["wagner"])
    assert wagner.event is not None and wagner.event["sub_type"] == "Change to group/activity"
    assert wagner.reason.startswith("Strategic developments in Mali;")
    assert "\n" not in clash.reason + watch.reason + strike.reason + wagner.reason


def test_min_killed_uses_event_then_article_toll(rules: RuleSet) -> None:
    strike = _event("Explosions/Remote violence")
    assert rules.evaluate(_record([strike])) == []
    assert [m.rule for m in rules.evaluate(_record([strike], killed=3))] == ["lethal_strike"]
    big = _event("Explosions/Remote violence", killed=40)
    assert [m.rule for m in rules.evaluate(_record([big]))] == ["mass_casualty", "lethal_strike"]


def test_low_confidence_background_events_do_not_fire(rules: RuleSet) -> None:
    assert rules.evaluate(_record([_event("Battles", confidence=0.4)])) == []


def test_article_level_conditions() -> None:
    ruleset = parse_rules(
        """
rules:
  - name: sahel_keyword
    severity: low
    countries_any: [ML, BF]
    keywords_any: [convoy]
    topics_any: [armed_conflict]
  - name: by_id
    severity: medium
    entities_any: ["wirewatch:wagner-group"]
  - name: not_here
    severity: low
    countries_any: [UA]
""",
        "inline.yaml",
    )
    record = _record(
        [],
        body="A convoy was ambushed.",
        entities=[
            {
                "id": "wirewatch:wagner-group",
                "name": "Wagner Group",
                "type": "organization",
                "country_code": "RU",
                "mentions": 1,
            }
        ],
    )
    matches = ruleset.evaluate(record)
    assert [(m.rule, m.event) for m in matches] == [("sahel_keyword", None), ("by_id", None)]
    assert matches[0].reason == "story in Mali; topic armed_conflict; keyword 'convoy'"
    assert matches[1].reason == "story in Mali; Wagner Group named"


def test_event_rule_checks_the_event_country() -> None:
    ruleset = parse_rules(
        "rules:\n  - {name: r, severity: low, event_types: [Battles], countries_any: [BF]}\n"
    )
    assert ruleset.evaluate(_record([_event("Battles")])) == []
    assert ruleset.evaluate(_record([_event("Battles", country_code="BF")]))


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("rules:\n  - name: a\n    severity: high\n   bad: [", "line 4: invalid YAML"),
        ("rules:\n  - name: a\n    severity: urgent\n", "line 2: rule 'a': severity must be"),
        ("rules:\n  - name: a\n    severity: low\n    colour: red\n", "unknown key 'colour'"),
        ("rules:\n  - {name: a, severity: low, event_types: [Skirmish]}\n", "'Skirmish'"),
        ("rules:\n  - {name: a, severity: low, min_killed: -1}\n", "min_killed"),
        ("rules:\n  - {name: a, severity: low}\n  - {name: a, severity: low}\n", "twice"),
        ("rules:\n  - {name: a, severity: low, countries_any: [Mali]}\n", "alpha-2"),
        ("rules: []\n", "no rules"),
        ("- just a list\n", "'rules' list"),
    ],
)
def test_broken_rule_files_raise_one_line_errors(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(text, "utf-8")
    with pytest.raises(RuleError) as info:
        load_rules(path)
    message = str(info.value)
    assert message.startswith(str(path)) and problem in message
    assert "\n" not in message


def test_missing_rules_file(tmp_path: Path) -> None:
    with pytest.raises(RuleError, match="cannot read rules file"):
        load_rules(str(tmp_path / "nope.yaml"))

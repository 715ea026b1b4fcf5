"""The packaged rules on the seed articles, and the rule book's public surface."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from streams.alert.rules import RuleMatch, RuleSet, load_rules
from streams.analysis import analyze
from streams.seeds import load_seed_dir

from .rule_helpers import event, fired, record

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
TITLES = {
    "mali": "Several killed as separatists clash",
    "hill": "Bolton: Trump-Putin summit",
    "amn": "Trump, Putin To Meet In Alaska",
    "time": "Zelensky Rejects Trump's Suggestion",
    "wagner": "Wagner Group to End Operations in Mali",
}
HIGH_OR_CRITICAL = {"high", "critical"}


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return load_rules()


@pytest.fixture(scope="module")
def seeds(rules: RuleSet) -> dict[str, dict[str, RuleMatch]]:
    out: dict[str, dict[str, RuleMatch]] = {}
    for article in load_seed_dir(SEEDS):
        tagged = analyze(article, rules)
        [key] = [k for k, title in TITLES.items() if tagged["title"].startswith(title)]
        out[key] = {m.rule: m for m in rules.evaluate(tagged)}
        assert list(out[key]) == tagged["alerts"]
    return out


def test_default_rules(rules: RuleSet) -> None:
    severities = {r.name: r.severity for r in rules.rules}
    assert severities == {
        "mass_casualty": "critical",
        "armed_clash": "high",
        "lethal_strike": "high",
        "civilians_targeted": "high",
        "foreign_forces_watch": "medium",
        "jihadist_violence": "medium",
        "protest_crackdown": "medium",
        "unrest": "low",
        "leaders_summit": "low",
    }
    assert {"russian_forces_africa", "great_power_leaders"} <= set(rules.watchlists)


def test_mali_clash(seeds: dict[str, dict[str, RuleMatch]]) -> None:
    clash = seeds["mali"]["armed_clash"]
    assert clash.severity in HIGH_OR_CRITICAL and clash.scope == "event"
    assert clash.reason.startswith("Battles in Mali (Kidal")
    assert clash.event is not None and clash.event["evidence"].startswith("Several killed")
    watch = seeds["mali"]["foreign_forces_watch"]
    assert "Africa Corps" in watch.reason and "Wagner Group" in watch.reason


def test_american_military_news_strike_and_summit(seeds: dict[str, dict[str, RuleMatch]]) -> None:
    strike = seeds["amn"]["lethal_strike"]
    assert strike.scope == "event" and strike.severity in HIGH_OR_CRITICAL
    assert strike.event is not None and strike.event["killed"] == 2
    assert strike.event["location"] == "Kherson"
    assert strike.reason.startswith("Explosions/Remote violence in Ukraine (Kherson); 2 killed")
    assert "civilians targeted (+1)" in strike.reason
    assert seeds["amn"]["leaders_summit"].severity == "low"


@pytest.mark.parametrize("key", ["hill", "time", "amn"])
def test_leaders_summit(seeds: dict[str, dict[str, RuleMatch]], key: str) -> None:
    summit = seeds[key]["leaders_summit"]
    assert summit.scope == "article" and summit.severity == "low"
    assert "Donald Trump" in summit.reason and "Vladimir Putin" in summit.reason
    assert "keyword" in summit.reason


def test_wagner_withdrawal(seeds: dict[str, dict[str, RuleMatch]]) -> None:
    watch = seeds["wagner"]["foreign_forces_watch"]
    assert watch.severity in {"medium", "high", "critical"}
    assert watch.reason.startswith("Strategic developments in Mali;")
    assert watch.event is not None and watch.event["sub_type"] == "Change to group/activity"


def test_seed_reasons_are_one_line_and_end_with_the_severity(
    seeds: dict[str, dict[str, RuleMatch]],
) -> None:
    for matches in seeds.values():
        for m in matches.values():
            assert "\n" not in m.reason and m.reason.endswith(f"→ {m.severity}")


def test_no_seed_alerts_on_the_quiet_parts(seeds: dict[str, dict[str, RuleMatch]]) -> None:
    assert set(seeds["hill"]) == {"leaders_summit"}
    assert set(seeds["time"]) == {"leaders_summit"}


def test_packaged_rules_on_small_records(rules: RuleSet) -> None:
    strike = event("Explosions/Remote violence")
    assert fired(rules, record([strike])) == []
    assert fired(rules, record([strike], killed=3)) == ["lethal_strike"]
    big = event("Explosions/Remote violence", killed=40)
    assert fired(rules, record([big])) == ["mass_casualty", "lethal_strike"]
    assert fired(rules, record([event("Battles", confidence=0.4)])) == []
    crackdown = event("Protests", sub_type="Excessive force against protesters")
    assert fired(rules, record([crackdown])) == ["protest_crackdown"]
    jnim = {"id": "wirewatch:jnim", "name": "JNIM", "type": "organization", "country_code": "ML"}
    assert fired(rules, record([event("Battles")], entities=[jnim])) == [
        "armed_clash",
        "jihadist_violence",
    ]


def test_evaluate_accepts_sparse_records(rules: RuleSet) -> None:
    sparse: dict[str, Any] = {"id": "x", "body": "Nothing here."}
    assert rules.evaluate(sparse) == []

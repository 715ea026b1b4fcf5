"""Every leaf and combinator of the rule language, on small hand-made records."""

from __future__ import annotations

import pytest

from streams.alert.article import haversine_km

from .rule_helpers import entity, event, fired, one, record, rules

WAGNER = entity("Wagner Group", id_="wirewatch:wagner-group", cc="RU")
KIDAL = entity("Kidal", "location", "wirewatch:kidal", "ML")
GAO = entity("Gao", "location", "wirewatch:gao", "ML")


def rule(when: str, extra: str = "") -> str:
    return f"{extra}rules:\n  - name: r\n    severity: low\n    when: {when}\n"


def test_event_type_and_sub_type_are_checked_per_event() -> None:
    ruleset = rules(rule("{event_type: [Battles], sub_type: [Armed clash]}"))
    assert fired(ruleset, record([event("Battles", sub_type="Armed clash")])) == ["r"]
    assert fired(ruleset, record([event("Battles", sub_type="Government regains territory")])) == []
    # Type from one event and sub-type from another do not combine.
    mixed = [event("Battles"), event("Protests", sub_type="Armed clash")]
    assert fired(ruleset, record(mixed)) == []


def test_event_scope_reports_the_first_event_that_passes() -> None:
    ruleset = rules(rule("{event_type: [Battles]}"))
    second = event("Battles", location="Kidal", evidence="Fighting in Kidal.")
    match = one(ruleset, record([event("Protests"), second]))
    assert match.scope == "event"
    assert match.event is not None and match.event["evidence"] == "Fighting in Kidal."


def test_min_killed_uses_the_event_toll_then_the_article_toll_for_the_primary() -> None:
    ruleset = rules(rule("{min_killed: 3}"))
    assert fired(ruleset, record([event("Battles", killed=2)])) == []
    assert fired(ruleset, record([event("Battles", killed=3)])) == ["r"]
    match = one(ruleset, record([event("Battles")], killed=5))
    assert match.event is not None and match.event["killed"] == 5
    # Only the primary event carries the article's toll.
    assert fired(ruleset, record([event("Protests"), event("Battles")], killed=5)) == ["r"]


def test_primary_event_is_built_from_the_article_when_events_lack_it() -> None:
    ruleset = rules(rule("{event_type: [Riots]}"))
    tagged = record([], event_type="Riots", event_subtype="Mob violence", title="Mob in Gao")
    match = one(ruleset, tagged)
    assert match.event is not None and match.event["evidence"] == "Mob in Gao"


def test_min_confidence_leaf_and_default() -> None:
    explicit = rules(rule("{event_type: [Battles], min_confidence: 0.9}"))
    assert fired(explicit, record([event("Battles")])) == []
    assert fired(explicit, record([event("Battles", confidence=0.95)])) == ["r"]
    defaulted = rules(rule("{event_type: [Battles]}", "defaults: {min_confidence: 0.5}\n"))
    assert fired(defaulted, record([event("Battles", confidence=0.4)])) == []
    # The default guards event rules only: an article rule ignores it.
    article = rules(rule("{countries: [ML]}", "defaults: {min_confidence: 0.99}\n"))
    assert fired(article, record([event("Battles", confidence=0.1)])) == ["r"]


def test_topics() -> None:
    ruleset = rules(rule("{topics: [diplomacy, terrorism]}"))
    assert fired(ruleset, record()) == []
    match = one(ruleset, record(topics=["terrorism", "armed_conflict"]))
    assert match.scope == "article" and match.event is None
    assert "topic terrorism" in match.reason


def test_entities_by_name_id_and_alias() -> None:
    tagged = record(entities=[WAGNER])
    for spec in ("Wagner Group", "wirewatch:wagner-group", "Wagner", "PMC Wagner", "wagner group"):
        assert fired(rules(rule(f"{{entities: [{spec}]}}")), tagged) == ["r"], spec
    assert fired(rules(rule("{entities: [Africa Corps]}")), tagged) == []
    assert "Wagner Group named" in one(rules(rule("{entities: [Wagner]}")), tagged).reason


def test_entities_not_in_the_knowledge_base_match_by_normalised_name() -> None:
    tagged = record(entities=[entity("Rida  Lyammouri", "person")])
    assert fired(rules(rule("{entities: [rida lyammouri]}")), tagged) == ["r"]


def test_countries_use_the_event_country_when_event_scoped() -> None:
    article = rules(rule("{countries: [BF]}"))
    assert fired(article, record(countries=["ML", "BF"])) == ["r"]
    scoped = rules(rule("{event_type: [Battles], countries: [BF]}"))
    assert fired(scoped, record([event("Battles")], countries=["ML", "BF"])) == []
    assert fired(scoped, record([event("Battles", country_code="BF")])) == ["r"]


def test_admin1_from_places_in_the_knowledge_base() -> None:
    ruleset = rules(rule("{admin1: [kidal]}"))
    assert fired(ruleset, record(entities=[GAO])) == []
    match = one(ruleset, record(entities=[GAO, KIDAL]))
    assert "Kidal in Kidal region" in match.reason
    # An event location counts as a place of the article too.
    assert fired(ruleset, record([event("Battles", location="Tinzaouaten")])) == ["r"]


def test_near_uses_haversine_over_places_and_event_locations() -> None:
    assert haversine_km(16.27, -0.04, 18.44, 1.41) == pytest.approx(287, abs=2)
    near_gao = rules(rule("{near: {lat: 16.27, lon: -0.04, radius_km: 250}}"))
    assert fired(near_gao, record(entities=[KIDAL])) == []
    assert fired(near_gao, record(entities=[GAO])) == ["r"]
    wide = rules(rule("{near: {lat: 16.27, lon: -0.04, radius_km: 300}}"))
    assert "Kidal within 300 km" in one(wide, record(entities=[KIDAL])).reason
    assert fired(wide, record([event("Battles", location="Kidal")])) == ["r"]
    by_place = rules(rule("{near: {place: Gao, radius_km: 10}}"))
    assert fired(by_place, record(entities=[GAO])) == ["r"]


def test_near_an_event_scoped_rule_looks_at_the_event_location() -> None:
    ruleset = rules(rule("{event_type: [Battles], near: {lat: 16.27, lon: -0.04, radius_km: 50}}"))
    far = event("Battles", location="Kidal")
    assert fired(ruleset, record([far], entities=[GAO])) == []
    assert fired(ruleset, record([far, event("Battles", location="Gao")])) == ["r"]


def test_keywords_are_whole_words_case_insensitive_in_title_and_body() -> None:
    ruleset = rules(rule("{keywords: [convoy, peace deal]}"))
    assert fired(ruleset, record(body="The convoys moved.")) == []
    assert "keyword 'Convoy'" in one(ruleset, record(title="Convoy ambushed")).reason
    assert fired(ruleset, record(body="A new peace\ndeal was signed.")) == ["r"]


def test_source_is_case_insensitive() -> None:
    ruleset = rules(rule("{source: [the hill, Reuters]}"))
    assert fired(ruleset, record(source="The Hill")) == ["r"]
    assert fired(ruleset, record(source="Time")) == []
    assert fired(ruleset, record(source=None)) == []


def test_a_bare_mapping_means_all_of_its_leaves() -> None:
    ruleset = rules(rule("{countries: [ML], topics: [diplomacy]}"))
    assert fired(ruleset, record()) == []
    assert fired(ruleset, record(topics=["diplomacy"])) == ["r"]


def test_all_any_not() -> None:
    when = """
      all:
        - any: [{countries: [BF]}, {keywords: [convoy]}]
        - not: {source: [Spam Weekly]}
"""
    ruleset = rules(rule(when))
    assert fired(ruleset, record()) == []
    assert fired(ruleset, record(body="A convoy.")) == ["r"]
    assert fired(ruleset, record(countries=["BF"])) == ["r"]
    assert fired(ruleset, record(countries=["BF"], source="spam weekly")) == []


def test_not_of_an_event_leaf_is_event_scoped() -> None:
    ruleset = rules(rule("{not: {event_type: [Protests]}, countries: [ML]}"))
    match = one(ruleset, record([event("Protests"), event("Battles")]))
    assert match.scope == "event" and match.event is not None
    assert match.event["event_type"] == "Battles"


def test_evidence_inside_not_is_not_reported() -> None:
    ruleset = rules(rule("{topics: [armed_conflict], not: {keywords: [football]}}"))
    assert "football" not in one(ruleset, record()).reason


WATCH = """watchlists:
  russians: {entities: [Wagner, Africa Corps, Russian Armed Forces]}
  sahel: {places: [Kidal, {near: [16.27, -0.04], radius_km: 50}], admin1: [Mopti]}
"""


def test_watchlist_of_entities_with_min() -> None:
    any_one = rules(rule("{watchlist: russians}", WATCH))
    two = rules(rule("{watchlist: {name: russians, min: 2}}", WATCH))
    corps = entity("Africa Corps", id_="wirewatch:africa-corps", cc="RU")
    assert fired(any_one, record()) == []
    assert fired(any_one, record(entities=[WAGNER])) == ["r"]
    assert fired(two, record(entities=[WAGNER])) == []
    # The same entity twice is still one member.
    assert fired(two, record(entities=[WAGNER, dict(WAGNER)])) == []
    match = one(two, record(entities=[corps, WAGNER]))
    assert "Africa Corps, Wagner Group named" in match.reason


def test_watchlist_of_places_areas_and_regions() -> None:
    ruleset = rules(rule("{watchlist: sahel}", WATCH))
    assert fired(ruleset, record(entities=[entity("Bamako", "location")])) == []
    assert "Kidal on sahel" in one(ruleset, record(entities=[KIDAL])).reason
    assert fired(ruleset, record(entities=[GAO])) == ["r"]  # inside the area
    boulikessi = entity("Boulikessi", "location", "wirewatch:boulikessi", "ML")
    assert fired(ruleset, record(entities=[boulikessi])) == ["r"]  # admin1 Mopti
    two = rules(rule("{watchlist: {name: sahel, min: 2}}", WATCH))
    assert fired(two, record(entities=[KIDAL])) == []
    assert fired(two, record(entities=[KIDAL, GAO])) == ["r"]

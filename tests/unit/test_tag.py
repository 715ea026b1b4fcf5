from pathlib import Path
from typing import Any

import pytest

from streams.classify.classifier import classify
from streams.seeds import load_seed_dir
from streams.tag.gazetteer import Record, load_gazetteer
from streams.tag.kb import KB, add_entities
from streams.tag.tagger import Tagging, tag

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def _tag(article: dict[str, Any]) -> Tagging:
    c = classify(article["title"], article["body"]).to_record()
    return tag(article["title"], article["body"], c["events"], c["event_type"])


@pytest.fixture(scope="module")
def seeds() -> dict[str, Tagging]:
    keys = ["mali", "bolton", "amn", "time", "wagner"]
    return {k: _tag(a) for k, a in zip(keys, load_seed_dir(SEEDS), strict=True)}


def _by_name(t: Tagging) -> dict[str, Any]:
    return {e.name: e for e in t.entities}


def test_mali_clash_entities_and_countries(seeds: dict[str, Tagging]) -> None:
    t = seeds["mali"]
    names = _by_name(t)
    for name in (
        "Kidal",
        "Mali",
        "Africa Corps",
        "Military Forces of Mali",
        "Azawad Liberation Front",
        "Wagner Group",
        "Government of Russia",
    ):
        assert name in names, name
    assert names["Africa Corps"].mentions == 3  # "African Corps" is a spelling variant
    assert names["Kidal"].type == "location" and names["Kidal"].country_code == "ML"
    assert names["Mali"].id == "Q912" and names["Mali"].type == "country"
    assert names["Mohamed Maouloud Ramadan"].id is None
    assert names["Mohamed Maouloud Ramadan"].type == "person"
    assert t.countries[0] == "ML" and t.primary_country == "ML"
    assert {"RU", "US"} <= set(t.countries)
    # "Several killed" is not a count; the separatists' admission of three dead is.
    assert t.killed == 3


def test_claimed_figures_are_kept_apart(seeds: dict[str, Tagging]) -> None:
    claim = next(e for e in seeds["mali"].events if "'dozens'" in e["evidence"])
    assert claim["killed"] is None and claim["claimed_killed"] == 12


def test_summit_story_strike_enrichment(seeds: dict[str, Tagging]) -> None:
    t = seeds["amn"]
    names = _by_name(t)
    assert names["Volodymyr Zelenskyy"].id == "Q3881194"
    assert names["Vladimir Putin"].id == "Q7747" and names["Donald Trump"].id == "Q22686"
    assert {"Kherson", "Pokrovsk", "Chasiv Yar", "Crimea", "Alaska", "Moscow", "Kyiv"} <= set(names)
    assert {"Brett McGurk", "Oxana Shevel", "Jeanne Shaheen"} <= set(names)
    assert {"UA", "RU", "US"} <= set(t.countries[:3])
    strike = t.events[0]
    assert strike["event_type"] == "Explosions/Remote violence"
    assert (strike["killed"], strike["wounded"]) == (2, 16)
    assert (strike["location"], strike["country_code"]) == ("Kherson", "UA")
    # The follow-up "double tap" sentence names no place: it continues the strike.
    assert t.events[1]["location"] == "Kherson"
    assert t.killed is None  # the article's own story (the summit) has no toll


def test_zelensky_spellings_resolve_to_one_entity(seeds: dict[str, Tagging]) -> None:
    names = _by_name(seeds["time"])
    assert names["Volodymyr Zelenskyy"].mentions >= 6
    assert not any("Zelensky" in n for n in names if n != "Volodymyr Zelenskyy")
    assert seeds["time"].countries[0] == "UA"


def test_wagner_article(seeds: dict[str, Tagging]) -> None:
    t = seeds["wagner"]
    names = _by_name(t)
    assert {"Wagner Group", "Africa Corps", "Boulikessi", "Central African Republic"} <= set(names)
    assert names["Boulikessi"].country_code == "ML"
    assert t.primary_country == "ML" and "CF" in t.countries and "FR" in t.countries
    boulikessi = next(e for e in t.events if "Boulikessi" in e["evidence"])
    assert (boulikessi["killed"], boulikessi["location"]) == (30, "Boulikessi")


def test_demonyms_count_towards_countries() -> None:
    t = tag("", "A Ukrainian official met Russian envoys.", [])
    assert set(t.countries) == {"UA", "RU"}
    assert {e.name for e in t.entities} == {"Ukraine", "Russia"}


def test_record_shape() -> None:
    events = [
        {
            "event_type": "Battles",
            "sub_type": "Armed clash",
            "confidence": 0.8,
            "evidence": "Troops clashed with rebels in Kidal, killing five fighters.",
        }
    ]
    record = tag("Clash in Kidal", events[0]["evidence"], events, "Battles").to_record()
    assert set(record) == {
        "entities",
        "countries",
        "primary_country",
        "primary_location",
        "killed",
        "wounded",
        "events",
    }
    assert {"id", "name", "type", "country_code", "mentions", "linked"} <= set(
        record["entities"][0]
    )
    assert record["killed"] == 5 and record["primary_country"] == "ML"
    assert record["events"][0]["location"] == "Kidal"
    assert events[0].get("killed") is None  # input events are not mutated


def test_gazetteer_matching_rules() -> None:
    gaz = load_gazetteer()
    found = [
        (m.text, m.record.name)
        for m in gaz.find(
            "Malibu wagner fans told us the US and Wagner met in Chasiv Yar; Malians cheered."
        )
    ]
    assert found == [
        ("US", "United States"),
        ("Wagner", "Wagner Group"),
        ("Chasiv Yar", "Chasiv Yar"),
        ("Malians", "Mali"),
    ]


def test_non_ascii_letters_and_punctuation() -> None:
    gaz = load_gazetteer()
    found = [
        m.record.name for m in gaz.find("Goïta met members of Africa Corps—a group—in Ménaka.")
    ]
    assert found == ["Assimi Goïta", "Africa Corps", "Menaka"]


def test_alias_naming_two_records_is_rejected() -> None:
    entities = {
        "entities": [
            {"name": "Alpha", "type": "organization", "aliases": ["AX"]},
            {"name": "Beta", "type": "organization", "aliases": ["AX"]},
        ]
    }
    with pytest.raises(ValueError, match="AX"):
        add_entities(KB(), entities)


def test_unlinked_people_are_picked_up_from_context() -> None:
    t = tag(
        "",
        "Spokesman Ali Hassan said calm returned, according to Amina Yusuf. Hassan added nothing.",
        [],
    )
    people = {e.name: e for e in t.entities if e.type == "person"}
    assert set(people) == {"Ali Hassan", "Amina Yusuf"}
    assert people["Ali Hassan"].mentions == 2 and people["Ali Hassan"].id is None


def test_an_apposition_names_an_organisation_with_a_country_inside() -> None:
    t = tag("", "Hami Nepal, the group that organised the protest, urged calm.", [])
    orgs = {e.name for e in t.entities if e.type == "organization"}
    assert orgs == {"Hami Nepal"}
    # "a member of the group" says what the person is, not that the name is a group.
    t = tag("", "Ram Nepal Thapa, a member of the group, was arrested.", [])
    assert not [e for e in t.entities if e.type == "organization"]


def test_an_organisation_name_goes_on_after_its_acronym() -> None:
    t = tag("", "The Electoral Commission (EC) of Ghana declared the result on Monday.", [])
    orgs = {e.name for e in t.entities if e.type == "organization"}
    assert orgs == {"Electoral Commission of Ghana"}


def test_record_type_is_hashable_for_grouping() -> None:
    assert len({Record("x", "X", "location"), Record("x", "X", "location")}) == 1


def test_issue_goals_for_the_mali_and_wagner_seeds() -> None:
    from streams.analysis import analyze

    mali, *_, wagner = (analyze(a) for a in load_seed_dir(SEEDS))
    assert (mali["event_type"], mali["event_subtype"]) == ("Battles", "Armed clash")
    assert mali["primary_location"]["name"] == "Kidal" and mali["primary_country"] == "ML"
    linked = {e["name"] for e in mali["entities"] if e["linked"]}
    # Under the names of tests/eval/GUIDELINES.md: the Malian army under its state label,
    # the Azawad separatists under their front's English Wikipedia title.
    seeded = {"Africa Corps", "Military Forces of Mali", "Azawad Liberation Front", "Wagner Group"}
    assert seeded <= linked
    assert (wagner["event_type"], wagner["event_subtype"]) == (
        "Strategic developments",
        "Change to group/activity",
    )
    named = {e["name"] for e in wagner["entities"]}
    assert {"Boulikessi", "Central African Republic"} <= named


def test_place_keys_follow_the_place_record() -> None:
    # enrich_events copies places by these keys: they must stay those of _place, in order.
    from streams.tag.events import _PLACE_KEYS, _place

    assert tuple(_place(None, None)) == _PLACE_KEYS


def test_an_entity_listed_twice_is_rejected() -> None:
    entities = {
        "entities": [
            "Alpha | organization | | | armed_group | AX",
            "Alpha | organization | | | armed_group | AX, Alpha Front",
        ]
    }
    with pytest.raises(ValueError, match="'Alpha' is listed twice"):
        add_entities(KB(), entities)

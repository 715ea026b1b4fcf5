"""Entity linking in context, geography, demonyms, renames and casualty conventions."""

from typing import Any

import pytest

from streams.tag.casualties import extract_casualties
from streams.tag.kb import load_kb
from streams.tag.tagger import Tagging, tag


def _tag(body: str, title: str = "", **kwargs: Any) -> Tagging:
    return tag(title, body, [], **kwargs)


def _entities(t: Tagging) -> dict[str, dict[str, Any]]:
    return {e.name: e.to_record() for e in t.entities}


def test_georgia_is_the_country_in_a_caucasus_story() -> None:
    t = _tag(
        "Protesters gathered in Tbilisi as the Georgian government suspended EU talks. "
        "Georgia's parliament met on Friday."
    )
    names = _entities(t)
    assert names["Georgia"]["type"] == "country" and "GE" in t.countries


def test_georgia_is_the_us_state_in_an_american_story() -> None:
    t = _tag(
        "The governor of Georgia spoke in Atlanta. Voters in the United States and in "
        "Texas watched the race."
    )
    names = _entities(t)
    assert names["Georgia"]["type"] == "location" and names["Georgia"]["country_code"] == "US"
    assert "GE" not in t.countries


def test_chad_the_first_name_and_chad_the_country() -> None:
    person = _tag("Quarterback Chad Kelly agreed a contract extension with the club.")
    assert "TD" not in person.countries
    assert "Chad Kelly" in _entities(person)
    country = _tag("Chad announced the withdrawal of French troops from its territory.")
    assert "TD" in country.countries


def test_washington_city_and_person() -> None:
    city = _tag("Talks were held in Washington and Doha between the two delegations.")
    assert _entities(city)["Washington"]["country_code"] == "US"
    person = _tag("The actress Kerry Washington attended the premiere.")
    assert "Washington" not in _entities(person)


def test_aliases_and_spelling_variants_link_to_one_record() -> None:
    t = _tag(
        "Zelensky met Zelenskyy's advisers. FAMa and the Malian army said the Kremlin "
        "and Wagner were involved."
    )
    names = _entities(t)
    assert names["Volodymyr Zelenskyy"]["mentions"] == 2
    assert names["Volodymyr Zelenskyy"]["id"] == "Q3881194"
    assert names["Military Forces of Mali"]["mentions"] == 2
    assert {"Government of Russia", "Wagner Group"} <= set(names)


def test_demonyms_name_countries_and_template_organisations() -> None:
    t = _tag("A Ukrainian official met Russian envoys; the Tanzanian police dispersed crowds.")
    assert {"UA", "RU", "TZ"} <= set(t.countries)
    assert "Police Forces of Tanzania" in _entities(t)
    # A named police force is written under its country's state label, with its id.
    kenya = _entities(_tag("In Nairobi the Kenyan police dispersed crowds."))
    police = kenya["Police Forces of Kenya"]
    assert police["kind"] == "state_forces" and police["linked"] is True


def test_dated_rename_of_wagner_in_africa() -> None:
    body = "Wagner fighters left Mali, where they had fought since 2021."
    after = _entities(_tag(body, published_at="2025-06-07"))["Wagner Group"]
    assert after["successor"]["name"] == "Africa Corps"
    before = _entities(_tag(body, published_at="2022-01-01"))["Wagner Group"]
    assert "successor" not in before
    elsewhere = _entities(_tag("Wagner fighters fought in Bakhmut, Ukraine."))["Wagner Group"]
    assert "successor" not in elsewhere


def test_geography_of_places() -> None:
    t = _tag(
        "Fighting was reported in Maiduguri and near Kidal, in Mali's Kidal region, "
        "Nigeria and Mali said."
    )
    names = _entities(t)
    maiduguri = names["Maiduguri"]
    assert (maiduguri["country_code"], maiduguri["admin1"]) == ("NG", "Borno")
    assert maiduguri["lat"] == pytest.approx(11.85, abs=0.1)
    assert maiduguri["geo_precision"] == 1
    assert names["Kidal"]["geo_precision"] == 2  # "near Kidal"
    assert names["Kidal Region"]["geo_precision"] == 3


def test_primary_location_and_event_place() -> None:
    events = [
        {
            "event_type": "Battles",
            "sub_type": "Armed clash",
            "confidence": 0.8,
            "evidence": "Rebels clashed with troops near Gao, killing five soldiers.",
        }
    ]
    t = tag("Clash in Mali", events[0]["evidence"], events, "Battles")
    assert t.primary_location is not None and t.primary_location["name"] == "Gao"
    assert t.primary_location["geo_precision"] == 2 and t.primary_location["country_code"] == "ML"
    assert t.events[0]["admin1"] == "Gao" and t.killed == 5


def test_unlinked_people_and_organisations() -> None:
    t = _tag(
        "Rida Lyammouri, a Sahel expert at the Policy Center for the New South, said "
        "clashes continued. Lyammouri added that Merseyside Police were not involved."
    )
    names = _entities(t)
    assert names["Rida Lyammouri"]["linked"] is False and names["Rida Lyammouri"]["mentions"] == 2
    assert names["Policy Center for the New South"]["type"] == "organization"
    assert names["Police Forces of the United Kingdom"]["type"] == "organization"


def test_news_outlets_are_sources() -> None:
    names = _entities(_tag("Three people were killed, the Associated Press reported."))
    assert names["Associated Press"]["role"] == "source"


@pytest.mark.parametrize(
    ("sentence", "killed", "claimed"),
    [
        ("Eritrean soldiers killed 19 civilians, locals claim.", 19, False),
        ("ISIL claimed responsibility for a bombing that killed at least six people.", 6, False),
        ("Ethiopia's military said its troops killed more than 300 fighters.", 300, True),
        ("The attack claimed the lives of twenty-three people.", 23, False),
        ("A drone strike killed three people in the border region.", 3, False),
        ("Dozens were killed and tens were injured.", 12, False),
    ],
)
def test_casualty_claims_and_conventions(sentence: str, killed: int, claimed: bool) -> None:
    figures = extract_casualties(sentence)
    assert (figures.killed, figures.claimed) == (killed, claimed)


def test_knowledge_base_is_broad() -> None:
    kb = load_kb()
    assert len(kb.countries) >= 249
    names = {e.record.name for e in kb.entries if e.record.type in ("person", "organization")}
    for actor in (
        "Rapid Support Forces",
        "March 23 Movement",
        "Al-Shabaab",
        "Jama'at Nusrat al-Islam wal-Muslimin",
        "Boko Haram",
        "Fano",
        "Hamas",
        "Houthis",
        "Arakan Army",
        "Viv Ansanm",
        "National Liberation Army",
        "Africa Corps",
    ):
        assert actor in names, actor


def test_a_generic_force_is_of_the_country_written_right_before_it() -> None:
    t = _tag(
        "Houthi rebels in Yemen fired a missile at a ship off Yemen's coast, the US military "
        "said. Yemen's Houthis said they would go on."
    )
    names = _entities(t)
    assert "Military Forces of the United States" in names
    assert "Military Forces of Yemen" not in names


def test_a_generic_word_qualifying_a_noun_names_no_force() -> None:
    t = _tag(
        "In Mali, men in military garb stormed a village near a military zone. Mali has "
        "seen military coups since 2020."
    )
    assert "Military Forces of Mali" not in _entities(t)
    acting = _tag("In Mali, the military said on Sunday it had repelled an attack.")
    assert "Military Forces of Mali" in _entities(acting)


def test_the_junta_is_the_government_of_the_country_the_story_is_about() -> None:
    t = _tag(
        "Gunmen killed eight civilians in central Mali. The military junta, which seized "
        "power in 2020, has not commented."
    )
    assert "Government of Mali" in _entities(t)
    state = _tag("After decades of conflict with the Turkish state, the PKK disbanded.")
    assert "Government of Turkey" in _entities(state)


def test_a_seat_of_government_is_a_place_after_at_the() -> None:
    place = _tag("President Trump announced at the White House that he would meet Putin.")
    assert "Government of the United States" not in _entities(place)
    actor = _tag("The White House said the summit would go ahead, Trump told reporters.")
    assert "Government of the United States" in _entities(actor)


def test_an_administration_named_after_its_leader_names_the_leader() -> None:
    t = _tag("The Trump administration has led mediation between Rwanda and Congo.")
    names = _entities(t)
    assert "Government of the United States" in names and "Donald Trump" in names


def test_a_found_name_spelled_loosely_links_to_the_knowledge_base() -> None:
    t = _tag(
        "Wazalendo and the Armed Forces of Democratic Republic of Congo regained control of "
        "Mweso in North Kivu."
    )
    record = _entities(t)["Military Forces of the Democratic Republic of the Congo"]
    assert record["linked"] is True


def test_a_known_persons_one_word_alias_opening_a_longer_name_is_someone_else() -> None:
    names = _entities(
        _tag(
            "The bomb hit a patrol in Wadi al-Shay, Abbas al-Obaidi told reporters. A strike "
            "killed Gen. Qassem Soleimani and a militia leader."
        )
    )
    assert "Mahmoud Abbas" not in names and "Naim Qassem" not in names
    assert names["Abbas al-Obaidi"]["type"] == "person"
    assert names["Qassem Soleimani"]["type"] == "person"


def test_a_known_organisation_at_the_end_of_a_longer_name_is_not_linked() -> None:
    names = _entities(_tag("Fighting went on with the Karen National Liberation Army."))
    assert "National Liberation Army" not in names
    assert names["Karen National Liberation Army"]["type"] == "organization"


@pytest.mark.parametrize(
    ("body", "found"),
    [
        (
            "A drone hit a mill at Mai Tsebri on Monday. Abdiqadir Mohamed Nor, the governor "
            "of the region, said 17 died. Brig Gen Onyema Nwachukwu could not be reached.",
            {
                "Mai Tsebri": "location",
                "Abdiqadir Mohamed Nor": "person",
                "Onyema Nwachukwu": "person",
            },
        ),
        (  # roles that introduce people no list holds
            "Also present was the South African mediator Kingsley Mamabolo. He held talks "
            "with his counterpart FM Salahuddin Rabbani.",
            {"Kingsley Mamabolo": "person", "Salahuddin Rabbani": "person"},
        ),
    ],
)
def test_names_found_from_their_context(body: str, found: dict[str, str]) -> None:
    names = _entities(_tag(body))
    assert {name: names[name]["type"] for name in found if name in names} == found


def test_a_place_inside_a_person_s_name_is_part_of_the_name() -> None:
    t = _tag(
        "The goal came long after Lucas Moura's effort for Tottenham. Substitute Jordan "
        "Siebatcheu scored the winner. Gunmen attacked Moura in central Mali."
    )
    names = _entities(t)
    assert names["Lucas Moura"]["type"] == "person"
    assert names["Jordan Siebatcheu"]["type"] == "person"
    assert "JO" not in t.countries
    assert names["Moura"]["type"] == "location"  # on its own, still the town

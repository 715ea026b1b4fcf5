import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from streams.alert.rules import parse_rules
from streams.analysis import analyze, classify_record, match_rules, tag_record
from streams.ids import article_id
from streams.seeds import load_seed_dir

ROOT = Path(__file__).resolve().parents[2]
SEED_ARTICLES = load_seed_dir(ROOT / "seeds")


def _validator(name: str) -> Draft202012Validator:
    schema = json.loads((ROOT / "schemas" / name).read_text("utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _as_agent_would(record: dict[str, Any]) -> dict[str, Any]:
    return {**record, "ingested_at": 1_700_000_000.0, "stages": {"classify": 1_700_000_000.5}}


@pytest.mark.parametrize("raw", SEED_ARTICLES, ids=lambda a: a["title"][:30])
def test_every_seed_matches_the_tagged_contract(raw: dict[str, Any]) -> None:
    record = analyze(raw)
    errors = sorted(_validator("article.tagged.json").iter_errors(_as_agent_would(record)), key=str)
    assert errors == []
    classified = classify_record(raw)
    assert (
        list(_validator("article.classified.json").iter_errors(_as_agent_would(classified))) == []
    )
    assert list(_validator("article.raw.json").iter_errors(raw)) == []


def test_seed_summary() -> None:
    got = [
        (r["event_type"], r["primary_country"], r["killed"], r["alerts"])
        for r in map(analyze, SEED_ARTICLES)
    ]
    assert got == [
        ("Battles", "ML", 3, ["armed_clash", "foreign_forces_watch"]),
        ("None", "RU", None, ["leaders_summit"]),
        # The summit story is told from Ukraine's side: UA is its most salient country.
        ("None", "UA", None, ["lethal_strike", "leaders_summit"]),
        ("None", "UA", None, ["leaders_summit"]),
        ("Strategic developments", "ML", None, ["foreign_forces_watch"]),
    ]


def test_stage_functions_keep_raw_keys_and_leave_agent_fields_alone() -> None:
    raw = {
        "title": "<b>Clashes</b> in Kidal",
        "body": "Rebels clashed with troops near Kidal, killing 4 soldiers.\nHashtags",
        "lang": "en",
        "source": "AP",
    }
    classified = classify_record(raw)
    assert classified["lang"] == "en" and classified["source"] == "AP"
    assert classified["title"] == "Clashes in Kidal"
    assert classified["body"] == "Rebels clashed with troops near Kidal, killing 4 soldiers."
    assert classified["id"] == article_id("Clashes in Kidal", classified["body"])
    assert "ingested_at" not in classified and "stages" not in classified
    assert raw["title"] == "<b>Clashes</b> in Kidal"  # input untouched
    tagged = tag_record({**classified, "stages": {"classify": 1.0}})
    assert tagged["stages"] == {"classify": 1.0} and tagged["killed"] == 4
    # The headline has no toll; the lead sentence of the same event does.
    assert [e["killed"] for e in tagged["events"]] == [None, 4]
    rules = parse_rules(
        "rules:\n  - {name: clash, severity: high, when: {event_type: [Battles]}}\n"
    )
    [match] = match_rules(tagged, rules)
    assert match.rule == "clash" and match.reason == "Battles in Mali (Kidal); 4 killed → high"
    assert analyze(raw, rules)["alerts"] == ["clash"]


def test_given_id_is_kept() -> None:
    assert classify_record({"id": "abc", "body": "Quiet day."})["id"] == "abc"


def test_empty_body_after_cleaning_is_an_error() -> None:
    with pytest.raises(ValueError, match="empty"):
        classify_record({"title": "x", "body": "<p>Hashtags</p>\nComments"})

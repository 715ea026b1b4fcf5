"""The compiled validators the pipeline uses agree with the reference implementation."""

import copy
from pathlib import Path
from typing import Any

import pytest

from streams import contracts
from streams.deadletter import dead_letter

ALERT = {
    "id": "a-1",
    "version": 1,
    "rule": "r",
    "severity": "high",
    "story_id": "s-1",
    "article_ids": ["x"],
    "countries": ["ML"],
    "entities": ["Kidal"],
    "title": "t",
    "summary": "s",
    "reason": "why",
    "event_type": "Battles",
    "killed": 3,
    "created_at": 2.0,
    "ingested_at": 1.0,
}
LETTER = dead_letter(
    stage="tag",
    reason="invalid_json",
    error="e",
    topic="t",
    partition=0,
    offset=1,
    key=None,
    value=b"x",
    failed_at=1.0,
)


def _mutations(record: dict[str, Any]) -> list[dict[str, Any]]:
    """The record itself, then copies each broken in one way."""
    out = [record]
    for key in record:
        missing = copy.deepcopy(record)
        del missing[key]
        out.append(missing)
        wrong = copy.deepcopy(record)
        wrong[key] = {"unexpected": "object"}
        out.append(wrong)
    return out


@pytest.mark.parametrize(
    ("kind", "record"),
    [
        (contracts.ALERT, ALERT),
        (contracts.DEADLETTER, LETTER),
        (contracts.RAW, {"body": "b", "title": None}),
    ],
)
def test_compiled_and_reference_validators_agree(kind: str, record: dict[str, Any]) -> None:
    for candidate in _mutations(record):
        fast, ref = contracts.problem(kind, candidate), contracts.reference_problem(kind, candidate)
        assert (fast is None) == (ref is None), (candidate, fast, ref)


def test_agree_on_tagged_seed_records() -> None:
    from streams.analysis import analyze
    from streams.seeds import load_seed_dir

    seeds = load_seed_dir(Path(__file__).resolve().parents[2] / "seeds")
    for article in seeds:
        tagged = analyze(article)
        tagged.update(ingested_at=1.0, stages={"classify": 1.0, "tag": 2.0})
        for candidate in _mutations(tagged):
            fast = contracts.problem(contracts.TAGGED, candidate)
            ref = contracts.reference_problem(contracts.TAGGED, candidate)
            assert (fast is None) == (ref is None), (fast, ref)


def test_every_schema_is_valid_draft_2020_12() -> None:
    for kind in contracts.KINDS:
        assert contracts.validator(kind).schema["$schema"].endswith("2020-12/schema")

"""The per-message logic every agent runs, without Kafka."""

from typing import Any

from streams import contracts
from streams.stage import Stage


def _stage(transform: Any) -> Stage:
    return Stage("classify", contracts.RAW, contracts.RAW, transform, max_bytes=10_000)


def _run(stage: Stage, value: bytes) -> Any:
    return stage.process_message(
        value, key=b"k", topic="articles.raw", partition=0, offset=3, timestamp=None, now=100.0
    )


def test_good_message_gives_outputs() -> None:
    outcome = _run(_stage(lambda r, now, ts: [("k", {**r, "ingested_at": now})]), b'{"body": "b"}')
    assert outcome.dead is None
    assert outcome.outputs == [("k", {"body": "b", "ingested_at": 100.0})]


def test_transform_error_becomes_dead_letter_not_crash() -> None:
    def boom(record: Any, now: float, ts: Any) -> Any:
        raise KeyError("missing")

    outcome = _run(_stage(boom), b'{"body": "b"}')
    assert outcome.outputs == []
    assert outcome.dead is not None
    assert outcome.dead["reason"] == "processing_error"
    assert "KeyError" in outcome.dead["error"]
    assert (outcome.dead["partition"], outcome.dead["offset"]) == (0, 3)


def test_output_breaking_its_contract_is_dead_lettered() -> None:
    outcome = _run(_stage(lambda r, now, ts: [("k", {"title": "no body"})]), b'{"body": "b"}')
    assert outcome.dead is not None
    assert outcome.dead["reason"] == "processing_error"
    assert "output breaks article.raw" in outcome.dead["error"]


def test_undecodable_message_is_dead_lettered() -> None:
    called = []
    outcome = _run(_stage(lambda r, now, ts: called.append(r) or []), b"\xff\xfe")
    assert outcome.dead is not None and not called


def test_input_is_checked_unless_its_writer_checked_it() -> None:
    stage = Stage("tag", contracts.CLASSIFIED, contracts.RAW, lambda r, now, ts: [], 10_000)
    value = b'{"body": "b"}'  # not a classified article: written by someone else
    outcome = stage.process_message(
        value, key=b"k", topic="articles.classified", partition=0, offset=1, timestamp=None, now=1.0
    )
    assert outcome.dead is not None and outcome.dead["reason"] == "schema_violation"
    trusted = stage.process_message(
        value,
        key=b"k",
        topic="articles.classified",
        partition=0,
        offset=1,
        timestamp=None,
        now=1.0,
        checked=True,
    )
    assert trusted.dead is None

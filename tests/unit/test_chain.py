"""The fused chain (streams/chain.py): the same records as one agent per stage, without Kafka."""

from pathlib import Path
from typing import Any

import orjson
import pytest

from streams import contracts, records
from streams.alert.reload import RuleBook
from streams.chain import run_chain
from streams.deadletter import original_value
from streams.pipeline import build_stages
from streams.seeds import load_seed_dir
from streams.settings import Settings
from streams.stage import Stage

ROOT = Path(__file__).resolve().parents[2]
SEEDS = load_seed_dir(ROOT / "seeds")
STAGES = build_stages(Settings(), RuleBook.load())
ORDER = [STAGES[n] for n in ("classify", "tag", "alert")]


def _clock() -> Any:
    ticks = iter(range(1_700_000_000, 1_700_001_000))
    return lambda: float(next(ticks))


def _run(stages: list[Stage], value: bytes | None, partition: int = 2) -> Any:
    return run_chain(
        stages,
        value,
        key=b"k",
        topic="articles.raw",
        partition=partition,
        offset=7,
        timestamp=None,
        clock=_clock(),
    )


def _one_agent_per_stage(value: bytes, partition: int) -> list[list[tuple[bytes, bytes]]]:
    """What the unfused topology writes: each stage decodes what the one before encoded."""
    clock, written = _clock(), []
    for stage in ORDER:
        now = clock()
        outcome = stage.process_message(
            value,
            key=b"k",
            topic="t",
            partition=partition,
            offset=7,
            timestamp=None,
            now=now,
            checked=True,
        )
        assert outcome.dead is None
        clock()  # run_chain reads the clock again when a step ends
        step = [(k.encode(), records.encode(r)) for k, r in outcome.outputs]
        written.append(step)
        (value,) = [v for _, v in step]
    return written


@pytest.mark.parametrize("raw", SEEDS, ids=lambda a: a["title"][:30])
def test_fused_chain_writes_what_one_agent_per_stage_writes(raw: dict[str, Any]) -> None:
    value = orjson.dumps(raw)
    outcome = _run(ORDER, value, partition=4)
    assert outcome.dead is None
    assert [s.stage.name for s in outcome.steps] == ["classify", "tag", "alert"]
    assert [s.outputs for s in outcome.steps] == _one_agent_per_stage(value, 4)
    matched = orjson.loads(outcome.steps[-1].outputs[0][1])
    assert matched["source_partition"] == 4  # the story stage's watermark needs it
    assert contracts.problem(contracts.MATCHED, matched) is None


def test_a_stage_changing_its_input_cannot_change_what_was_sent_before() -> None:
    def first(r: Any, now: float, ts: Any) -> Any:
        return [("k", {**r, "note": "as sent"})]

    def second(r: Any, now: float, ts: Any) -> Any:
        r["note"] = "changed later"
        return [("k", r)]

    stages = [
        Stage("classify", contracts.RAW, contracts.RAW, first, 10_000),
        Stage("tag", contracts.RAW, contracts.RAW, second, 10_000),
    ]
    outcome = _run(stages, b'{"body": "b"}')
    assert orjson.loads(outcome.steps[0].outputs[0][1])["note"] == "as sent"
    assert orjson.loads(outcome.steps[1].outputs[0][1])["note"] == "changed later"


def test_a_later_stage_failing_dead_letters_the_chain_input_and_keeps_earlier_outputs() -> None:
    def boom(r: Any, now: float, ts: Any) -> Any:
        raise ValueError("no luck")

    stages = [ORDER[0], Stage("tag", contracts.CLASSIFIED, contracts.TAGGED, boom, 10_000)]
    value = orjson.dumps(SEEDS[0])
    outcome = _run(stages, value)
    assert [s.stage.name for s in outcome.steps] == ["classify"]
    assert outcome.dead["stage"] == "tag"
    letter = outcome.dead
    assert letter["stage"] == "tag" and letter["reason"] == "processing_error"
    assert "ValueError: no luck" in letter["error"]
    assert (letter["topic"], letter["partition"], letter["offset"]) == ("articles.raw", 2, 7)
    # The letter holds the raw bytes, so replaying it runs the whole chain again.
    assert original_value(letter) == value


def test_bad_bytes_stop_at_the_first_stage() -> None:
    outcome = _run(ORDER, b"{not json")
    assert outcome.steps == []
    assert outcome.dead["stage"] == "classify" and outcome.dead["reason"] == "invalid_json"

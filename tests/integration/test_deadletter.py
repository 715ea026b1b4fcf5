"""Bad input on a real broker: each bad message lands in the dead-letter topic with its
original bytes and a reason, and the pipeline goes on to alert on the next good article."""

from __future__ import annotations

import asyncio
import base64
from pathlib import Path

import orjson

from streams import topics
from streams.brokers.process import BrokerProcess
from streams.deadletter import original_value
from streams.launcher import WorkerProcess
from streams.seeder import publish
from streams.seeds import load_seed_dir
from streams.watch import PipelineWatch

from .conftest import fresh_settings
from .kafkaio import publish_raw, read_json

SEEDS = Path(__file__).resolve().parents[2] / "seeds"

BAD = {
    b"not-json": (b"{this is not json", "invalid_json"),
    b"no-body": (
        orjson.dumps({"id": "no-body", "title": "A title and nothing else"}),
        "schema_violation",
    ),
    b"two-mb": (
        orjson.dumps({"id": "two-mb", "title": "Huge", "body": "x" * 2_000_000}),
        "oversized",
    ),
    b"bad-utf8": (b'{"body": "caf\xe9"}', "invalid_utf8"),
}


def test_bad_messages_dead_lettered_and_pipeline_goes_on(
    broker: BrokerProcess, tmp_path: Path
) -> None:
    settings = fresh_settings(broker, tmp_path)
    worker = WorkerProcess(settings, tmp_path / "worker.log").start()
    mali = dict(load_seed_dir(SEEDS)[0])
    mali["id"] = "after-the-bad-ones"

    async def scenario() -> list[dict]:
        watch = PipelineWatch(settings)
        await watch.start(from_beginning=True)
        try:
            await publish_raw(settings, topics.RAW, [(k, v) for k, (v, _) in BAD.items()])
            [good] = await publish(settings, [mali])
            wanted = [k.decode() for k in BAD] + [good]
            await watch.wait_for(wanted, within=120, check=worker.check)
            return watch.alerts
        finally:
            await watch.stop()

    try:
        alerts = asyncio.run(scenario())
        letters = asyncio.run(read_json(settings, topics.DEADLETTER))
    finally:
        worker.stop()

    by_key = {letter["key_b64"]: letter for letter in letters}
    assert len(letters) == len(BAD)

    for key, (value, reason) in BAD.items():
        letter = by_key[base64.b64encode(key).decode()]
        assert letter["stage"] == "classify"
        assert letter["reason"] == reason, letter["error"]
        assert letter["error"] and "\n" not in letter["error"]
        assert original_value(letter) == value
        assert letter["value_size"] == len(value)
    assert any("after-the-bad-ones" in a["article_ids"] for a in alerts), alerts

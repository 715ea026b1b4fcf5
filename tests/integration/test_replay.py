"""Replays on real Apache Kafka: the same input gives the same alert ids and versions."""

from __future__ import annotations

import asyncio
from pathlib import Path

from streams.brokers.process import BrokerProcess
from streams.launcher import WorkerProcess
from streams.replay import replay
from streams.seeder import publish
from streams.seeds import load_seed_dir
from streams.watch import PipelineWatch

from .conftest import fresh_settings

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def test_replaying_the_seed_topic_twice_gives_the_same_alerts(
    kafka: BrokerProcess, tmp_path: Path
) -> None:
    settings = fresh_settings(kafka, tmp_path)
    worker = WorkerProcess(settings, tmp_path / "worker.log").start()

    async def first_run() -> list[dict]:  # type: ignore[type-arg]
        watch = PipelineWatch(settings)
        await watch.start(from_beginning=True)
        try:
            ids = await publish(settings, load_seed_dir(SEEDS))
            await watch.wait_for(ids, within=120, check=worker.check)
            return watch.alerts
        finally:
            await watch.stop()

    try:
        alerts = asyncio.run(first_run())
    finally:
        worker.stop()
    notes: list[str] = []
    one = replay(settings, notes.append)
    two = replay(settings, notes.append)
    original = {(a["id"], a["version"]) for a in alerts}
    assert len(original) >= 4
    assert one.original == original
    assert one.replayed == original, one.describe()
    assert two.replayed == original, two.describe()
    assert one.matches and two.matches
    assert one.describe().startswith("replay matches: 5 articles")

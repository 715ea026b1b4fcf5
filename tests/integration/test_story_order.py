"""An article that reaches the story stage after a later one was released is processed out of
event-time order: the stage counts it and names it in its log, and a repeat is not counted."""

from __future__ import annotations

import asyncio
import urllib.request
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from streams.brokers.process import BrokerProcess
from streams.launcher import WorkerProcess
from streams.seeder import publish
from streams.seeds import load_seed_dir
from streams.settings import Settings
from streams.watch import PipelineWatch

from .conftest import fresh_settings

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
LATE = "wirewatch_story_late_articles_total"


async def _publish_at(
    settings: Settings, worker: WorkerProcess, article: dict, event_time: float
) -> str:
    watch = PipelineWatch(settings)
    await watch.start()
    try:
        [sent] = await publish(settings, [article], clock=lambda: event_time)
        await watch.wait_for([sent], within=60, check=worker.check)
        return sent
    finally:
        await watch.stop()


def _late_count(settings: Settings) -> float:
    url = f"http://127.0.0.1:{settings.metrics_port}/metrics"
    text = urllib.request.urlopen(url, timeout=5).read().decode()
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == LATE:
                return sample.value
    raise AssertionError(f"{LATE} is not exported")


def test_an_article_behind_a_released_one_is_counted_and_named(
    tansu: BrokerProcess, tmp_path: Path
) -> None:
    settings = fresh_settings(tansu, tmp_path)
    worker = WorkerProcess(settings, tmp_path / "worker.log").start()
    first, second = load_seed_dir(SEEDS)[:2]
    try:
        # The first is released once the silent partitions count as idle (1 s); the second
        # comes with an event time 100 s earlier, after that release.
        asyncio.run(_publish_at(settings, worker, first, 2_000_000_000.0))
        assert _late_count(settings) == 0
        late_id = asyncio.run(_publish_at(settings, worker, second, 1_999_999_900.0))
        assert _late_count(settings) == 1
        # The same article again, later still: a repeat, processed already, is not counted.
        asyncio.run(_publish_at(settings, worker, second, 1_999_999_950.0))
        assert _late_count(settings) == 1
    finally:
        assert worker.stop() is not None
    lines = [
        line
        for line in (tmp_path / "worker.log").read_text().splitlines()
        if "processed out of event-time order" in line
    ]
    assert len(lines) == 1 and late_id in lines[0] and "came 100.0 s" in lines[0], lines

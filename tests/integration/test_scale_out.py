"""Two workers, one consumer group, on real Apache Kafka: the partitions split between
them and every article is processed exactly once when neither dies."""

from __future__ import annotations

import asyncio
import time
import urllib.request
from collections import Counter
from pathlib import Path

import orjson
from prometheus_client.parser import text_string_to_metric_families

from streams import topics
from streams.brokers.process import BrokerProcess, free_port
from streams.launcher import WorkerProcess
from streams.seeder import publish
from streams.seeds import load_seed_dir
from streams.settings import Settings
from streams.watch import PipelineWatch

from .conftest import fresh_settings
from .kafkaio import read_json

ROOT = Path(__file__).resolve().parents[2]


def _articles() -> list[dict]:  # type: ignore[type-arg]
    out = [dict(a) for a in load_seed_dir(ROOT / "seeds")]
    for line in (ROOT / "tests" / "eval" / "conflict.jsonl").read_text().splitlines()[:40]:
        item = orjson.loads(line)
        out.append({"id": item["id"], "title": item["title"], "body": item["body"]})
    return out


def _owned(port: int, topic: str) -> set[int]:
    """Partitions of ``topic`` the worker on ``port`` reports lag for: the ones it holds."""
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    return {
        int(s.labels["partition"])
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if s.name == "wirewatch_consumer_lag" and s.labels.get("topic") == topic
    }


def _split(workers: list[Settings], topic: str) -> list[set[int]]:
    owned = []
    for w in workers:
        try:
            owned.append(_owned(w.metrics_port, topic))
        except OSError:
            owned.append(set())
    return owned


def test_two_workers_share_the_partitions_and_process_each_article_once(
    kafka: BrokerProcess, tmp_path: Path
) -> None:
    settings = fresh_settings(kafka, tmp_path, partitions=6)
    group = [settings.with_(metrics_port=free_port(), data_dir=tmp_path / f"w{n}") for n in (1, 2)]
    workers = [WorkerProcess(s, tmp_path / f"worker{n}.log").start() for n, s in enumerate(group)]
    raw = settings.topic(topics.RAW)
    try:
        deadline = time.monotonic() + 120
        while True:  # both joined and the group settled: each holds part, together all
            for w in workers:
                w.check()
            a, b = _split(group, raw)
            if a and b and not a & b and a | b == set(range(6)):
                break
            assert time.monotonic() < deadline, f"partitions never split: {a} / {b}"
            time.sleep(1)
        articles = _articles()

        async def run() -> None:
            watch = PipelineWatch(settings)
            await watch.start(from_beginning=True)
            try:
                ids = await publish(settings, articles)
                await watch.wait_for(ids, within=240, check=lambda: [w.check() for w in workers])
            finally:
                await watch.stop()

        asyncio.run(run())
        a, b = _split(group, raw)
        assert a and b and not a & b, f"split changed during the run: {a} / {b}"
    finally:
        codes = [w.stop() for w in workers]
    assert codes == [0, 0], "a worker died"
    for topic in (topics.CLASSIFIED, topics.TAGGED):
        counts = Counter(r["id"] for r in asyncio.run(read_json(settings, topic)))
        assert set(counts) == {a["id"] for a in articles}, topic
        assert set(counts.values()) == {1}, f"{topic}: repeated {counts.most_common(3)}"

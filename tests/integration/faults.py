"""Driving a faulted run: faults made at points of progress, waiting until everything is
through, and the clean run each faulted run is compared with."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

import orjson
import pytest
from aiokafka import TopicPartition

from streams import topics
from streams.brokers.process import BrokerProcess
from streams.settings import Settings
from streams.watch import topic_partitions

from .conftest import fresh_settings
from .readback import Observed, by_topic, consumer, group_lag, observe, where
from .workers import Worker
from .workload import publish_corpus


async def settle(
    settings: Settings,
    ids: Iterable[str],
    *,
    within: float,
    check: Callable[[], None],
    transactional: bool = False,
    stall: float = 20.0,
) -> None:
    """Wait until every id is on articles.tagged or dead-lettered and the worker has committed
    everything on its inputs (twice in a row, a second apart); fail when nothing moves for
    ``stall`` seconds. Under exactly-once a commit marker may follow the last record of a
    partition the worker writes, hence a lag of 1 is done there."""
    wanted, seen = set(ids), set[str]()
    c = consumer(settings, committed_only=transactional)
    await c.start()
    try:
        names = (topics.TAGGED, topics.DEADLETTER)
        tps = [tp for name in names for tp in await topic_partitions(c, settings.topic(name))]
        c.assign(tps)
        await c.seek_to_beginning(*tps)
        started = moved = time.monotonic()
        calm, last, lag = 0, None, dict[TopicPartition, int]()
        while calm < 2:
            check()
            now = time.monotonic()
            if now - started > within or now - moved > stall:
                why = f"nothing moved for {stall:.0f}s" if now - moved > stall else "too slow"
                missing = sorted(wanted - seen)
                raise TimeoutError(
                    f"{why}: {len(missing)} of {len(wanted)} articles not through "
                    f"{missing[:3]}, worker group lag {by_topic(lag)}; "
                    f"{await where(settings, missing[:3])}"
                )
            for tp, batch in (await c.getmany(timeout_ms=500)).items():
                for m in batch:
                    if tp.topic == settings.topic(topics.TAGGED):
                        seen.add(orjson.loads(m.value)["id"])
                    elif m.key is not None:
                        seen.add(m.key.decode("utf-8", "replace"))
            lag = await group_lag(settings)
            if (state := (len(seen), sorted(lag.items()))) != last:
                last, moved = state, time.monotonic()
            raw = settings.topic(topics.RAW)
            done = wanted <= seen and all(
                n == 0 or (transactional and tp.topic != raw and n <= 1) for tp, n in lag.items()
            )
            calm = calm + 1 if done else 0
            if done:
                await asyncio.sleep(1.0)
    finally:
        await c.stop()


@dataclass
class Baseline:
    settings: Settings
    ids: list[str]
    observed: Observed


_BASELINES: dict[str, Baseline] = {}


def baseline(
    broker: BrokerProcess, tmp: pytest.TempPathFactory, articles: list[dict[str, Any]]
) -> Baseline:
    """A clean, uninterrupted run over ``articles`` at the faulted runs' rate, on a namespace
    of its own; run once per broker and session."""
    if broker.bootstrap not in _BASELINES:
        data_dir = tmp.mktemp("baseline")
        settings = fresh_settings(broker, data_dir)
        worker = Worker(settings, data_dir).start()
        try:

            async def run() -> Baseline:
                ids = await publish_corpus(settings, articles)
                await settle(settings, ids, within=150, check=worker.check)
                return Baseline(settings, ids, await observe(settings))

            _BASELINES[broker.bootstrap] = asyncio.run(run())
        finally:
            worker.stop()
    return _BASELINES[broker.bootstrap]


async def at_progress(
    settings: Settings,
    points: list[int],
    act: Callable[[int], Awaitable[None]],
    *,
    since: Callable[[], float],
    within: float,
    check: Callable[[], None] = lambda: None,
    total: int | None = None,
) -> int:
    """Call ``act(n)`` once the number of distinct ids on articles.tagged reaches ``points[n]``
    and the running worker has tagged something itself (stage time after ``since()``): a
    fault lands on a worker at work, not on one still starting. Once all ``total`` articles
    are tagged and the running worker has nothing left to do, the remaining faults cannot
    land on work: they are not made. Returns how many faults were made."""
    seen: set[str] = set()
    newest = 0.0
    c = consumer(settings)
    await c.start()
    try:
        tps = await topic_partitions(c, settings.topic(topics.TAGGED))
        c.assign(tps)
        await c.seek_to_beginning(*tps)
        deadline = time.monotonic() + within
        idle_from = deadline
        for n, point in enumerate(points):
            while len(seen) < point or newest < since():
                if len(seen) == total and newest < since() and time.monotonic() > idle_from:
                    return n
                check()
                assert time.monotonic() < deadline, (
                    f"fault {n + 1}: only {len(seen)} of {point} articles tagged in {within:.0f}s"
                )
                for batch in (await c.getmany(timeout_ms=200)).values():
                    for m in batch:
                        record = orjson.loads(m.value)
                        seen.add(record["id"])
                        newest = max(newest, record["stages"]["tag"])
                        idle_from = time.monotonic() + 15.0  # a restart's repeats may come
            await act(n)
        return len(points)
    finally:
        await c.stop()

"""A slow stage keeps the worker's memory bounded, and the lag drains afterwards.

The tag stage is slowed with ``WIREWATCH_DEBUG_STAGE_DELAY_MS`` (a fault-injection setting:
sleep that long after each message in ``WIREWATCH_DEBUG_DELAY_STAGE``, default ``tag``).
A backlog of large articles (short text, a ~96 KB appendix each: ~77 MB in all) is
published at once; the backlog must wait in Kafka, not in the worker. The resident set of
the worker process (VmRSS) is sampled throughout.
"""

from __future__ import annotations

import asyncio
import random
import time
from pathlib import Path
from typing import Any

import pytest

from streams import topics
from streams.brokers.process import BrokerProcess
from streams.launcher import WorkerError
from streams.seeder import publish

from .conftest import fresh_settings
from .faults import settle
from .readback import by_topic, group_lag
from .workers import RssSampler, Worker, env_with, rss_kib
from .workload import EventClock, corpus

pytestmark = [pytest.mark.integration, pytest.mark.reliability]

ARTICLES = 800
APPENDIX = 96_000  # bytes of extra payload per article: what a stage's input buffer holds
DELAY_MS = 30  # the slow stage: ~30 articles a second at best
# The worker idles at ~180 MiB. Holding the backlog costs ~150 MiB today (faust prefetches
# up to 16 MiB a partition and buffers up to 4096 messages a stream); with bounded buffers
# it costs ~60 MiB. 100 MiB leaves a margin both ways and is far below the backlog's size.
GROWTH_MIB = 100
DRAIN = 150.0  # seconds for the backlog to drain
WARM = 10  # articles through the pipeline before the idle size is taken


def _backlog() -> list[dict[str, Any]]:
    rng = random.Random(6)
    texts = corpus(copies=1)
    return [
        {
            "id": f"bp-{n:05d}",
            "title": texts[n % len(texts)]["title"],
            "body": texts[n % len(texts)]["body"][:160],
            "appendix": "".join(rng.choices("abcdefghijklmnop", k=64)) * (APPENDIX // 64),
        }
        for n in range(ARTICLES)
    ]


def test_slow_stage_keeps_memory_bounded_and_lag_drains(
    kafka: BrokerProcess, tmp_path: Path
) -> None:
    settings = fresh_settings(kafka, tmp_path)
    env = env_with(WIREWATCH_DEBUG_STAGE_DELAY_MS=str(DELAY_MS), WIREWATCH_DEBUG_DELAY_STAGE="tag")
    worker = Worker(settings, tmp_path, env=env).start()
    articles = _backlog()
    peaks: dict[str, int] = {}

    async def scenario() -> tuple[float, float, float]:
        clock = EventClock()
        warm = await publish(settings, articles[:WARM], clock=clock)  # every stage loaded
        await settle(settings, warm, within=60, check=worker.check)
        idle = (rss_kib(worker.pid) or 0) / 1024
        started = time.monotonic()
        with RssSampler(worker.pid) as rss:
            ids = warm + await publish(settings, articles[WARM:], clock=clock)
            while True:
                worker.check()
                lag = by_topic(await group_lag(settings))
                for name, n in lag.items():
                    peaks[name] = max(peaks.get(name, 0), n)
                if not any(lag.values()):
                    break
                assert time.monotonic() - started < DRAIN, f"lag {lag} after {DRAIN:.0f}s"
                await asyncio.sleep(1.0)
        drained = time.monotonic() - started
        await settle(settings, ids, within=30, check=worker.check)
        return idle, rss.peak_mib, drained

    try:
        idle, peak, drained = asyncio.run(scenario())
    except (AssertionError, TimeoutError, WorkerError) as exc:
        pytest.fail(f"{exc}\nworker log:\n{worker.log_tail()}", pytrace=False)
    finally:
        worker.stop()
    backlog_mib = ARTICLES * APPENDIX / 2**20
    print(f"backlog {backlog_mib:.0f} MiB; RSS idle {idle:.0f} MiB, peak {peak:.0f} MiB; "
          f"peak lag {peaks}; drained in {drained:.0f}s")  # fmt: skip
    # The slow stage was the bottleneck: its input piled up (in Kafka). Without the delay
    # setting in effect the tag stage keeps up and this fails. Fused, the tag stage runs in
    # the agent reading the raw articles.
    slowed = topics.RAW if settings.topology == "fused" else topics.CLASSIFIED
    assert peaks.get(slowed, 0) >= (ARTICLES - WARM) // 2, (
        f"the tag stage was not slowed (is WIREWATCH_DEBUG_STAGE_DELAY_MS supported?): {peaks}"
    )
    # Each slowed message sleeps DELAY_MS after it is handled: no drain can be quicker.
    assert drained >= (ARTICLES - WARM) * DELAY_MS / 1000, f"drained in {drained:.0f}s"
    assert peak - idle <= GROWTH_MIB, (
        f"the worker grew by {peak - idle:.0f} MiB holding a {backlog_mib:.0f} MiB backlog"
    )

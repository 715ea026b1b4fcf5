"""Workers stopped mid-stream: kill -9 (at-least-once, then exactly-once) and SIGTERM.

Each faulted run publishes the corpus at a moderate rate to a fresh namespace and, at random
points of progress (a seeded ``random.Random``: the seed is printed and
``WIREWATCH_TEST_SEED`` replays it), stops the worker and starts a new one with the same
settings: the same consumer group, its table state recovered from the changelogs. What it
leaves on the broker is compared with a clean, uninterrupted run of the same input on the
same broker (ids, alert ids and their final versions).
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from streams.brokers.process import BrokerProcess
from streams.brokers.tansu import TansuBroker
from streams.launcher import WorkerError

from .conftest import fresh_settings
from .faults import (
    Observed,
    Worker,
    at_progress,
    baseline,
    corpus,
    differences,
    observe,
    publish_corpus,
    settle,
)

pytestmark = [pytest.mark.integration, pytest.mark.reliability]

FAULTS = 3
# Slower than the clean run: a restart takes 5-10 s, and each of the three faults must land
# while articles are still coming (the last fault comes at 80% of the articles at most).
RATE = 8.0


@dataclass
class Faulted:
    expected: Observed
    got: Observed
    ids: list[str]
    seed: int

    def problems(self) -> list[str]:
        return differences(self.expected, self.got, self.ids)


def _faulted_run(
    broker: BrokerProcess,
    tmp_path: Path,
    tmp: pytest.TempPathFactory,
    sig: signal.Signals,
    *,
    guarantee: str = "at_least_once",
) -> Faulted:
    articles = corpus()
    expected = baseline(broker, tmp, articles)
    seed = int(os.environ.get("WIREWATCH_TEST_SEED") or random.SystemRandom().randrange(2**32))
    rng = random.Random(seed)
    points = sorted(rng.sample(range(len(articles) // 10, len(articles) * 8 // 10), FAULTS))
    pauses = [round(rng.uniform(0.0, 1.0), 2) for _ in points]
    print(f"{sig.name} x{FAULTS}, seed {seed} (WIREWATCH_TEST_SEED={seed} replays it): "
          f"after {points} articles tagged, then {pauses} s")  # fmt: skip
    settings = fresh_settings(broker, tmp_path, processing_guarantee=guarantee, session_timeout=6)
    worker = Worker(settings, tmp_path).start()
    exactly_once = guarantee == "exactly_once"
    codes: list[int] = []

    async def fault(n: int) -> None:
        await asyncio.sleep(pauses[n])
        codes.append(await asyncio.to_thread(worker.kill, sig))
        worker.start()

    async def scenario() -> tuple[list[str], Observed]:
        publishing = asyncio.create_task(publish_corpus(settings, articles, rate=RATE))
        try:
            await at_progress(
                settings,
                points,
                fault,
                since=lambda: worker.started_at,
                within=120,
                check=worker.check,
            )
        finally:
            ids = await publishing
        await settle(settings, ids, within=150, check=worker.check, transactional=exactly_once)
        return ids, await observe(settings, committed_only=exactly_once)

    try:
        ids, got = asyncio.run(scenario())
    except (AssertionError, TimeoutError, WorkerError) as exc:
        pytest.fail(f"seed {seed}: {exc}\nworker log:\n{worker.log_tail()}", pytrace=False)
    finally:
        worker.stop()
    clean_exit = -signal.SIGKILL if sig == signal.SIGKILL else 0
    assert codes == [clean_exit] * FAULTS, f"exit codes {codes}: {worker.log_tail()}"
    assert ids == expected.ids
    return Faulted(expected.observed, got, ids, seed)


def test_kill_9_three_times_loses_nothing(
    broker: BrokerProcess,
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
    request: pytest.FixtureRequest,
) -> None:
    """At-least-once: every article and every expected alert survives; an article or an
    alert message may come twice, but only as a repeat of the same id and version."""
    if isinstance(broker, TansuBroker):
        # Seen in some runs only: Tansu reports a partition's end below its last offset, and
        # faust's table recovery may stop there; the story state then comes back short.
        request.applymarker(
            pytest.mark.xfail(
                strict=False,
                reason="Tansu: end offsets below the last offset; story state "
                "sometimes restored short after kill -9 (passes on Apache Kafka)",
            )
        )
    run = _faulted_run(broker, tmp_path, tmp_path_factory, signal.SIGKILL)
    assert run.problems() == [], f"seed {run.seed}"
    assert set(run.got.alert_messages) <= set(run.expected.alert_messages), f"seed {run.seed}"
    print(f"{sum(run.got.tagged.values()) - len(run.ids)} repeated articles on articles.tagged")


@pytest.mark.xfail(
    strict=False,  # timing decides: a lucky run commits everything and passes
    reason="faust does not commit the last processed offsets when SIGTERM stops the worker: "
    "2-15 of 198 articles are tagged again after the restart (Kafka), one lost (Tansu)",
)
def test_sigterm_and_restart_loses_and_repeats_nothing(
    broker: BrokerProcess, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A clean stop commits what it did: nothing lost, no article and no alert twice."""
    run = _faulted_run(broker, tmp_path, tmp_path_factory, signal.SIGTERM)
    assert run.problems() == [], f"seed {run.seed}"
    assert run.got.duplicates() == {}, f"seed {run.seed}: articles tagged twice after SIGTERM"
    assert run.got.alert_messages == run.expected.alert_messages, f"seed {run.seed}"


@pytest.mark.xfail(
    strict=True,
    reason="exactly_once is refused: faust's transactions never commit the one-partition "
    "articles.matched input, so no alert would be raised (see the worker's error)",
)
def test_exactly_once_kill_9_shows_no_duplicates(
    kafka: BrokerProcess, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """exactly_once on Apache Kafka: a read_committed consumer sees every article and every
    alert message exactly once, and the alerts of the clean run."""
    run = _faulted_run(kafka, tmp_path, tmp_path_factory, signal.SIGKILL, guarantee="exactly_once")
    assert run.problems() == [], f"seed {run.seed}"
    assert run.got.duplicates() == {}, f"seed {run.seed}: read_committed saw articles twice"
    assert run.got.alert_messages == run.expected.alert_messages, f"seed {run.seed}"


def test_exactly_once_on_tansu_is_refused_with_a_clear_error(
    tansu: BrokerProcess, tmp_path: Path
) -> None:
    """Tansu has no idempotent or transactional producer (InitProducerId): asked for
    exactly_once, the worker must stop at once and say why, not run without the guarantee."""
    settings = fresh_settings(tansu, tmp_path, processing_guarantee="exactly_once")
    worker = Worker(settings, tmp_path).start()
    deadline = time.monotonic() + 30
    try:
        while worker.current.proc is not None and worker.current.proc.poll() is None:
            assert time.monotonic() < deadline, "exactly_once on Tansu: the worker kept running"
            time.sleep(0.2)
    finally:
        worker.stop()
    assert worker.current.proc is not None and worker.current.proc.returncode != 0
    log = worker.current.log_path.read_text(errors="replace")
    last = [line for line in log.splitlines() if line.strip()][-1]
    assert "exactly_once" in last and "transaction" in last.lower(), (
        f"the worker stopped, but its last words do not say why: {last!r}"
    )

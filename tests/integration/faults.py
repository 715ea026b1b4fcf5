"""Fault injection for the reliability tests: a fixed corpus with fixed event times, a worker
that can be killed and restarted, and what the pipeline left on the broker, read back.

The corpus is every article of ``tests/eval/*.jsonl`` (real news; the five seeds among them)
twice: the second copy is a follow-up with an id of its own, so stories grow and alerts are
suppressed or updated. Event times (``ingested_at``) come from a fixed clock, so a clean run
and a faulted run of the same input must raise the same alerts, ids and versions, whatever
the wall-clock time.
"""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError

from streams import topics
from streams.brokers.process import BrokerProcess
from streams.endoffsets import last_batch_ends
from streams.launcher import WorkerProcess
from streams.seeder import publish
from streams.settings import Settings
from streams.watch import behind, topic_partitions

from .conftest import fresh_settings

EVAL = Path(__file__).resolve().parents[1] / "eval"
# An hour boundary: the whole corpus (one event-time second apart) falls in one spike window.
EVENT_TIME_ORIGIN = 1_749_999_600.0
RATE = 15.0  # articles a second: moderate, so faults land mid-stream
# The worker's input topics, whose committed offsets say how far it got.


def corpus(copies: int = 2) -> list[dict[str, Any]]:
    """The eval articles, ``copies`` times, each with an id of its own; always the same list."""
    originals = []
    for path in sorted(EVAL.glob("*.jsonl")):
        for line in path.read_text("utf-8").splitlines():
            if line.strip():
                row = orjson.loads(line)
                originals.append(
                    {
                        "id": f"rel-{row['id']}",
                        "title": row.get("title"),
                        "body": row["body"],
                        "source": row.get("source"),
                    }
                )
    return [
        {**a, "id": f"{a['id']}-c{n}" if n else a["id"]} for n in range(copies) for a in originals
    ]


class EventClock:
    """``ingested_at`` for the n-th article published: the origin plus n seconds."""

    def __init__(self, origin: float = EVENT_TIME_ORIGIN, step: float = 1.0) -> None:
        self.origin, self.step, self.n = origin, step, 0

    def __call__(self) -> float:
        self.n += 1
        return self.origin + self.n * self.step


async def publish_corpus(
    settings: Settings, articles: list[dict[str, Any]], rate: float = RATE
) -> list[str]:
    return await publish(settings, articles, rate=rate, clock=EventClock())


async def publish_values(
    settings: Settings, name: str, items: list[tuple[bytes | None, bytes | None]]
) -> None:
    """Raw keys and values, a value of None included (a tombstone), each acknowledged."""
    producer = AIOKafkaProducer(
        **settings.kafka_client_params(),
        acks="all",
        max_request_size=settings.topic_max_message_bytes,
    )
    await producer.start()
    try:
        for key, value in items:
            await producer.send_and_wait(settings.topic(name), key=key, value=value)
    finally:
        await producer.stop()


class Worker:
    """One logical worker (one consumer group, one state) over successive processes."""

    def __init__(self, settings: Settings, log_dir: Path, env: dict[str, str] | None = None):
        self.settings, self.log_dir, self.env = settings, log_dir, env
        self.incarnations: list[WorkerProcess] = []
        self.started_at = 0.0  # wall-clock start of the current process
        self.starts: list[float] = []  # and of every process so far

    @property
    def current(self) -> WorkerProcess:
        return self.incarnations[-1]

    @property
    def pid(self) -> int:
        assert self.current.proc is not None
        return self.current.proc.pid

    def start(self) -> Worker:
        log = self.log_dir / f"worker-{len(self.incarnations) + 1}.log"
        self.started_at = time.time()
        self.starts.append(round(self.started_at, 3))
        self.incarnations.append(WorkerProcess(self.settings, log, env=self.env).start())
        return self

    def kill(self, sig: int = signal.SIGKILL, timeout: float = 20.0) -> int:
        """Send ``sig`` and wait for the exit code; SIGKILL and fail when it takes too long."""
        proc = self.current.proc
        assert proc is not None and proc.poll() is None, "the worker is not running"
        self.current.signal(sig)
        try:
            return proc.wait(timeout)
        except Exception:
            self.current.signal(signal.SIGKILL)
            proc.wait()
            raise AssertionError(
                f"the worker took over {timeout:.0f}s to stop on {signal.Signals(sig).name}; "
                f"its log ends:\n{self.log_tail(6)}"
            ) from None

    def check(self) -> None:
        self.current.check()

    def stop(self) -> int | None:
        return self.current.stop(timeout=20) if self.incarnations else None

    def lines_with(self, text: str) -> list[str]:
        """Every log line of every process so far that holds ``text``."""
        return [
            line[:400]
            for p in self.incarnations
            if p.log_path.exists()
            for line in p.log_path.read_text(errors="replace").splitlines()
            if text in line
        ]

    def log_tail(self, lines: int = 15) -> str:
        text = "".join(
            p.log_path.read_text(errors="replace") for p in self.incarnations if p.log_path.exists()
        )
        kept = [ln[:400] for ln in text.splitlines() if "producer buffer full" not in ln]
        return "\n".join(kept[-lines:])


def consumer(settings: Settings, *, committed_only: bool = False) -> AIOKafkaConsumer:
    return AIOKafkaConsumer(
        **settings.kafka_client_params(),
        group_id=None,
        enable_auto_commit=False,
        isolation_level="read_committed" if committed_only else "read_uncommitted",
        max_partition_fetch_bytes=settings.topic_max_message_bytes,
    )


async def end_offsets(c: AIOKafkaConsumer, tps: list[TopicPartition]) -> dict[TopicPartition, int]:
    """Each partition's end: its last offset + 1 (Tansu's ListOffsets answers less when the
    last batch holds several records: streams/endoffsets.py)."""
    c.assign(tps)
    return await last_batch_ends(c, await c.end_offsets(tps))


async def read_topic(
    settings: Settings, name: str, *, committed_only: bool = False, within: float = 60.0
) -> list[ConsumerRecord[bytes, bytes]]:
    """Every message on ``name`` (un-prefixed) up to its current end."""
    c = consumer(settings, committed_only=committed_only)
    await c.start()
    try:
        tps = await topic_partitions(c, settings.topic(name))
        ends = await end_offsets(c, tps)
        await c.seek_to_beginning(*tps)
        out: list[ConsumerRecord[bytes, bytes]] = []
        deadline = time.monotonic() + within
        while await behind(c, ends):
            assert time.monotonic() < deadline, f"reading {name} took over {within:.0f}s"
            for batch in (await c.getmany(timeout_ms=300)).values():
                out.extend(batch)
        return out
    finally:
        await c.stop()


@dataclass
class Observed:
    """What a run left on the broker."""

    tagged: Counter[str]  # article id -> copies on articles.tagged
    alerts: dict[str, int]  # alert id -> highest version
    alert_messages: Counter[tuple[str, int]]  # (alert id, version) -> copies
    dead: dict[str, dict[str, Any]] = field(default_factory=dict)  # original key -> letter
    latest: dict[str, dict[str, Any]] = field(default_factory=dict)  # alert id -> last record
    records: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> tagged record
    storied: set[str] = field(default_factory=set)  # ids in the story stage's processed table
    raw: Counter[str] = field(default_factory=Counter)  # article id -> copies on articles.raw
    copies: dict[str, list[str]] = field(default_factory=dict)  # id tagged twice -> its copies

    def duplicates(self) -> dict[str, int]:
        return {i: n for i, n in self.tagged.items() if n > 1}

    def describe(self, alert_id: str) -> str:
        a = self.latest.get(alert_id, {})
        return f"{alert_id} v{a.get('version')} {a.get('rule')} {a.get('article_ids')}"


async def observe(settings: Settings, *, committed_only: bool = False) -> Observed:
    tagged_messages = await read_topic(settings, topics.TAGGED, committed_only=committed_only)
    records = [orjson.loads(m.value) for m in tagged_messages]
    messages: Counter[tuple[str, int]] = Counter()
    latest: dict[str, dict[str, Any]] = {}
    for m in await read_topic(settings, topics.ALERTS, committed_only=committed_only):
        alert = orjson.loads(m.value)
        messages[(alert["id"], alert["version"])] += 1
        latest[alert["id"]] = alert
    alerts: dict[str, int] = {}
    for alert_id, version in messages:
        alerts[alert_id] = max(version, alerts.get(alert_id, 0))
    dead = {
        m.key.decode("utf-8", "replace") if m.key is not None else "": orjson.loads(m.value)
        for m in await read_topic(settings, topics.DEADLETTER, committed_only=committed_only)
    }
    tagged = Counter(r["id"] for r in records)
    by_id = {r["id"]: r for r in records}
    copies: dict[str, list[str]] = {}
    for m, r in zip(tagged_messages, records, strict=True):
        if tagged[r["id"]] > 1:  # where each copy is, and when each stage handled it
            stamps = ",".join(f"{k}={v:.3f}" for k, v in sorted(r.get("stages", {}).items()))
            copies.setdefault(r["id"], []).append(f"[{m.partition}]@{m.offset} {stamps}")
    raw = Counter(
        m.key.decode() if m.key is not None else ""
        for m in await read_topic(settings, topics.RAW, committed_only=committed_only)
    )
    return Observed(
        tagged, alerts, messages, dead, latest, by_id, await storied(settings), raw, copies
    )


async def storied(settings: Settings) -> set[str]:
    """Article ids in the story stage's table of processed articles (its changelog), when
    the worker keeps one: an id missing there never went through the last stage."""
    name = f"{settings.app_id}-processed-articles-changelog"
    admin = AIOKafkaAdminClient(**settings.kafka_client_params())
    await admin.start()
    try:
        if name not in await admin.list_topics():
            return set()
    finally:
        await admin.close()
    c = consumer(settings)
    await c.start()
    try:
        tps = await topic_partitions(c, name)
        ends = await end_offsets(c, tps)
        await c.seek_to_beginning(*tps)
        keys: set[str] = set()
        while await behind(c, ends):
            for batch in (await c.getmany(timeout_ms=300)).values():
                keys.update(orjson.loads(m.key) for m in batch if m.key)
        return keys
    finally:
        await c.stop()


def differences(expected: Observed, got: Observed, ids: Iterable[str]) -> list[str]:
    """What ``got`` lost or changed against ``expected``; repeats of an id are not counted."""
    problems = []
    missing = sorted(set(ids) - set(got.tagged))
    if missing:
        problems.append(f"{len(missing)} articles never reached articles.tagged: {missing[:5]}")
    strangers = sorted(set(got.tagged) - set(ids))
    if strangers:
        problems.append(f"articles.tagged holds ids nobody published: {strangers[:5]}")
    skipped = sorted(set(ids) - got.storied) if got.storied else []
    if skipped:
        problems.append(f"the story stage never processed {len(skipped)} articles: {skipped[:5]}")
    lost = sorted(set(expected.alerts) - set(got.alerts))
    extra = sorted(set(got.alerts) - set(expected.alerts))
    if lost:
        problems.append(
            f"{len(lost)} expected alerts missing: {[expected.describe(i) for i in lost[:6]]}"
        )
    if extra:
        problems.append(
            f"{len(extra)} alerts the clean run did not raise: "
            f"{[got.describe(i) for i in extra[:6]]}"
        )
    # A story whose articles were taken in another order gets another first article, so
    # another story id and alert id: name it, it is a different bug from a lost message.
    reordered = {
        expected.describe(i): got.describe(j)
        for i in lost
        for j in extra
        if expected.latest[i]["rule"] == got.latest[j]["rule"]
        and set(expected.latest[i]["article_ids"]) & set(got.latest[j]["article_ids"])
    }
    if reordered:
        problems.append(f"stories formed in another order (clean -> faulted): {reordered}")
    versions = {
        i: (v, got.alerts[i]) for i, v in expected.alerts.items() if got.alerts.get(i, v) != v
    }
    if versions:
        problems.append(f"final versions differ (clean, faulted): {versions}")
    return problems


async def group_lag(
    settings: Settings, names: Iterable[str] | None = None
) -> dict[TopicPartition, int]:
    """End offset minus the worker group's committed offset, per input partition; retried
    while the group coordinator is not ready (a fresh broker, a broker restart)."""
    for attempt in range(60):
        try:
            return await _group_lag(settings, names or topics.consumed(settings))
        except KafkaError as exc:
            if not exc.retriable or attempt == 59:
                raise
            await asyncio.sleep(0.5)
    raise AssertionError("unreachable")


async def _group_lag(settings: Settings, names: Iterable[str]) -> dict[TopicPartition, int]:
    c = consumer(settings)
    admin = AIOKafkaAdminClient(**settings.kafka_client_params())
    await c.start()
    await admin.start()
    try:
        tps = [tp for name in names for tp in await topic_partitions(c, settings.topic(name))]
        ends = await end_offsets(c, tps)
        committed = await admin.list_consumer_group_offsets(settings.app_id, partitions=tps)
        return {
            tp: end - (committed[tp].offset if tp in committed and committed[tp].offset >= 0 else 0)
            for tp, end in ends.items()
        }
    finally:
        await c.stop()
        await admin.close()


def by_topic(lag: dict[TopicPartition, int]) -> dict[str, int]:
    out: dict[str, int] = {}
    for tp, n in lag.items():
        name = tp.topic.split(".", 1)[1]
        out[name] = out.get(name, 0) + n
    return out


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


async def where(settings: Settings, ids: list[str]) -> str:
    """Where the stages left each of ``ids``: the topics that hold it, with partition and
    offset, so a loss names the stage that dropped the article."""
    found: dict[str, list[str]] = {i: [] for i in ids}
    for name in (topics.RAW, topics.CLASSIFIED, topics.TAGGED):
        for m in await read_topic(settings, name):
            key = m.key.decode("utf-8", "replace") if m.key is not None else ""
            if key in found:
                found[key].append(f"{name} p{m.partition}@{m.offset}")
    return "; ".join(f"{i} is on {', '.join(t) or 'no topic'}" for i, t in found.items())


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


class RssSampler:
    """Samples a process's resident set (VmRSS) in a thread until stopped."""

    def __init__(self, pid: int, every: float = 0.1) -> None:
        self.pid, self.every = pid, every
        self.samples: list[int] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            rss = rss_kib(self.pid)
            if rss is None:
                return
            self.samples.append(rss)
            self._stop.wait(self.every)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)

    @property
    def peak_mib(self) -> float:
        return max(self.samples, default=0) / 1024


def rss_kib(pid: int) -> int | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return None


def env_with(**extra: str) -> dict[str, str]:
    return {**os.environ, **extra}

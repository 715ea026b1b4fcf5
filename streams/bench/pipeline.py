"""``wirewatch bench``: the full pipeline (F) beside the same chain passing records through
(P) and a raw aiokafka relay (R), on the same broker, with the same corpus.

For each mode: the maximum rate (a backlog of N articles drained: first to last article
done), then publish→done latency at half that rate, and the peak RSS of the process.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import orjson
from aiokafka import AIOKafkaConsumer

from ..seeder import publish
from ..settings import Settings
from ..topics import ALL, ensure_topics
from ..watch import topic_partitions
from .corpus import corpus

TRACE = "bench.trace"
MODES = {"R": "raw aiokafka relay", "P": "faust chain, pass-through stages", "F": "full pipeline"}


@dataclass
class ModeResult:
    mode: str
    articles: int
    articles_per_s: float
    half_rate: float
    latency_samples: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    peak_rss_mb: float
    rss_mb: list[float] = field(default_factory=list)
    # The story stage's share of the latency: from the alert stage's stamp to done (its
    # event-time reordering included); None where the mode has no such stages (R).
    story_p50_ms: float | None = None
    story_p95_ms: float | None = None


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


class Child:
    """A benchmarked process: a worker (P, F) or the relay (R), with its RSS sampled."""

    def __init__(self, mode: str, settings: Settings, log: Path, workers: int = 1):
        module_args = {
            "R": ["streams.bench.relay"],
            "P": ["streams", "worker", "--passthrough"],
            "F": ["streams", "worker"],
        }[mode]
        env = {**os.environ, **settings.to_env()}
        log.parent.mkdir(parents=True, exist_ok=True)
        self.log = log
        self.procs = []
        for n in range(workers):
            env_n = {
                **env,
                "WIREWATCH_METRICS_PORT": "0",
                "WIREWATCH_DATA_DIR": str(Path(settings.data_dir) / f"w{n}"),
            }
            with log.with_suffix(f".{n}.log").open("ab") as out:
                self.procs.append(
                    subprocess.Popen(
                        [sys.executable, "-m", *module_args],
                        env=env_n,
                        stdout=out,
                        stderr=subprocess.STDOUT,
                    )
                )
        self.samples: list[float] = []
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.wait(0.5):
            self.samples.append(sum(rss_mb(p.pid) for p in self.procs))
            # VmHWM is the kernel's own peak; /proc is gone once the process exits.
            self.peak = max(self.peak, *(hwm_mb(p.pid) for p in self.procs))

    def check(self) -> None:
        for p in self.procs:
            if p.poll() is not None:
                raise RuntimeError(
                    f"a benchmarked process exited with code {p.returncode}; see {self.log}.*.log"
                )

    def peak_mb(self) -> float:
        """Peak RSS of the largest process, as the kernel counted it."""
        return self.peak

    def stop(self) -> None:
        self._stop.set()
        for p in self.procs:
            p.terminate()
        for p in self.procs:
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                p.kill()


def _status(pid: int, field_name: str) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field_name + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def rss_mb(pid: int) -> float:
    return _status(pid, "VmRSS")


def hwm_mb(pid: int) -> float:
    return _status(pid, "VmHWM")


async def collect(
    settings: Settings, ids: set[str], within: float, check: Callable[[], None] = lambda: None
) -> dict[str, dict[str, Any]]:
    """Trace records for ``ids`` (first sighting of each), waiting at most ``within`` s."""
    consumer = AIOKafkaConsumer(
        **settings.kafka_client_params(), group_id=None, enable_auto_commit=False
    )
    await consumer.start()
    seen: dict[str, dict[str, Any]] = {}
    try:
        tps = await topic_partitions(consumer, settings.topic(TRACE))
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        deadline = time.monotonic() + within
        while len(seen) < len(ids) and time.monotonic() < deadline:
            check()
            for batch in (await consumer.getmany(timeout_ms=500)).values():
                for m in batch:
                    record = orjson.loads(m.value)
                    if record["id"] in ids and record["id"] not in seen:
                        seen[record["id"]] = record
        return seen
    finally:
        await consumer.stop()


def _namespace(base: Settings, mode: str, phase: str, work: Path) -> Settings:
    tag = f"{mode.lower()}{phase}-{uuid.uuid4().hex[:6]}"
    settings = base.with_(
        app_id=f"bench-{tag}", topic_prefix=f"bench-{tag}.", trace_topic=TRACE, data_dir=work / tag
    )
    asyncio.run(ensure_topics(settings, (*ALL, TRACE)))
    return settings


def run_mode(
    mode: str,
    base: Settings,
    articles: list[dict[str, Any]],
    work: Path,
    say: Callable[[str], None],
    workers: int = 1,
    latency_seconds: float = 20.0,
) -> ModeResult:
    n = len(articles)
    # 1. Maximum rate: a backlog of n articles, drained.
    settings = _namespace(base, mode, "max", work)
    asyncio.run(publish(settings, articles))
    child = Child(mode, settings, work / f"{mode}-max", workers)
    try:
        done = asyncio.run(
            collect(settings, {a["id"] for a in articles}, n / 20 + 120, child.check)
        )
    finally:
        child.stop()
    if len(done) < n:
        raise RuntimeError(f"mode {mode}: only {len(done)} of {n} articles came through")
    times = sorted(r["done_at"] for r in done.values())
    rate = (n - 1) / max(times[-1] - times[0], 1e-9)
    peak = child.peak_mb()
    say(f"{mode} ({MODES[mode]}): {rate:,.0f} articles/s over {n:,}; peak RSS {peak:.0f} MB")
    # 2. Latency at half that rate, on a fresh namespace with the process already running.
    settings = _namespace(base, mode, "lat", work)
    child = Child(mode, settings, work / f"{mode}-lat", workers)
    try:
        warm = [dict(a, id=f"warm-{a['id']}") for a in articles[:20]]
        asyncio.run(publish(settings, warm))
        asyncio.run(collect(settings, {a["id"] for a in warm}, 120, child.check))
        half = rate / 2
        m = max(50, min(n, int(half * latency_seconds)))
        batch = articles[:m]
        asyncio.run(publish(settings, batch, rate=half))
        traced = asyncio.run(collect(settings, {a["id"] for a in batch}, 120, child.check))
        samples = [child.samples[i] for i in range(len(child.samples))]
    finally:
        child.stop()
    lat = [(r["done_at"] - r["ingested_at"]) * 1000 for r in traced.values()]
    story = [
        (r["done_at"] - r["stages"]["alert"]) * 1000
        for r in traced.values()
        if "alert" in (r.get("stages") or {})
    ]
    result = ModeResult(
        mode,
        n,
        rate,
        half,
        len(lat),
        percentile(lat, 50),
        percentile(lat, 95),
        percentile(lat, 99),
        peak,
        samples,
        percentile(story, 50) if story else None,
        percentile(story, 95) if story else None,
    )
    say(
        f"{mode}: at {half:,.0f}/s publish→done p50 {result.p50_ms:.1f} ms, "
        f"p95 {result.p95_ms:.1f} ms, p99 {result.p99_ms:.1f} ms ({len(lat)} articles)"
        + (
            f"; of it the story stage p50 {result.story_p50_ms:.1f}, "
            f"p95 {result.story_p95_ms:.1f} ms"
            if result.story_p50_ms is not None and result.story_p95_ms is not None
            else ""
        )
    )
    return result


def bench(
    base: Settings,
    n: int,
    seeds: Path,
    work: Path,
    say: Callable[[str], None],
    workers: int = 1,
    modes: str = "RPF",
) -> dict[str, Any]:
    articles = list(corpus(n, seeds))
    results = {m: run_mode(m, base, articles, work, say, workers) for m in modes}
    out: dict[str, Any] = {
        "articles": n,
        "workers": workers,
        "modes": {m: asdict(r) for m, r in results.items()},
    }
    if "F" in results:
        f = results["F"]
        out.update(
            full_articles_per_s=round(f.articles_per_s, 1),
            p50_ms=round(f.p50_ms, 1),
            p95_ms=round(f.p95_ms, 1),
            p99_ms=round(f.p99_ms, 1),
            worker_rss_mb=round(f.peak_rss_mb, 1),
        )
    if "P" in results:
        out["passthrough_articles_per_s"] = round(results["P"].articles_per_s, 1)
    if "R" in results:
        out["raw_relay_msgs_per_s"] = round(results["R"].articles_per_s, 1)
    if {"F", "P"} <= results.keys():
        out["ratio_f_p"] = round(results["F"].articles_per_s / results["P"].articles_per_s, 3)
    if {"P", "R"} <= results.keys():
        out["ratio_p_r"] = round(results["P"].articles_per_s / results["R"].articles_per_s, 3)
    return out

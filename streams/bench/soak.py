"""``wirewatch soak``: the full pipeline at a steady rate for minutes, its RSS sampled.

A leak shows as a slope; state the pipeline keeps on purpose (stories, processed-article
marks, spike counts: windows of event time) grows too until its windows fill, so the report
gives the slope over the second half of the run beside the totals, and how much of the
input came through (a soak that falls behind measures its backlog, not its memory).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..seeder import publish
from ..settings import Settings
from .corpus import corpus
from .pipeline import Child, _namespace, collect, rss_mb

SAMPLE_EVERY = 1.0  # seconds


@dataclass
class SoakResult:
    minutes: float
    rate: float
    published: int
    came_through: int
    rss_start_mb: float  # median of the first minute
    rss_end_mb: float  # median of the last minute
    peak_rss_mb: float
    slope_second_half_mb_per_min: float
    samples: list[tuple[float, float]] = field(default_factory=list)  # (seconds, MB)


def slope_per_minute(samples: list[tuple[float, float]]) -> float:
    """Least-squares slope of (seconds, MB) samples, in MB a minute (0 for < 2 samples)."""
    if len(samples) < 2:
        return 0.0
    n = len(samples)
    mx = sum(t for t, _ in samples) / n
    my = sum(v for _, v in samples) / n
    var = sum((t - mx) ** 2 for t, _ in samples)
    if var == 0:
        return 0.0
    return sum((t - mx) * (v - my) for t, v in samples) / var * 60


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2] if ordered else float("nan")


class _Sampler:
    def __init__(self, child: Child) -> None:
        self.child, self.started = child, time.monotonic()
        self.samples: list[tuple[float, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(SAMPLE_EVERY):
            rss = sum(rss_mb(p.pid) for p in self.child.procs)
            self.samples.append((time.monotonic() - self.started, rss))

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)


def soak(
    base: Settings,
    minutes: float,
    rate: float,
    seeds: Path,
    work: Path,
    say: Callable[[str], None],
    report_every: float = 60.0,
) -> SoakResult:
    n = max(1, int(minutes * 60 * rate))
    articles = list(corpus(n, seeds))
    settings = _namespace(base, "F", "soak", work)
    child = Child("F", settings, work / "F-soak")
    try:
        warm = [dict(a, id=f"warm-{a['id']}") for a in articles[:20]]
        asyncio.run(publish(settings, warm))
        asyncio.run(collect(settings, {a["id"] for a in warm}, 120, child.check))
        sampler = _Sampler(child)

        async def run() -> None:
            sending = asyncio.create_task(publish(settings, articles, rate=rate))
            while not sending.done():
                await asyncio.wait({sending}, timeout=report_every)
                child.check()
                if sampler.samples:
                    t, mb = sampler.samples[-1]
                    say(f"soak {t / 60:4.1f} of {minutes:g} min: worker RSS {mb:.0f} MB")
            await sending

        asyncio.run(run())
        done = asyncio.run(collect(settings, {a["id"] for a in articles}, 120, child.check))
        sampler.stop()
    finally:
        child.stop()
    samples = sampler.samples
    end = samples[-1][0] if samples else 0.0
    return SoakResult(
        minutes=minutes,
        rate=rate,
        published=n,
        came_through=len(done),
        rss_start_mb=_median([mb for t, mb in samples if t <= 60]),
        rss_end_mb=_median([mb for t, mb in samples if t >= end - 60]),
        peak_rss_mb=child.peak_mb(),
        slope_second_half_mb_per_min=slope_per_minute([s for s in samples if s[0] >= end / 2]),
        samples=samples,
    )


def summary(result: SoakResult) -> dict[str, Any]:
    out = asdict(result)
    out.pop("samples")
    return {k: round(v, 2) if isinstance(v, float) else v for k, v in out.items()}


def write(result: SoakResult, broker: str, out: Path) -> list[Path]:
    """soak-BROKER.json (every sample), soak-BROKER.md and soak-BROKER.png under ``out``."""
    import matplotlib
    import orjson

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out.mkdir(parents=True, exist_ok=True)
    stem = out / f"soak-{broker}"
    data = {"broker": broker, **summary(result), "samples": result.samples}
    stem.with_suffix(".json").write_bytes(orjson.dumps(data, option=orjson.OPT_INDENT_2))
    s = summary(result)
    stem.with_suffix(".md").write_text(
        f"# Soak on {broker}: {s['minutes']:g} min at {s['rate']:g} articles/s\n\n"
        "| published | came through | RSS first min | RSS last min | peak | slope, 2nd half |\n"
        "| ---: | ---: | ---: | ---: | ---: | ---: |\n"
        f"| {s['published']:,} | {s['came_through']:,} | {s['rss_start_mb']:.0f} MB "
        f"| {s['rss_end_mb']:.0f} MB | {s['peak_rss_mb']:.0f} MB "
        f"| {s['slope_second_half_mb_per_min']:+.2f} MB/min |\n"
    )
    fig, ax = plt.subplots(figsize=(8, 3.5))
    ax.plot([t / 60 for t, _ in result.samples], [mb for _, mb in result.samples])
    ax.axhline(250, color="grey", linestyle="--", linewidth=1)
    ax.set_xlabel("minutes")
    ax.set_ylabel("worker RSS (MB)")
    ax.set_title(f"soak on {broker}: {s['rate']:g} articles/s")
    fig.tight_layout()
    fig.savefig(stem.with_suffix(".png"), dpi=110)
    plt.close(fig)
    return [stem.with_suffix(".json"), stem.with_suffix(".md"), stem.with_suffix(".png")]

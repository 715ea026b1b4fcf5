"""``wirewatch report``: PNG charts of a run, drawn from Prometheus's HTTP API.

Grafana is the place to watch a live pipeline; this is for a picture after a run, on a machine
with nothing but Prometheus: throughput per stage and end-to-end latency (p50/p95/p99), read
with ``/api/v1/query_range`` and drawn with matplotlib's Agg renderer (no display needed).
"""

from __future__ import annotations

import json
import math
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.axes import Axes

QUANTILES = (0.5, 0.95, 0.99)
STAGE_ORDER = ("classify", "tag", "story", "alert")


class ReportError(RuntimeError):
    """Prometheus could not be read, or holds no wirewatch data for the window asked."""


@dataclass(frozen=True)
class Series:
    labels: dict[str, str]
    times: list[float]
    values: list[float]


@dataclass(frozen=True)
class Window:
    start: float
    end: float
    step: float

    @classmethod
    def last(cls, minutes: float, now: float, points: int = 300) -> Window:
        if minutes <= 0:
            raise ReportError("the report window must be longer than 0 minutes")
        seconds = minutes * 60.0
        return cls(start=now - seconds, end=now, step=max(1.0, round(seconds / points, 3)))

    @property
    def rate_range(self) -> str:
        """The ``rate()`` range: at least 30 s, and at least four steps so lines stay smooth."""
        return f"{max(30, math.ceil(self.step * 4))}s"


def query_range(
    prometheus_url: str, expr: str, window: Window, timeout: float = 30.0
) -> list[Series]:
    """``expr`` over ``window`` as a list of series; NaN points (empty histograms) dropped."""
    params = urllib.parse.urlencode(
        {"query": expr, "start": window.start, "end": window.end, "step": window.step}
    )
    url = f"{prometheus_url.rstrip('/')}/api/v1/query_range?{params}"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            body: dict[str, Any] = json.load(response)
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode(errors="replace")[:300]
        raise ReportError(f"Prometheus refused {expr!r}: HTTP {exc.code} {detail}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ReportError(f"cannot reach Prometheus at {prometheus_url}: {reason}") from None
    if body.get("status") != "success":
        raise ReportError(f"Prometheus could not answer {expr!r}: {body.get('error')}")
    out = []
    for item in body["data"]["result"]:
        points = [(float(t), float(v)) for t, v in item["values"] if not math.isnan(float(v))]
        if points:
            out.append(Series(item["metric"], [t for t, _ in points], [v for _, v in points]))
    return out


def draw_report(prometheus_url: str, out_dir: Path, minutes: float) -> list[Path]:
    """Draw throughput and latency charts of the last ``minutes``; return the PNG files written.

    ``throughput.png`` (articles/s processed per stage), ``latency.png`` (end-to-end p50, p95,
    p99) and ``throughput-latency.png`` (both, one above the other).
    """
    window = Window.last(minutes, time.time())
    rate = window.rate_range
    throughput = query_range(
        prometheus_url,
        f"sum by (stage) (rate(wirewatch_articles_processed_total[{rate}]))",
        window,
    )
    if not throughput:
        raise ReportError(
            f"Prometheus at {prometheus_url} has no wirewatch_articles_processed_total samples "
            f"in the last {minutes:g} minutes: is it scraping a worker?"
        )
    throughput.sort(key=lambda s: _stage_rank(s.labels.get("stage", "")))
    latency = {
        q: query_range(
            prometheus_url,
            f"histogram_quantile({q}, sum by (le) "
            f"(rate(wirewatch_end_to_end_latency_seconds_bucket[{rate}])))",
            window,
        )
        for q in QUANTILES
    }
    top_bucket = _top_bucket(
        prometheus_url, "wirewatch_end_to_end_latency_seconds_bucket", window.end
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    span = (
        f"{_clock(window.start)} to {_clock(window.end)}, rate over {rate}, from {prometheus_url}"
    )

    def plot_throughput(ax: Axes) -> None:
        for s in throughput:
            ax.plot(_dates(s.times), s.values, label=s.labels.get("stage", "?"), linewidth=1.4)
        ax.set_title("Throughput per stage")
        ax.set_ylabel("articles / s")
        ax.set_ylim(bottom=0)
        ax.legend(loc="upper left", fontsize=8)

    def plot_latency(ax: Axes) -> None:
        drawn = False
        for q, series in latency.items():
            for s in series:
                ms = [v * 1000.0 for v in s.values]
                ax.plot(_dates(s.times), ms, label=f"p{round(q * 100)}", linewidth=1.4)
                drawn = True
        if not drawn:
            ax.text(0.5, 0.5, "no latency samples", ha="center", transform=ax.transAxes)
        elif top_bucket is not None and any(
            v >= top_bucket for series in latency.values() for s in series for v in s.values
        ):
            # histogram_quantile cannot see past the highest finite bucket: a flat line there
            # means "at least this long", not "exactly this long".
            ax.axhline(top_bucket * 1000.0, color="0.4", linestyle=":", linewidth=1)
            ax.annotate(
                f"highest bucket ({top_bucket:g} s): a line here means ≥ {top_bucket:g} s",
                xy=(1.0, top_bucket * 1000.0),
                xycoords=("axes fraction", "data"),
                xytext=(-4, -12),
                textcoords="offset points",
                ha="right",
                fontsize=7,
                color="0.3",
            )
        ax.set_title("End-to-end latency (ingested_at to alert stage done)")
        ax.set_ylabel("milliseconds")
        ax.set_ylim(bottom=0)
        if drawn:
            ax.legend(loc="upper left", fontsize=8)

    return [
        _save(out_dir / "throughput.png", [plot_throughput], span),
        _save(out_dir / "latency.png", [plot_latency], span),
        _save(out_dir / "throughput-latency.png", [plot_throughput, plot_latency], span),
    ]


def cmd_report(prometheus_url: str, out: Path, minutes: float) -> int:
    """CLI entry: draw the report, print the files written; 0 on success, 2 on an error."""
    try:
        paths = draw_report(prometheus_url, out, minutes)
    except ReportError as exc:
        print(f"wirewatch: error: {exc}", file=sys.stderr, flush=True)
        return 2
    for path in paths:
        print(path)
    return 0


def _top_bucket(prometheus_url: str, bucket_metric: str, at: float) -> float | None:
    """The highest finite ``le`` of a histogram, as Prometheus held it at ``at``."""
    params = urllib.parse.urlencode({"query": f"count by (le) ({bucket_metric})", "time": at})
    try:
        url = f"{prometheus_url.rstrip('/')}/api/v1/query?{params}"
        with urllib.request.urlopen(url, timeout=30) as response:
            body: dict[str, Any] = json.load(response)
    except (urllib.error.URLError, OSError, ValueError):
        return None
    bounds = [float(r["metric"].get("le", "inf")) for r in body.get("data", {}).get("result", [])]
    finite = [b for b in bounds if math.isfinite(b)]
    return max(finite) if finite else None


def _save(path: Path, plots: Sequence[Callable[[Axes], None]], subtitle: str) -> Path:
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
    from matplotlib.figure import Figure

    # A Figure without pyplot renders with Agg and keeps no global state.
    fig = Figure(figsize=(10, 3.6 * len(plots)), dpi=110, layout="constrained")
    axes = fig.subplots(len(plots), 1, sharex=True, squeeze=False)[:, 0]
    for ax, plot in zip(axes, plots, strict=True):
        plot(ax)
        ax.grid(True, alpha=0.3)
        locator = AutoDateLocator()
        ax.xaxis.set_major_locator(locator)
        ax.xaxis_date()
        ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    fig.suptitle(f"wirewatch — {subtitle}", fontsize=8, color="0.35")
    fig.savefig(path, format="png")
    return path


def _dates(times: list[float]) -> Any:
    from matplotlib.dates import date2num

    return date2num([datetime.fromtimestamp(t) for t in times])


def _clock(t: float) -> str:
    return datetime.fromtimestamp(t).strftime("%Y-%m-%d %H:%M:%S")


def _stage_rank(stage: str) -> tuple[int, str]:
    return (STAGE_ORDER.index(stage) if stage in STAGE_ORDER else len(STAGE_ORDER), stage)

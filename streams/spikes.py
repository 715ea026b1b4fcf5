"""Coverage spikes: "Mali: 5× normal coverage in the last hour".

Counts live in a mapping the caller provides (a changelogged faust Table in the worker, a
dict in tests), keyed ``rule|key``, each value the counts by bucket: tumbling windows of
event time.
"""

from __future__ import annotations

import math
from collections.abc import MutableMapping
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml


@dataclass(frozen=True)
class SpikeRule:
    name: str
    by: str  # "country" | "entity"
    window: float
    baseline_windows: int
    factor: float
    baseline_floor: float
    min_articles: int
    severity: str


@dataclass(frozen=True)
class Spike:
    rule: SpikeRule
    key: str
    bucket: int
    count: int
    baseline: float

    @property
    def ratio(self) -> float:
        return self.count / self.baseline

    def reason(self) -> str:
        hours = self.rule.window / 3600
        span = "hour" if hours == 1 else f"{hours:g} hours"
        return (
            f"{self.key}: {self.ratio:.1f}× normal coverage in the last {span} "
            f"({self.count} articles vs {self.baseline:.1f} baseline)"
        )


def load_spike_rules(path: Path | None = None) -> list[SpikeRule]:
    source = (
        path.read_text() if path else files("streams.alert").joinpath("spikes.yaml").read_text()
    )
    doc: dict[str, Any] = yaml.safe_load(source) or {}
    return [
        SpikeRule(
            name=r["name"],
            by=r["by"],
            window=float(r["window_minutes"]) * 60,
            baseline_windows=int(r["baseline_windows"]),
            factor=float(r["factor"]),
            baseline_floor=float(r.get("baseline_floor", 1)),
            min_articles=int(r["min_articles"]),
            severity=r["severity"],
        )
        for r in doc.get("spikes", [])
    ]


def keys_for(rule: SpikeRule, tagged: dict[str, Any]) -> list[str]:
    if rule.by == "country":
        return list(dict.fromkeys(tagged.get("countries", [])))
    # Linked entities only: their number is bounded by the knowledge base.
    return sorted(
        {e["name"] for e in tagged.get("entities", []) if e.get("id") and e["type"] != "country"}
    )


def observe(
    counts: MutableMapping[str, dict[str, int]], rule: SpikeRule, key: str, at: float
) -> Spike | None:
    """Count one article for ``key`` at event time ``at``; return a spike when it crosses."""
    bucket = int(at // rule.window)
    here = f"{rule.name}|{key}"
    # One entry per key, its counts by bucket: one read and one write per article and key
    # (a table write is a changelog message). Buckets that left the baseline are dropped,
    # so an entry stays bounded. JSON object keys are strings.
    oldest = bucket - rule.baseline_windows
    kept = {b: n for b, n in (counts.get(here) or {}).items() if int(b) >= oldest}
    count = kept.get(str(bucket), 0) + 1
    kept[str(bucket)] = count
    counts[here] = kept
    past = sum(n for b, n in kept.items() if int(b) < bucket)
    baseline = max(past / rule.baseline_windows, rule.baseline_floor)
    threshold = max(rule.min_articles, math.ceil(rule.factor * baseline))
    if count == threshold:
        return Spike(rule, key, bucket, count, baseline)
    return None

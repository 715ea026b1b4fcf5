"""Coverage spikes: "Mali: 5× normal coverage in the last hour".

Counts live in a mapping the caller provides (a changelogged faust Table in the worker, a
dict in tests), keyed ``rule|key``: each value holds the counts by bucket (tumbling windows
of event time) and the ids of the articles counted lately, so that an article applied
again after a crash is not counted twice (see ``observe``).
"""

from __future__ import annotations

import math
from collections.abc import MutableMapping
from dataclasses import dataclass
from importlib.resources import files
from itertools import islice
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


# Ids of the articles counted lately, per key and window, of the latest two windows only:
# at least the articles the story stage may have applied without its processed-articles mark
# reaching the broker (two write-through batches, streams/alert/story_agent.py).
SEEN_CAP = 500
# Trimmed only when this many more have come: trimming at every article over the cap copied
# SEEN_CAP ids per article and key (an eighth of the worker's CPU in a backlog).
SEEN_SLACK = SEEN_CAP // 4


def observe(
    counts: MutableMapping[str, dict[str, Any]],
    rule: SpikeRule,
    key: str,
    at: float,
    article_id: str,
) -> Spike | None:
    """Count one article for ``key`` at event time ``at``; return a spike when it crosses.

    Idempotent per article: after a crash the story stage applies again the articles whose
    processed mark was lost, while the count entry may already hold them (its changelog
    message landed). A repeat counts nothing and returns the spike it raised the first time,
    so a spike alert is neither raised by double counting nor lost with the first send.
    """
    bucket = int(at // rule.window)
    here, b = f"{rule.name}|{key}", str(bucket)
    # One entry per key: one read and one write per article and key (a table write is a
    # changelog message). JSON object keys are strings.
    entry = counts.get(here) or {}
    if "n" not in entry:  # none yet, or counts by bucket alone (before ids were kept)
        entry = {"n": entry, "seen": {}}
    first = entry["seen"].get(b, {}).get(article_id)
    if first is not None:
        return Spike(rule, key, bucket, first[0], first[1]) if first else None
    # Buckets that left the baseline are dropped, so an entry stays bounded.
    oldest = bucket - rule.baseline_windows
    kept = {k: n for k, n in entry["n"].items() if int(k) >= oldest}
    count = kept.get(b, 0) + 1
    kept[b] = count
    past = sum(n for k, n in kept.items() if int(k) < bucket)
    baseline = max(past / rule.baseline_windows, rule.baseline_floor)
    threshold = max(rule.min_articles, math.ceil(rule.factor * baseline))
    spike = Spike(rule, key, bucket, count, baseline) if count == threshold else None
    seen = {k: ids for k, ids in entry["seen"].items() if int(k) >= bucket - 1}
    # In place: copying a busy key's ids for every article cost more than the count.
    ids = seen.setdefault(b, {})
    ids[article_id] = [count, baseline] if spike else 0
    if len(ids) > SEEN_CAP + SEEN_SLACK:
        seen[b] = dict(islice(ids.items(), len(ids) - SEEN_CAP, None))
    counts[here] = {"n": kept, "seen": seen}
    return spike

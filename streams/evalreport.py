"""Text rendering of an evaluation: the figures table and the per-article errors."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from streams.evaluate import ENTITY_FIELDS, GOALS, Result

_ROWS = (
    ("articles", "articles"),
    ("event type accuracy", "event_type_accuracy"),
    ("conflict precision", "conflict_precision"),
    ("conflict recall", "conflict_recall"),
    ("conflict F1", "conflict_f1"),
    *(
        (f"{name} {what}", f"{name}_{key}")
        for name in ENTITY_FIELDS
        for what, key in (("P", "precision"), ("R", "recall"), ("F1", "f1"))
    ),
    ("killed articles", "killed_articles"),
    ("killed exact match", "killed_accuracy"),
)


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def table(report: dict[str, dict[str, Any]], splits: Sequence[str]) -> str:
    lines = [f"{'metric':<22}" + "".join(f"{s:>9}" for s in splits) + f"{'goal':>8}"]
    lines.append("-" * len(lines[0]))
    for label, key in _ROWS:
        cells = "".join(f"{_cell(report[s].get(key)):>9}" for s in splits)
        goal = GOALS.get(key)
        flag = ""
        if goal is not None and "all" in splits and report["all"].get(key, 1.0) < goal:
            flag = "  below goal"
        lines.append(f"{label:<22}{cells}{_cell(goal) if goal else '':>8}{flag}")
    return "\n".join(lines)


def errors(results: Sequence[Result]) -> str:
    lines = []
    for r in results:
        if not r.errors:
            continue
        item = r.item
        lines.append(f"{item.get('id', '?')} [{item['split']}] {(item.get('title') or '')[:70]}")
        for name, err in r.errors.items():
            if "missed" in err:
                lines.append(f"    {name}: missed {err['missed']} spurious {err['spurious']}")
            else:
                lines.append(f"    {name}: gold {err['gold']!r} predicted {err['pred']!r}")
    return "\n".join(lines) or "no errors"

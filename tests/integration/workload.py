"""The reliability tests' input: a fixed corpus with fixed event times.

The corpus is every article of ``tests/eval/*.jsonl`` (real news; the five seeds among them)
twice: the second copy is a follow-up with an id of its own, so stories grow and alerts are
suppressed or updated. Event times (``ingested_at``) come from a fixed clock, so a clean run
and a faulted run of the same input must raise the same alerts, ids and versions, whatever
the wall-clock time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from streams.seeder import publish
from streams.settings import Settings

EVAL = Path(__file__).resolve().parents[1] / "eval"
# An hour boundary: the whole corpus (one event-time second apart) falls in one spike window.


EVENT_TIME_ORIGIN = 1_749_999_600.0


RATE = 15.0  # articles a second: moderate, so faults land mid-stream


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

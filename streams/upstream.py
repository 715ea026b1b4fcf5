"""Whether this worker still has work upstream for a partition: the story stage's reorder
buffer asks before it treats a silent partition as idle (streams/reorder.py).

The chain keys every topic by article id, so partition p of articles.raw, .classified and
.tagged holds the same articles, and the story stage's ``source_partition`` is that p.
Only partitions this worker is assigned are known; for the others (another worker has
them) the answer is no, and silence decides as before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import faust
from faust.types import TP


def has_lag(consumer: object, tp: TP) -> bool:
    """Messages of ``tp`` written but not yet delivered to this worker (unknown counts as
    yes: just after an assignment faust knows neither its position nor the end)."""
    read = consumer._read_offset.get(tp)  # type: ignore[attr-defined]  # last delivered
    if read is None:
        read = consumer._committed_offset.get(tp)  # type: ignore[attr-defined]  # next to read
        if read is None:
            return True
        read -= 1
    try:
        end = consumer.highwater(tp)  # type: ignore[attr-defined]
    except Exception:  # not yet fetched from: aiokafka has no state for it
        return True
    return end is None or end > read + 1


def upstream_busy(app: faust.App, topic_names: Iterable[str]) -> Callable[[int], bool]:
    names = tuple(topic_names)

    def busy(partition: int) -> bool:
        consumer = app.consumer
        assigned = consumer.assignment()
        mine = [tp for name in names if (tp := TP(name, partition)) in assigned]
        if not mine:
            return False
        if any(has_lag(consumer, tp) for tp in mine):
            return True
        unacked = consumer._unacked_messages  # type: ignore[attr-defined]  # taken, not done
        return any(m.tp in mine for m in list(unacked))

    return busy

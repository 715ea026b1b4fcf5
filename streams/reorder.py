"""Event-time ordering for the single-partition story stage.

Articles reach the story stage from many partitions in an order that depends on timing.
Stories and alert versions depend on order, so the stage releases arrivals sorted by
(ingested_at, id), as soon as that order is certain: every upstream partition has delivered
something at least as late (a watermark; each partition delivers in order). An idle
partition would hold everything back, so an arrival is released anyway after ``hold``
seconds. A replay of the same input then gives the same stories, alert ids and versions.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(order=True)
class _Held(Generic[T]):
    event_time: float
    key: str
    arrived: float = field(compare=False)
    item: T = field(compare=False)


class ReorderBuffer(Generic[T]):
    def __init__(self, hold: float, sources: int = 0) -> None:
        self.hold = hold
        self.sources = sources
        self._heap: list[_Held[T]] = []
        self._progress: dict[int, float] = {}

    def __len__(self) -> int:
        return len(self._heap)

    def add(
        self, item: T, *, event_time: float, key: str, now: float, source: int | None = None
    ) -> None:
        heapq.heappush(self._heap, _Held(event_time, key, now, item))
        if source is not None:
            self._progress[source] = max(self._progress.get(source, event_time), event_time)

    def watermark(self) -> float | None:
        """Event time every upstream partition has passed, once all have been heard from."""
        if self.sources and len(self._progress) >= self.sources:
            return min(self._progress.values())
        return None

    def release(self, now: float) -> list[T]:
        """Items whose order is settled (watermark) or whose hold has passed, earliest first.

        An item waits behind an earlier-event-time item still being held, so a late
        arrival never overtakes what it should follow.
        """
        mark = self.watermark()
        out: list[T] = []
        while self._heap and (
            self._heap[0].arrived + self.hold <= now
            or (mark is not None and self._heap[0].event_time <= mark)
        ):
            out.append(heapq.heappop(self._heap).item)
        return out

    def drain(self) -> list[T]:
        out = [h.item for h in sorted(self._heap)]
        self._heap.clear()
        return out

"""Event-time ordering for the single-partition story stage.

Articles reach the story stage from many partitions in an order that depends on timing.
Stories and alert versions depend on order, so the stage releases arrivals sorted by
(ingested_at, id) once that order is certain: every upstream partition has delivered
something at least as late (a watermark; each partition delivers in order). A partition
that has been silent for ``idle`` seconds (or never spoke since the first arrival) stops
holding the others back, as in Flink's idle sources: a steady stream is released as fast
as the slowest partition delivers, a sparse one after ``idle``. A replay of the same input,
trickled or as a backlog, then gives the same stories, alert ids and versions.
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
    def __init__(self, idle: float, sources: int) -> None:
        self.idle = idle
        self.sources = sources
        self._heap: list[_Held[T]] = []
        self._progress: dict[int, float] = {}  # latest event time per upstream partition
        self._heard: dict[int, float] = {}  # when each partition last delivered (wall)
        self._first: float | None = None

    def __len__(self) -> int:
        return len(self._heap)

    def add(self, item: T, *, event_time: float, key: str, now: float, source: int) -> None:
        heapq.heappush(self._heap, _Held(event_time, key, now, item))
        self._progress[source] = max(self._progress.get(source, event_time), event_time)
        self._heard[source] = now
        if self._first is None:
            self._first = now

    def watermark(self, now: float) -> float:
        """Event time that every partition still speaking has passed (inf if none is)."""
        speaking = [s for s in range(self.sources) if self._active(s, now)]
        if any(s not in self._progress for s in speaking):
            return float("-inf")  # a partition that may still speak has not spoken yet
        return min((self._progress[s] for s in speaking), default=float("inf"))

    def _active(self, source: int, now: float) -> bool:
        if source in self._heard:
            return now - self._heard[source] < self.idle
        return self._first is not None and now - self._first < self.idle

    def release(self, now: float) -> list[T]:
        """Items whose place in event-time order is settled, earliest first."""
        mark = self.watermark(now)
        out: list[T] = []
        while self._heap and self._heap[0].event_time <= mark:
            out.append(heapq.heappop(self._heap).item)
        return out

    def drain(self) -> list[T]:
        out = [h.item for h in sorted(self._heap)]
        self._heap.clear()
        return out

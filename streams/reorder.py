"""Event-time ordering for the single-partition story stage.

Articles reach the story stage from many partitions in an order that depends on timing.
Stories and alert versions depend on order, so the stage holds each arrival for a short
time and releases them sorted by (ingested_at, id): a replay of the same input then gives
the same stories, alert ids and versions. The hold is the price in latency.
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
    def __init__(self, hold: float) -> None:
        self.hold = hold
        self._heap: list[_Held[T]] = []

    def __len__(self) -> int:
        return len(self._heap)

    def add(self, item: T, *, event_time: float, key: str, now: float) -> None:
        heapq.heappush(self._heap, _Held(event_time, key, now, item))

    def release(self, now: float) -> list[T]:
        """Items whose hold has passed, earliest event time first.

        An item waits behind an earlier-event-time item still being held, so a late
        arrival never overtakes what it should follow.
        """
        out: list[T] = []
        while self._heap and self._heap[0].arrived + self.hold <= now:
            out.append(heapq.heappop(self._heap).item)
        return out

    def drain(self) -> list[T]:
        out = [h.item for h in sorted(self._heap)]
        self._heap.clear()
        return out

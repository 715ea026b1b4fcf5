"""Event-time ordering for the single-partition story stage.

Articles reach the story stage from many partitions in an order that depends on timing.
Stories and alert versions depend on order, so the stage releases arrivals sorted by
(ingested_at, id) once that order is certain: every upstream partition has delivered
something at least as late (a watermark; each partition delivers in order). A partition
that has been silent for ``idle`` seconds (or never spoke since the first arrival) stops
holding the others back, as in Flink's idle sources: a steady stream is released as fast
as the slowest partition delivers, a sparse one after ``idle``. A replay of the same input,
trickled or as a backlog, then gives the same stories, alert ids and versions.

Silence alone is a poor sign of idleness after a restart: upstream stages catch up on their
backlogs partition by partition, and a partition whose articles are still on their way
looked idle after 1 s and let later articles of the others through first (other stories
than an uninterrupted run). So a ``busy(source)`` check, when given, keeps a silent
partition speaking while work for it is still upstream (its lag in this worker), for at
most ``busy_for`` seconds of silence.

A partition with a hole upstream (an offset faust dropped, read again later: its later
articles went ahead of it) says nothing about its progress: while ``holed(source)`` says so,
nothing is released, for at most ``busy_for`` seconds.

An item that comes after a later one has been released is released at once, out of order:
``late`` says so, and by how much, so the stage can count and name it.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
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
    def __init__(
        self,
        idle: float,
        sources: int,
        busy: Callable[[int], bool] | None = None,
        busy_for: float = 30.0,
        holed: Callable[[int], bool] | None = None,
    ) -> None:
        self.idle = idle
        self.sources = sources
        self.busy = busy
        self.busy_for = busy_for
        self.holed = holed
        self._holed_since: dict[int, float] = {}
        self._heap: list[_Held[T]] = []
        self._progress: dict[int, float] = {}  # latest event time per upstream partition
        self._heard: dict[int, float] = {}  # when each partition last delivered (wall)
        self._first: float | None = None
        self._released: tuple[float, str] | None = None  # the latest (event time, key) out

    def __len__(self) -> int:
        return len(self._heap)

    def add(self, item: T, *, event_time: float, key: str, now: float, source: int) -> None:
        heapq.heappush(self._heap, _Held(event_time, key, now, item))
        self._progress[source] = max(self._progress.get(source, event_time), event_time)
        self._heard[source] = now
        if self._first is None:
            self._first = now

    def late(self, event_time: float, key: str) -> float | None:
        """Event-time seconds by which an item not yet added trails the latest released
        one (0.0 on a tie broken by key), or None when its place in order is still open."""
        if self._released is None or (event_time, key) >= self._released:
            return None
        return self._released[0] - event_time

    def watermark(self, now: float) -> float:
        """Event time that every partition still speaking has passed (inf if none is)."""
        if self._held_by_a_hole(now):
            return float("-inf")
        speaking = [s for s in range(self.sources) if self._active(s, now)]
        if any(s not in self._progress for s in speaking):
            return float("-inf")  # a partition that may still speak has not spoken yet
        return min((self._progress[s] for s in speaking), default=float("inf"))

    def _held_by_a_hole(self, now: float) -> bool:
        if self.holed is None:
            return False
        held = False
        for s in range(self.sources):
            if self.holed(s):
                since = self._holed_since.setdefault(s, now)
                held = held or now - since < self.busy_for
            else:
                self._holed_since.pop(s, None)
        return held

    def _active(self, source: int, now: float) -> bool:
        since = self._heard.get(source, self._first)
        if since is None:
            return False
        silent = now - since
        if silent < self.idle:
            return True
        return self.busy is not None and silent < self.busy_for and self.busy(source)

    def explain(self, now: float) -> str:
        """The oldest held item's event time and, per partition, what the watermark sees."""
        head = self._heap[0] if self._heap else None
        parts = []
        for s in range(self.sources):
            since = self._heard.get(s, self._first)
            silent = None if since is None else round(now - since, 2)
            busy = self.busy is not None and self.busy(s)
            holed = self.holed is not None and self.holed(s)
            parts.append(
                f"{s}: at {self._progress.get(s)} silent {silent} s busy {busy} hole {holed}"
            )
        oldest = None if head is None else (head.event_time, head.key, round(now - head.arrived, 2))
        return f"oldest {oldest}; watermark {self.watermark(now)}; " + "; ".join(parts)

    def release(self, now: float) -> list[T]:
        """Items whose place in event-time order is settled, earliest first."""
        mark = self.watermark(now)
        out: list[T] = []
        while self._heap and self._heap[0].event_time <= mark:
            held = heapq.heappop(self._heap)
            if self._released is None or (held.event_time, held.key) > self._released:
                self._released = (held.event_time, held.key)
            out.append(held.item)
        return out

    def drain(self) -> list[T]:
        out = [h.item for h in sorted(self._heap)]
        self._heap.clear()
        return out

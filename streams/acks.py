"""Acknowledge a partition's messages in offset order, whatever order they finish in.

The story stage holds articles in a reorder buffer while later messages (ticks, other
articles) finish first. faust commits the longest run of consecutive acked offsets, but
it checks for a gap at the head of that run only against a non-zero committed offset, and
then lets one missing offset through: a tick acked while offset 0 (or the one just after
the last commit) is still held would commit past it, and a crash or stop would then lose
that article. Acking strictly in offset order leaves faust no gap to misjudge.
"""

from __future__ import annotations

from collections import deque
from typing import Generic, TypeVar

T = TypeVar("T")


class InOrderAcks(Generic[T]):
    """Items in arrival (offset) order; ``done`` returns those that may be acked now."""

    def __init__(self) -> None:
        self._queue: deque[tuple[int, T]] = deque()
        self._done: set[int] = set()
        self._next = 0

    def __len__(self) -> int:
        return len(self._queue)

    def add(self, item: T) -> int:
        """Register an arrival; returns its ticket for ``done``."""
        ticket = self._next
        self._next += 1
        self._queue.append((ticket, item))
        return ticket

    def done(self, ticket: int) -> list[T]:
        """Mark ``ticket`` finished; return every item, oldest first, now free to ack."""
        self._done.add(ticket)
        out: list[T] = []
        while self._queue and self._queue[0][0] in self._done:
            head, item = self._queue.popleft()
            self._done.discard(head)
            out.append(item)
        return out

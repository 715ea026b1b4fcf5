"""Skip a message this process has already handled when faust delivers it again.

After a (re)assignment faust resumes the partitions, then seeks them to the committed
offsets and resets its own read position there: whatever was fetched and handled in
between comes a second time, and a prefetched message can even come before the ones it
follows (faust-streaming/faust#221). So the guard remembers exactly which offsets it
handled, not the highest one: skipping everything below a stray high offset would lose
messages. Only the newest offsets of each partition are kept; a repeat comes soon.
"""

from __future__ import annotations

from collections import deque

# Offsets per partition. A chain stage has at most a fetch and a 256-message stream buffer
# in flight; the story stage's reorder buffer can hold some thousands.
REMEMBERED = 4_000
REMEMBERED_STORY = 20_000


class RedeliveryGuard:
    def __init__(self, remembered: int = REMEMBERED) -> None:
        self.remembered = remembered
        self._handled: dict[tuple[str, int], tuple[set[int], deque[int]]] = {}

    def is_repeat(self, topic: str, partition: int, offset: int) -> bool:
        """True when ``offset`` was handled already; otherwise record it as handled."""
        handled, order = self._handled.setdefault((topic, partition), (set(), deque()))
        if offset in handled:
            return True
        handled.add(offset)
        order.append(offset)
        if len(order) > self.remembered:
            handled.discard(order.popleft())
        return False

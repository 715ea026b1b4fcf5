"""Articles this worker has sent to the story stage's input that its story stage has not
read yet, per upstream partition.

The story stage's reorder buffer asks whether a silent partition still has work upstream
before it lets the others pass (streams/upstream.py: lag or a message being handled). An
article the alert stage has handled is acked at once, while its message to
``articles.matched`` may still sit in the producer's buffer, or in the story stage's fetch
behind a later article of another partition: neither lag nor handling shows it, and a
partition silent for over ``WIREWATCH_STORY_IDLE_MS`` was passed by the watermark just
before its next article came. So the sends are remembered until read, for ``hold`` seconds
at most (longer under exactly_once, below): a message this worker's story stage never reads
(another worker has that input) stops counting, and memory stays bounded.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable

HOLD = 5.0  # seconds: far longer than a send and a fetch on a live broker
# Under exactly_once a send shows to the story stage (read_committed) only once its
# transaction commits, and a commit waits for a cut between events and for offset holes to
# be read again: after a restart that took over 5 s, the send stopped counting, and a
# watermark passed the article just before it showed (CI, kill -9 under exactly_once, seed
# 1827154976: one came 140 s of event time late). As long as the story stage's own cap.
HOLD_TRANSACTIONAL = 30.0


def hold_for(processing_guarantee: str) -> float:
    return HOLD_TRANSACTIONAL if processing_guarantee == "exactly_once" else HOLD


class InFlight:
    def __init__(
        self, topic: str, hold: float = HOLD, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.topic = topic  # the story stage's input
        self.hold = hold
        self.clock = clock
        self._sent: dict[int, OrderedDict[bytes, float]] = {}

    def sent(self, partition: int, key: bytes) -> None:
        now = self.clock()
        pending = self._sent.setdefault(partition, OrderedDict())
        pending[key] = now
        pending.move_to_end(key)
        self._forget_old(pending, now)

    def seen(self, partition: int, key: bytes | None) -> None:
        pending = self._sent.get(partition)
        if pending and key is not None:
            pending.pop(key, None)

    def pending(self, partition: int) -> bool:
        pending = self._sent.get(partition)
        if not pending:
            return False
        self._forget_old(pending, self.clock())
        return bool(pending)

    def waiting(self, partition: int) -> set[bytes]:
        """The keys sent for ``partition`` and not yet read."""
        pending = self._sent.get(partition)
        if not pending:
            return set()
        self._forget_old(pending, self.clock())
        return set(pending)

    def any_of(self, partition: int, keys: set[bytes]) -> bool:
        """Whether any of ``keys`` is still on its way (sent for ``partition``, not read)."""
        return bool(keys & self.waiting(partition))

    def _forget_old(self, pending: OrderedDict[bytes, float], now: float) -> None:
        while pending:
            at = next(iter(pending.values()))
            if now - at < self.hold:
                return
            pending.popitem(last=False)

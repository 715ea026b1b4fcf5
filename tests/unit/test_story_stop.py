"""The story stage's stop leaves its undelivered work to the next worker (no stall)."""

from __future__ import annotations

import weakref
from dataclasses import dataclass

from streams.alert.story_agent import leave_the_rest_for_the_next_worker


@dataclass(eq=False)
class Message:
    topic: str
    offset: int
    acked: bool = False


class Consumer:
    """The two parts of faust's Consumer that its stop's ``wait_empty`` uses."""

    def __init__(self) -> None:
        self._unacked_messages: weakref.WeakSet[Message] = weakref.WeakSet()

    def _clean_unacked_messages(self) -> None:
        self._unacked_messages -= {m for m in self._unacked_messages if m.acked}


def test_unacked_story_messages_stop_holding_up_the_stop_now_and_later() -> None:
    consumer = Consumer()
    story = Message("matched", 95)
    other = Message("raw", 7)
    keep = [story, other]
    consumer._unacked_messages.update(keep)

    leave_the_rest_for_the_next_worker(consumer, "matched")
    assert set(consumer._unacked_messages) == {other}  # another topic's wait is kept

    late, acked = Message("matched", 96), Message("raw", 8, acked=True)
    keep += [late, acked]
    consumer._unacked_messages.update([late, acked])  # tracked after the drain
    consumer._clean_unacked_messages()
    assert set(consumer._unacked_messages) == {other}
    assert not story.acked and not late.acked  # left unacked: not committed

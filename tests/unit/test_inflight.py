"""Sends to the story stage's input remembered until read, for a bounded time."""

from streams.inflight import InFlight, hold_for
from streams.reorder import ReorderBuffer


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_partition_is_pending_from_its_send_until_the_story_stage_reads_it() -> None:
    clock = Clock()
    flight = InFlight("matched", hold=5.0, clock=clock)
    assert not flight.pending(0)
    flight.sent(0, b"a1")
    flight.sent(0, b"a2")
    assert flight.pending(0) and not flight.pending(1)
    flight.seen(0, b"a1")
    assert flight.pending(0)  # a2 is still on its way
    flight.seen(1, b"a2")  # another partition's read does not count for it
    flight.seen(0, None)  # a keyless message (a tick) neither
    assert flight.pending(0)
    flight.seen(0, b"a2")
    assert not flight.pending(0)
    flight.seen(0, b"a2")  # read twice (a redelivery): no error, still not pending
    assert not flight.pending(0)


def test_a_send_never_read_stops_counting_after_hold_and_is_forgotten() -> None:
    clock = Clock()
    flight = InFlight("matched", hold=5.0, clock=clock)
    flight.sent(3, b"old")
    clock.now += 4.0
    flight.sent(3, b"new")
    clock.now += 1.5  # old: 5.5 s, new: 1.5 s
    assert flight.pending(3)
    flight.seen(3, b"new")
    assert not flight.pending(3)  # old is past hold
    clock.now += 10.0
    for i in range(1000):
        flight.sent(3, str(i).encode())
        clock.now += 0.01  # 10 s in all: only the last 5 s are kept
    assert 490 <= len(flight._sent[3]) <= 510
    flight.sent(3, b"999")  # sent again: counted from now
    clock.now += 4.9
    assert flight.pending(3)


def test_under_exactly_once_a_send_counts_as_long_as_the_story_stage_waits() -> None:
    # A send shows to the story stage only when its transaction commits, which can take
    # longer than the at-least-once hold after a restart.
    cap = ReorderBuffer(idle=1.0, sources=1).busy_for
    assert hold_for("exactly_once") >= cap > hold_for("at_least_once")

"""Offsets faust could commit without having handled them (streams.commit_gaps)."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Iterator, Mapping
from typing import Any

import faust
import pytest
from faust.transport.consumer import Consumer
from faust.types import TP, Message

from streams import commit_gaps

TOPIC = "articles.raw"
TP0 = TP(TOPIC, 0)


@pytest.fixture
def consumer() -> Iterator[Consumer]:
    """A faust consumer that is never started (no broker), acks enabled for TOPIC."""
    commit_gaps.install()
    app = faust.App("commit-gaps-test", broker="kafka://127.0.0.1:1")
    app.topics._acking_topics.add(TOPIC)  # what subscribing an acking stream does
    yield app.consumer


def deliver(consumer: Consumer, offset: int) -> Message:
    m = Message(TOPIC, 0, offset, 0.0, 0, [], None, b"{}", None)
    consumer.track_message(m)
    return m


def test_offsets_delivered_before_a_read_offset_reset_are_not_a_gap(consumer: Consumer) -> None:
    """Recovery resets the read offset to the committed 24 while a batch goes on: faust then
    calls the already delivered 25-37 a gap when 38 comes. The commit must cover exactly
    the handled offsets, in one step (faust's own: 26, then 27, ...)."""
    consumer._committed_offset[TP0] = 24
    handled = [deliver(consumer, o) for o in range(24, 38)]
    for m in handled[:-3]:
        consumer.ack(m)  # 24-34 handled; 35-37 still queued in the stream
    asyncio.run(consumer._add_gap(TP0, 25, 38))
    deliver(consumer, 38)
    assert consumer._new_offset(TP0) == 35
    consumer._committed_offset[TP0] = 35  # what a successful commit records
    for m in handled[-3:]:
        consumer.ack(m)
    assert consumer._new_offset(TP0) == 38
    assert consumer._acked[TP0] == []


def test_no_commit_passes_an_offset_never_handled(consumer: Consumer) -> None:
    """13 came before 12 and faust dropped 12: its own commit would pass 12 (gap or not)."""
    consumer._committed_offset[TP0] = 12
    asyncio.run(consumer._add_gap(TP0, 12, 13))
    consumer.ack(deliver(consumer, 13))
    consumer.ack(deliver(consumer, 14))
    assert consumer._new_offset(TP0) is None
    consumer.ack(deliver(consumer, 12))  # delivered again after a seek
    assert consumer._new_offset(TP0) == 15


def test_acks_while_a_commit_is_in_flight_are_no_hole(consumer: Consumer) -> None:
    """The commit takes 24-33 out of the acks and records 34 only once the broker answers;
    34-36 handled meanwhile used to look like a hole at 24 (the watch then sought back)."""
    consumer._committed_offset[TP0] = 24
    msgs = [deliver(consumer, o) for o in range(24, 40)]
    for m in msgs[:10]:
        consumer.ack(m)
    during: list[dict[TP, int]] = []

    async def attached(offsets: Mapping[TP, int]) -> None:
        pass

    async def commit_offsets(offsets: Mapping[TP, int], start_new_transaction: bool = True) -> bool:
        for m in msgs[10:13]:
            consumer.ack(m)
        during.append(commit_gaps.current_holes(consumer))
        consumer._committed_offset.update(offsets)
        return True

    consumer._handle_attached = attached  # type: ignore[method-assign,assignment]
    consumer._commit_offsets = commit_offsets  # type: ignore[method-assign]
    assert asyncio.run(consumer._commit_tps([TP0], True))
    assert during == [{}]
    assert consumer._committed_offset[TP0] == 34
    assert commit_gaps.committing(consumer) == {}
    assert commit_gaps.current_holes(consumer) == {}


def test_a_failed_commit_leaves_its_offsets_to_the_hole_watch(consumer: Consumer) -> None:
    consumer._committed_offset[TP0] = 24
    msgs = [deliver(consumer, o) for o in range(24, 30)]
    for m in msgs[:3]:
        consumer.ack(m)

    async def broken(offsets: Mapping[TP, int]) -> None:
        consumer.ack(msgs[3])
        raise ConnectionError("broker went away")

    consumer._handle_attached = broken  # type: ignore[method-assign,assignment]
    with pytest.raises(ConnectionError):
        asyncio.run(consumer._commit_tps([TP0], True))
    assert commit_gaps.committing(consumer) == {}
    assert commit_gaps.current_holes(consumer) == {TP0: 24}


def test_holes_are_heads_neither_acked_nor_pending() -> None:
    a, b, c = TP(TOPIC, 0), TP(TOPIC, 1), TP(TOPIC, 2)
    acked = {a: [13, 14], b: [5, 6], c: [8]}
    committed: dict[TP, int | None] = {a: 12, b: 5, c: 7}
    assert commit_gaps.holes(acked, committed, pending={(c, 7)}) == {a: 12}


def test_a_hole_between_acks_is_found_before_the_commits_reach_it() -> None:
    a, b = TP(TOPIC, 0), TP(TOPIC, 1)
    acked = {a: [41, 42, 43, 45, 46], b: [7, 9]}
    committed: dict[TP, int | None] = {a: 41, b: 7}
    # 44 was never delivered; 8 is still being handled.
    assert commit_gaps.holes(acked, committed, pending={(b, 8)}) == {a: 44}


def test_a_partition_never_committed_has_its_holes_found_from_the_first_ack() -> None:
    """Under exactly_once no commit passes a hole, the first one included: a watch that
    waited for a committed offset left matched[0] stalled behind its offset 2 for good."""
    a = TP(TOPIC, 0)
    assert commit_gaps.holes({a: [0, 1, 3, 4]}, {a: None}, pending=set()) == {a: 2}


class FakeConsumer:
    """The consumer state HoleWatch reads, and a seek that records itself."""

    def __init__(self) -> None:
        self._acked: dict[TP, list[int]] = defaultdict(list)
        self._acked_index: dict[TP, set[int]] = defaultdict(set)
        self._committed_offset: dict[TP, int | None] = {}
        self._read_offset: dict[TP, int | None] = {}
        self._unacked_messages: set[Any] = set()
        self.seeks: list[tuple[TP, int]] = []

    async def seek_wait(self, partitions: dict[TP, int]) -> None:
        for tp, offset in partitions.items():
            self.seeks.append((tp, offset))
            self._read_offset[tp] = offset


def test_hole_watch_seeks_back_then_passes_only_a_hole_read_past() -> None:
    c = FakeConsumer()
    c._committed_offset[TP0] = 12
    c._acked[TP0] = [13, 14]
    watch = commit_gaps.HoleWatch()
    for _ in range(commit_gaps.SEEKS):
        asyncio.run(watch.round(c))  # type: ignore[arg-type]
    assert c.seeks == [(TP0, 12)] * commit_gaps.SEEKS
    asyncio.run(watch.round(c))  # type: ignore[arg-type]
    assert c._acked[TP0] == [13, 14], "not read past 12 yet: it may still come"
    c._read_offset[TP0] = 14  # read past 12 after the seeks, and 12 never came
    asyncio.run(watch.round(c))  # type: ignore[arg-type]
    assert c._acked[TP0] == [12, 13, 14]


def test_hole_watch_forgets_a_filled_hole() -> None:
    c = FakeConsumer()
    c._committed_offset[TP0] = 12
    c._acked[TP0] = [13]
    watch = commit_gaps.HoleWatch()
    asyncio.run(watch.round(c))  # type: ignore[arg-type]
    c._acked[TP0] = [12, 13]  # 12 delivered again and handled
    asyncio.run(watch.round(c))  # type: ignore[arg-type]
    assert watch.sought == {} and c.seeks == [(TP0, 12)]


def test_install_is_idempotent() -> None:
    commit_gaps.install()
    commit_gaps.install()
    assert Consumer._add_gap is commit_gaps._add_gap


def test_every_marker_between_acks_is_passed_in_one_round(
    consumer: Consumer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A topic written in transactions has a marker after every transaction: passing only
    the first hole each round fell behind them, and exactly_once commits nothing past any."""
    from streams import markers

    monkeypatch.setattr(markers, "_skipped", {(TOPIC, 0): [(12, 13), (14, 15), (20, 22)]})
    consumer._committed_offset[TP0] = 10
    for offset in (10, 11, 13, 15):
        consumer.ack(deliver(consumer, offset))
    assert commit_gaps.pass_markers(consumer) == 2
    assert consumer._new_offset(TP0) == 16

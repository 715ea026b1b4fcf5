"""faust's offset gaps: only offsets never delivered may be committed over (streams.commit_gaps)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

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


def message(offset: int) -> Message:
    return Message(TOPIC, 0, offset, 0.0, 0, [], None, b"{}", None)


def deliver(consumer: Consumer, offset: int) -> Message:
    m = message(offset)
    consumer.track_message(m)
    return m


def test_the_message_being_delivered_is_not_part_of_the_gap(consumer: Consumer) -> None:
    """Offsets 11 and 12 are missing (e.g. transaction markers); 13 arrives and is still
    being handled when 14, handled concurrently, is acked."""
    consumer._committed_offset[TP0] = 10
    consumer.ack(deliver(consumer, 10))
    asyncio.run(consumer._add_gap(TP0, 11, 13))  # what faust's fetch loop calls for 13
    pending = deliver(consumer, 13)
    consumer.ack(deliver(consumer, 14))
    assert consumer._new_offset(TP0) == 13  # 13 is not done: a restart must read it again
    consumer._committed_offset[TP0] = 13
    consumer.ack(pending)
    assert consumer._new_offset(TP0) == 15


def test_offsets_delivered_before_a_read_offset_reset_are_not_a_gap(consumer: Consumer) -> None:
    """Recovery resets the read offset to the committed 24 while a batch goes on: faust then
    calls the already delivered 25-37 a gap when 38 comes. The commit must cover exactly
    the handled offsets, in one step."""
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


def test_install_is_idempotent() -> None:
    commit_gaps.install()
    commit_gaps.install()
    assert Consumer._add_gap is commit_gaps._add_gap

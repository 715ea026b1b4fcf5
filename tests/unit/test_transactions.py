"""exactly_once's pieces without a broker (streams.transactions): which transaction a send
goes into, and that a commit happens only between events."""

from __future__ import annotations

import asyncio
import weakref
from types import SimpleNamespace
from typing import Any

import faust
import pytest
from faust.streams import _current_event
from faust.types import TP

from streams.transactions import Cut, EventTransactions, first_gap

APP = "tx-test"


class Sent:
    """A stand-in for faust's producer: records each send's destination and transaction."""

    def __init__(self) -> None:
        self.sends: list[tuple[str, int | None, str | None]] = []

    async def send(self, topic: str, key: Any, value: Any, partition: int | None, *rest: Any,
                   transactional_id: str | None) -> None:  # fmt: skip
        self.sends.append((topic, partition, transactional_id))


@pytest.fixture
def transactions() -> tuple[EventTransactions, Sent]:
    app = faust.App(APP, broker="kafka://127.0.0.1:1", processing_guarantee="exactly_once")
    # faust's assignor groups topics by partition count: 6 partitions are group 0, 1 is 1.
    app.assignor._topic_groups = {
        "articles.raw": 0,
        "articles.matched": 1,
        f"{APP}-stories-changelog": 1,
    }
    sent = Sent()
    # The partition is always given here; faust's consumer would look keys up in metadata.
    consumer = SimpleNamespace(key_partition=lambda topic, key, partition: partition)
    manager = EventTransactions(app.transport, consumer=consumer, producer=sent)
    return manager, sent


class Event:
    """What the manager reads of faust's current event (weakly referenced, as faust does)."""

    def __init__(self, tp: TP) -> None:
        self.message = SimpleNamespace(tp=tp)


def send_while_handling(manager: EventTransactions, event_tp: TP | None, **kw: Any) -> None:
    async def scenario() -> None:
        if event_tp is not None:
            event = Event(event_tp)
            _current_event.set(weakref.ref(event))  # type: ignore[arg-type]
        await manager.send(key=b"k", value=b"v", timestamp=None, headers=None, **kw)

    asyncio.run(scenario())  # a fresh context: no event unless set here


def test_a_send_while_handling_an_event_joins_the_events_transaction(
    transactions: tuple[EventTransactions, Sent],
) -> None:
    """The chain, handling raw[3], writes to the one-partition articles.matched: the write
    commits with raw[3]'s offsets (faust put it in articles.matched's own transaction)."""
    manager, sent = transactions
    send_while_handling(manager, TP("articles.raw", 3), topic="articles.matched", partition=0)
    assert sent.sends == [("articles.matched", 0, f"{APP}-0-3")]


def test_a_changelog_write_after_the_event_joins_its_partitions_transaction(
    transactions: tuple[EventTransactions, Sent],
) -> None:
    manager, sent = transactions
    send_while_handling(manager, None, topic=f"{APP}-stories-changelog", partition=0)
    assert sent.sends == [(f"{APP}-stories-changelog", 0, f"{APP}-1-0")]


def test_a_send_outside_any_event_is_in_no_transaction(
    transactions: tuple[EventTransactions, Sent],
) -> None:
    """The story stage's ticks: in a transaction they would show only at its next commit."""
    manager, sent = transactions
    send_while_handling(manager, None, topic="articles.matched", partition=0)
    assert sent.sends == [("articles.matched", 0, None)]


def test_a_commit_waits_for_the_event_in_hand_and_holds_the_next_back() -> None:
    async def scenario() -> list[str]:
        cut, log = Cut(), []
        handed = asyncio.Event()

        async def handle(name: str, hold: float) -> None:
            async with cut.event():
                log.append(f"{name} taken")
                handed.set()
                await asyncio.sleep(hold)
                log.append(f"{name} acked")

        async def commit() -> None:
            async with cut.closed() as reached:
                log.append(f"commit {reached}")
                await asyncio.sleep(0.02)
                log.append("commit done")

        first = asyncio.create_task(handle("a", 0.05))
        await handed.wait()
        committing = asyncio.create_task(commit())
        await asyncio.sleep(0.01)
        second = asyncio.create_task(handle("b", 0.0))
        await asyncio.gather(first, committing, second)
        return log

    assert asyncio.run(scenario()) == [
        "a taken",
        "a acked",
        "commit True",
        "commit done",
        "b taken",
        "b acked",
    ]


def test_a_commit_that_finds_no_cut_in_time_is_told_so() -> None:
    async def scenario() -> tuple[bool, int]:
        cut = Cut()
        async with cut.event(), cut.closed(within=0.05) as reached:
            return reached, cut.inside

    assert asyncio.run(scenario()) == (False, 1)


@pytest.mark.parametrize(
    ("acked", "committed", "gap"),
    [
        ([30, 31, 32], 30, None),  # one run from the committed offset: all covered
        ([30, 31, 32, 34, 35], 30, 33),  # 33 dropped: 34 and 35's outputs are in the
        # transaction, a commit would stop at 33 (seed 247015934 repeated them after kill -9)
        ([31, 32], 30, 30),  # the committed offset itself never handled
        ([], 30, None),
        ([28, 29, 30, 31], 30, None),  # acks below the committed offset are old news
        ([5, 6, 7], None, None),  # never committed: from the first ack
    ],
)
def test_a_transaction_with_outputs_past_an_offset_hole_is_not_committed(
    acked: list[int], committed: int | None, gap: int | None
) -> None:
    assert first_gap(acked, committed) == gap

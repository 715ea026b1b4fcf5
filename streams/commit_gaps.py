"""Offsets faust commits over without having handled them, and what is done instead.

faust records a "gap" when a fetched message's offset is more than one past the last one it
read, and counts the gap's offsets as done (for transaction markers and compacted-away
records). It gets the gap wrong:

1. The gap ends at the offset of the message being delivered, so that message counts as
   done before a stream has handled it.
2. After a rebalance, recovery resumes the partitions, then seeks them to the committed
   offsets and resets the read offsets; a fetch loop still working through a batch fetched
   in between goes on with it, and its next message makes every offset delivered since
   the reset a "gap". Those offsets sit in faust's ack list twice, its run of consecutive
   offsets ends at each duplicate, and commits advanced one offset per commit interval: a
   clean stop left most work uncommitted (13-51 articles handled twice after a SIGTERM).
3. It drops a message that comes after a later one (faust-streaming/faust#221, seen after
   restarts) — a gap then counts it done — and it commits past one missing offset at the
   head of its acks: the message is lost.
4. A commit takes its run of acked offsets out of the ack list when it starts and records
   the committed offset only when the broker has answered (after flushing the producer):
   meanwhile the acks of later offsets look like a hole at the old committed offset.

So no gap is recorded and no commit passes a "hole" (an offset neither acked nor pending
while a later one is acked). ``HoleWatch`` seeks the partition back to the hole so that it
is delivered again. A hole aiokafka's fetch passed over without a record (a transaction
marker or an aborted record, streams/markers.py) is passed at once; any other hole that faust
reads past after SEEKS seeks without delivering it holds no message either and is passed.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Collection, Iterable, Mapping

import faust
from faust.transport.consumer import Consumer
from faust.types import TP

from . import markers

log = logging.getLogger(__name__)
_original_new_offset = Consumer._new_offset
_original_commit_tps = Consumer._commit_tps


async def _add_gap(self: Consumer, tp: TP, offset_from: int, offset_to: int) -> None:
    """Record no gap: what faust would count done here may still come (or was dropped);
    HoleWatch finds the offsets that never come and passes them."""


def _new_offset(self: Consumer, tp: TP) -> int | None:
    # Both are next-to-read offsets: acks that start past the committed one leave a hole.
    acked, committed = self._acked[tp], self._committed_offset[tp]
    if acked and committed is not None and min(acked) > committed:
        return None
    offset = _original_new_offset(self, tp)
    if offset is not None:
        committing(self)[tp] = offset  # taken out of the acks; committed when _commit_tps ends
    return offset


async def _commit_tps(self: Consumer, tps: Iterable[TP], start_new_transaction: bool) -> bool:
    tps = list(tps)
    try:
        return await _original_commit_tps(self, tps, start_new_transaction)
    finally:
        flying = committing(self)
        for tp in tps:
            flying.pop(tp, None)


def committing(consumer: Consumer) -> dict[TP, int]:
    """Per partition, the offset a commit in flight is taking it to (4. above)."""
    flying: dict[TP, int] | None = getattr(consumer, "_wirewatch_committing", None)
    if flying is None:
        flying = consumer._wirewatch_committing = {}  # type: ignore[attr-defined]
    return flying


def install() -> None:
    """Patch faust's consumer, and aiokafka's fetcher for markers (once per process)."""
    markers.install()
    if Consumer._add_gap is not _add_gap:
        Consumer._add_gap = _add_gap  # type: ignore[method-assign]
        Consumer._new_offset = _new_offset  # type: ignore[method-assign]
        Consumer._commit_tps = _commit_tps  # type: ignore[method-assign]


def holes(
    acked: Mapping[TP, Iterable[int]],
    committed: Mapping[TP, int | None],
    pending: set[tuple[TP, int]],
) -> dict[TP, int]:
    """Per partition, the first offset from the committed one on that is neither acked nor
    pending while a later one is acked: an offset faust never delivered (or dropped). A
    hole in the middle of the acks counts too: a commit stops right before it."""
    waiting: dict[TP, set[int]] = {}
    for tp, offset in pending:
        waiting.setdefault(tp, set()).add(offset)
    out: dict[TP, int] = {}
    for tp, offsets in acked.items():
        done = set(offsets)
        if not done:
            continue
        hole = first_hole(done, committed.get(tp), waiting.get(tp, set()).__contains__)
        if hole is not None:
            out[tp] = hole
    return out


def first_hole(
    done: Collection[int], head: int | None, excused: Callable[[int], bool]
) -> int | None:
    """The first offset from ``head`` (the committed one) up to the last of ``done`` that is
    not done and not ``excused``. Never committed: from the first ack; under exactly_once a
    hole holds the first commit too (streams/transactions.py), so waiting for a committed
    offset would wait forever."""
    if head is None:
        head = min(done)
    for offset in range(head, max(done)):
        if offset not in done and not excused(offset):
            return offset
    return None


SEEKS = 6  # a seek can race a batch still being delivered (2. above): try a few times


class HoleWatch:
    """Each round: seek a partition back to its hole; pass a hole that faust read past
    after SEEKS seeks without delivering it (no message there: a transaction marker)."""

    def __init__(self) -> None:
        self.sought: dict[TP, tuple[int, int]] = {}  # partition -> (hole offset, seeks)

    async def round(self, consumer: Consumer) -> None:
        pass_markers(consumer)
        found = current_holes(consumer)
        for tp in set(self.sought) - set(found):
            del self.sought[tp]  # filled
        for tp, offset in found.items():
            hole, seeks = self.sought.get(tp, (offset, 0))
            if hole != offset:
                seeks = 0
            if seeks < SEEKS:
                log.warning("offset %d of %s[%d] was never handled: reading it again",
                            offset, tp.topic, tp.partition)  # fmt: skip
                self.sought[tp] = (offset, seeks + 1)
                # On the consumer's thread: faust's ``seek`` calls aiokafka from this one,
                # racing a fetch in progress there (aiokafka's fetcher crashed with a
                # KeyError on the partition, and the worker with it).
                await consumer.seek_wait({tp: offset})
            elif (consumer._read_offset.get(tp) or -1) > offset:
                log.info("offset %d of %s[%d] holds no message: passing it",
                         offset, tp.topic, tp.partition)  # fmt: skip
                _pass(consumer, tp, offset)
                del self.sought[tp]


def pass_markers(consumer: Consumer) -> int:
    """Count as handled every offset between the committed one and the last acked that a
    fetch passed over without a record: transaction markers and aborted records, several a
    second on a topic written in transactions. All of them, not the first hole only: under
    exactly_once no commit passes any hole (streams/transactions.py)."""
    passed = 0
    for tp, acked in consumer._acked.items():
        if not acked:
            continue
        head = committed_to(consumer, tp)
        if head is None:
            head = min(acked)
        done = consumer._acked_index[tp]
        for offset in markers.skipped_in(tp.topic, tp.partition, head, max(acked)):
            if offset not in done:
                _pass(consumer, tp, offset)
                passed += 1
    return passed


def _pass(consumer: Consumer, tp: TP, offset: int) -> None:
    """Count ``offset`` as handled, so commits go past it."""
    consumer._acked[tp].append(offset)
    consumer._acked[tp].sort()
    consumer._acked_index[tp].add(offset)


def committed_to(consumer: Consumer, tp: TP) -> int | None:
    """The offset ``tp`` is committed to, or a commit in flight is taking it to."""
    committed = consumer._committed_offset.get(tp)
    flying = committing(consumer).get(tp)
    if flying is None:
        return committed
    return max(flying, committed or 0)


def current_holes(consumer: Consumer) -> dict[TP, int]:
    pending = {(m.tp, m.offset) for m in consumer._unacked_messages}
    done_to = {tp: committed_to(consumer, tp) for tp in consumer._acked}
    return holes(consumer._acked, done_to, pending)


async def settle_holes(consumer: Consumer, within: float, poll: float = 0.05) -> bool:
    """Wait until no hole holds a commit back (the watch refills them), at most ``within``
    seconds; True when none is left. A stop waits for this: faust drops records fetched
    while a rebalance stops its flow, most often just after a (re)start, and a stop before
    the hole is refilled left every later offset uncommitted (13-87 articles of 198
    handled again after a SIGTERM)."""
    deadline = time.monotonic() + within
    while current_holes(consumer):
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(poll)
    return True


def watch_holes(app: faust.App, every: float = 0.5, settle_within: float = 5.0) -> None:
    watch = HoleWatch()

    @app.timer(every, name="wirewatch.offset-holes")
    async def find_holes() -> None:
        await watch.round(app.consumer)  # type: ignore[arg-type]  # faust types it as ConsumerT

    async def settle() -> None:
        consumer = app.consumer
        if not await settle_holes(consumer, settle_within):  # type: ignore[arg-type]
            log.warning("stopping with offsets never handled: %s (read again after the restart)",
                        current_holes(consumer))  # type: ignore[arg-type]  # fmt: skip

    app.wirewatch_settle = settle  # type: ignore[attr-defined]  # run_worker calls it

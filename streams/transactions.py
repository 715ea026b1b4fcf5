"""exactly_once: each input partition's work in its own transaction, committed at a cut.

faust opens one transactional producer per input partition, and commits a partition's
offsets in that producer's transaction, but it sends each message in the transaction of
its *destination* partition. So the chain's writes to the one-partition
``articles.matched`` went into the story stage's transaction and committed only with the
story stage's offsets, and a crash could commit an alert without the offset of the
article that raised it. Here:

- a message sent while an agent handles an event goes into the transaction of the event's
  partition, the one whose offsets that transaction commits (``EventTransactions``);
- a table's changelog write is sent from faust's buffer after the event, with no event
  context; its partition is the event's, so faust's own choice (by destination) is the
  right one for it;
- any other send (the story stage's ticks, which carry nothing) goes out at once, outside
  any transaction: a tick held in an open transaction would only show once the next
  article's commit came, and the held articles it is there to release would wait for it;
- a commit waits until no agent is inside an event (``Cut``): an event's sends and its ack
  land in the same transaction, never one without the other.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Iterable
from contextlib import asynccontextmanager
from typing import Any

import faust
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError
from faust.streams import current_event
from faust.transport.consumer import TransactionManager
from faust.types import TP, AppT
from faust.types.tuples import RecordMetadata

from .commit_gaps import committed_to
from .settings import Settings, SettingsError

log = logging.getLogger(__name__)
CHANGELOG_SUFFIX = "-changelog"  # faust names a table's changelog topic so
# A commit that cannot find a moment with no event in hand is skipped, not forced: an
# uncommitted offset is only read again. This keeps a stuck send from stopping the worker.
CUT_WITHIN = 10.0
CHECK_WITHIN = 15.0  # seconds for a broker to answer the transactions check


class Cut:
    """Agents are inside an event from taking it to acking it; a commit runs only when none
    is, and no event is taken while it runs."""

    def __init__(self) -> None:
        self._inside = 0
        self._open = asyncio.Event()
        self._open.set()
        self._empty = asyncio.Event()
        self._empty.set()

    @property
    def inside(self) -> int:
        return self._inside

    @asynccontextmanager
    async def event(self) -> AsyncIterator[None]:
        await self._open.wait()
        self._inside += 1
        self._empty.clear()
        try:
            yield
        finally:
            self._inside -= 1
            if not self._inside:
                self._empty.set()

    @asynccontextmanager
    async def closed(self, within: float = CUT_WITHIN) -> AsyncIterator[bool]:
        """Hold new events back and wait for those in hand; yields False when they did not
        finish ``within`` seconds (the caller should not commit then)."""
        self._open.clear()
        try:
            try:
                await asyncio.wait_for(self._empty.wait(), within)
            except TimeoutError:
                yield False
            else:
                yield True
        finally:
            self._open.set()


def transactional_id(app: AppT, tp: TP) -> str:
    """The transaction that commits ``tp``'s offsets: faust's format, which its commit uses."""
    return f"{app.conf.id}-{app.assignor.group_for_topic(tp.topic)}-{tp.partition}"


def first_gap(acked: Iterable[int], committed: int | None) -> int | None:
    """The first offset not acked from the committed one on when a later one is: the run a
    commit can take stops there, while the later events' outputs are in the transaction."""
    done = {o for o in acked if committed is None or o >= committed}
    if not done:
        return None
    offset = min(done) if committed is None else committed
    while offset in done:
        offset += 1
    return offset if offset < max(done) else None


def _what_is_at(consumer: Any, tp: TP, offset: int) -> str:
    for m in consumer._unacked_messages:
        if m.tp == tp and m.offset == offset:
            return f"delivered, not acked (key {m.key!r:.40})"
    return "not delivered"


class EventTransactions(TransactionManager):
    """faust's transaction manager, choosing each send's transaction as described above."""

    def _transactional_id(self, tp: TP) -> str:
        return transactional_id(self.app, tp)

    async def send(
        self,
        topic: str,
        key: bytes | None,
        value: bytes | None,
        partition: int | None,
        timestamp: float | None,
        headers: Any,
        *,
        transactional_id: str | None = None,
    ) -> Awaitable[RecordMetadata]:
        p = self.consumer.key_partition(topic, key, partition)
        event = current_event()
        tid: str | None = None
        if event is not None:
            tid = self._transactional_id(event.message.tp)
        elif p is not None and topic.endswith(CHANGELOG_SUFFIX):
            tid = self._transactional_id(TP(topic, p))
        return await self.producer.send(
            topic, key, value, p, timestamp, headers, transactional_id=tid
        )


def install(app: faust.App, cut: Cut) -> None:
    """Use ``EventTransactions`` and commit only at a cut. Call before ``app.consumer``
    is first touched: faust builds the transaction manager with the consumer."""
    app.transport.TransactionManager = EventTransactions  # type: ignore[misc]
    # faust's Worker says so only once it starts, and the consumer takes ``in_transaction``
    # from the app when it is built (here, before that): it would run without transactions.
    app.in_worker = True
    consumer: Any = app.consumer
    assert consumer.in_transaction, "faust built the consumer without transactions"
    commit_tps = consumer._commit_tps

    async def commit_at_a_cut(tps: Iterable[TP], start_new_transaction: bool) -> bool:
        async with cut.closed() as reached:
            if not reached:
                log.warning("commit skipped: an event was in hand for %.0f s", CUT_WITHIN)
                return False
            tps = list(tps)
            # A transaction holds the outputs of every event it handled: while one of its
            # partitions has an offset not yet handled before others that were (faust
            # dropped a message; the hole watch reads it again), committing would publish
            # those outputs with an offset short of them, and a crash would repeat them.
            holes = {tp: first_gap(consumer._acked[tp], committed_to(consumer, tp)) for tp in tps}
            held = {transactional_id(app, tp) for tp, gap in holes.items() if gap is not None}
            if held:
                gaps = {
                    f"{tp.topic}[{tp.partition}]": (g, _what_is_at(consumer, tp, g))
                    for tp, g in holes.items()
                    if g is not None
                }
                log.info("commit of %s held until these offsets are read again: %s", held, gaps)
                tps = [tp for tp in tps if transactional_id(app, tp) not in held]
            return bool(await commit_tps(tps, start_new_transaction))

    consumer._commit_tps = commit_at_a_cut


async def check_broker_has_transactions(settings: Settings) -> None:
    """exactly_once needs transactions; a broker without them (Tansu) must stop the worker
    at once with the reason, not let it run without the guarantee."""
    producer = AIOKafkaProducer(
        **settings.kafka_client_params(),
        transactional_id=f"{settings.app_id}-transactions-check",
        enable_idempotence=True,
        acks="all",
    )
    try:
        await asyncio.wait_for(producer.start(), CHECK_WITHIN)
        async with producer.transaction():
            pass
    except (KafkaError, TimeoutError, OSError) as exc:
        raise SettingsError(
            f"WIREWATCH_PROCESSING_GUARANTEE=exactly_once needs a broker with transactions, "
            f"and {settings.bootstrap_servers} refused them ({type(exc).__name__}: {exc}); "
            "use at_least_once with this broker"
        ) from None
    finally:
        await producer.stop()

"""The story stage: one partition, event-time order, state in changelogged faust Tables.

Articles arrive from the alert stage on ``articles.matched``. Each is held briefly in a
reorder buffer and released sorted by (ingested_at, id); small "tick" messages on the same
topic release what is due when no article comes. Events are acked only once processed,
and in offset order (streams/acks.py), so a crash re-delivers anything still held.
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from collections.abc import Callable
from typing import Any

import faust
from faust.streams import _current_event
from faust.types import TP

from .. import contracts, records, topics
from ..acks import InOrderAcks
from ..inflight import InFlight
from ..metrics import Metrics
from ..redelivery import REMEMBERED_STORY, RedeliveryGuard
from ..reorder import ReorderBuffer
from ..settings import Settings
from ..spikes import SEEN_CAP, load_spike_rules
from ..stage import letter_for, send_dead_letter
from ..transactions import Cut
from ..upstream import unread, upstream_busy, upstream_holes
from ..writebehind import WriteBehind
from .storybook import StoryBook

log = logging.getLogger(__name__)
TICK_KEY = b"__tick__"
EXPIRE_EVERY = 600.0  # seconds of event time between two sweeps of the story tables
# Table writes are written through, and the articles behind them acked, in batches of at
# most this many articles or this long: one changelog message per key per batch.
FLUSH_ARTICLES = 200
FLUSH_SECONDS = 0.05
# A crash can lose the processed marks of two batches; spike counts keep more ids than that.
assert 2 * FLUSH_ARTICLES < SEEN_CAP


def _leave_for_the_next_worker(app: faust.App, event: faust.EventT) -> None:
    """Leave ``event`` unacked, so it is not committed, and let faust's stop go on without
    it: the stop waits until every delivered message is acked (its private
    ``_unacked_messages``), which this one never will be in this process."""
    app.consumer._unacked_messages.discard(event.message)  # type: ignore[attr-defined]


def leave_the_rest_for_the_next_worker(consumer: Any, topic: str) -> None:
    """Once the stage stops taking work: let faust's stop go on without ``topic``'s
    delivered-but-unacked messages, now and as more arrive. faust tracks a message when
    its stream takes it from the channel, which can happen without the agent's loop ever
    seeing it (a CI stop waited 20 s for such a one). Not acked, they are not committed:
    the next worker takes them. The stop's wait cleans its set after each 1 s wait
    (``Consumer.wait_empty``); that clean now also drops these."""
    unacked = consumer._unacked_messages

    def leave() -> None:
        for message in [m for m in unacked if m.topic == topic and not m.acked]:
            unacked.discard(message)

    clean = consumer._clean_unacked_messages

    def clean_and_leave() -> None:
        clean()
        leave()

    leave()
    consumer._clean_unacked_messages = clean_and_leave


def holes_until_refilled(
    holes: Callable[[int], bool], in_flight: InFlight | None
) -> Callable[[int], bool]:
    """A partition counts as holed from the moment its hole shows until the article read
    again to fill it has come here: once the hole is filled upstream, that article is among
    those the partition then had on their way (sent before their acks fill the hole)."""
    refilling: dict[int, set[bytes] | None] = {}  # None: the hole is still open

    def holed(partition: int) -> bool:
        if holes(partition):
            refilling[partition] = None
            return True
        if partition not in refilling:
            return False
        keys = refilling[partition]
        if keys is None and in_flight is not None:
            keys = refilling[partition] = in_flight.waiting(partition)
        if keys and in_flight is not None and in_flight.any_of(partition, keys):
            return True
        del refilling[partition]
        return False

    return holed


def attach_story_stage(
    app: faust.App,
    settings: Settings,
    *,
    source: faust.TopicT,
    sink: faust.TopicT,
    deadletters: faust.TopicT,
    metrics: Metrics,
    clock: Callable[[], float],
    monotonic: Callable[[], float] = time.monotonic,
    passthrough: bool = False,
    in_flight: InFlight | None = None,
    trace: faust.TopicT | None = None,
    cut: Cut | None = None,
) -> StoryBook:
    """Register the story agent. Under exactly_once each event's state is written through
    before the event ends, inside ``cut``: a commit between two events then holds every
    processed article's alerts, state and processed mark together (streams/transactions.py)."""
    cut = cut or Cut()
    write_every_event = settings.processing_guarantee == "exactly_once"
    tables: list[WriteBehind] = []

    def table(name: str) -> WriteBehind:
        # JSON keys and values: faust's table default.
        tables.append(WriteBehind(app.Table(name, partitions=1)))
        return tables[-1]

    processed = table("processed-articles")  # written through last (write_through)
    book = StoryBook(
        stories=table("stories"),
        index=table("story-index"),
        alerts=table("alert-state"),
        counts=table("spike-counts"),
        spike_rules=load_spike_rules(),
        suppression_window=settings.suppression_window,
        on_suppressed=lambda rule: metrics.alerts_suppressed.labels(rule).inc(),
        processed=processed,
    )
    idle = settings.story_idle_ms / 1000.0
    upstream_topics = [settings.topic(t) for t in (topics.RAW, topics.CLASSIFIED, topics.TAGGED)]
    upstream = upstream_busy(app, upstream_topics)

    taken: list[int] = []  # the offset of the last input message the agent took
    own_input = TP(source.get_topic_name(), 0)

    def busy(partition: int) -> bool:
        # An article sent here and not yet read shows neither upstream lag nor handling;
        # nor does one in this stage's own unread backlog (after a restart).
        return (
            (in_flight is not None and in_flight.pending(partition))
            or unread(app.consumer, own_input, taken[0] if taken else None)
            or upstream(partition)
        )

    buffer: ReorderBuffer[tuple[int, faust.EventT, dict[str, Any]]] = ReorderBuffer(
        idle,
        sources=settings.partitions,
        busy=busy,
        holed=holes_until_refilled(upstream_holes(app, upstream_topics), in_flight),
    )
    acks: InOrderAcks[faust.EventT] = InOrderAcks()
    latest = {"event_time": 0.0, "expired_at": 0.0}
    settled: list[int] = []  # tickets of articles processed but not yet written through
    since: list[float] = []  # when the oldest of them was processed
    last: list[faust.EventT] = []  # the latest event taken: a stop writes in its context
    stopping = asyncio.Event()  # the worker is about to stop: leave what comes
    running: list[Any] = []  # the agent's stream, which acks its events
    # Handling an event awaits (sends, writes); a stop's drain must not write through
    # amid it: it flushed the marks of articles whose state it had not flushed.
    turn = asyncio.Lock()

    late_warned = {"at": float("-inf"), "since": 0}

    def warn_late(article_id: str, msg: Any, behind: float) -> None:
        # A line a second at most: a producer whose clock runs behind makes every one late.
        now = monotonic()
        if now - late_warned["at"] < 1.0:
            late_warned["since"] += 1
            return
        more = late_warned["since"]
        late_warned.update(at=now, since=0)
        log.warning(
            "article %s (%s[%d]@%d) came %.1f s of event time after the story stage had "
            "released a later one: processed out of event-time order%s",
            article_id, msg.topic, msg.partition, msg.offset, behind,
            f" ({more} more since the last such line)" if more else "",
        )  # fmt: skip

    async def publish(alert: dict[str, Any]) -> None:
        await sink.send(key=alert["id"].encode(), value=records.encode(alert))
        metrics.alerts.labels(alert["rule"], alert["severity"]).inc()
        metrics.alerts_by_country.labels(
            alert["countries"][0] if alert["countries"] else "none"
        ).inc()

    async def story(stream: faust.StreamT) -> None:
        manual = stream.noack()  # type: ignore[attr-defined]  # missing from StreamT
        running.append(manual)

        guard = RedeliveryGuard(REMEMBERED_STORY)

        async def take(event: faust.EventT) -> None:
            msg = event.message
            last[:] = [event]
            taken[:] = [msg.offset]
            if stopping.is_set():
                _leave_for_the_next_worker(app, event)
                return
            ticket = acks.add(event)
            if guard.is_repeat(msg.topic, msg.partition, msg.offset):
                metrics.redelivered.labels("story").inc()
                await ack_in_order(ticket)  # in turn: its first delivery may still be held
                return
            if msg.key != TICK_KEY:
                metrics.received.labels("story").inc()
                started = clock()
                try:
                    matched = records.decode(
                        msg.value,
                        contracts.MATCHED,
                        settings.topic_max_message_bytes,
                        checked=records.was_checked(msg.headers, contracts.MATCHED),
                    )
                except records.Rejected as rejected:
                    letter = letter_for("story", rejected.reason, rejected.error, msg, started)
                    await send_dead_letter(deadletters, metrics, letter, msg.key)
                    await ack_in_order(ticket)
                    return
                if in_flight is not None:
                    in_flight.seen(matched.get("source_partition", 0), msg.key)
                article = matched["article"]
                latest["event_time"] = max(latest["event_time"], article["ingested_at"])
                behind = buffer.late(article["ingested_at"], article["id"])
                if behind is not None and article["id"] not in processed:
                    # A repeat is late too, harmlessly: its mark says it was processed.
                    metrics.story_late.inc()
                    warn_late(article["id"], msg, behind)
                buffer.add(
                    (ticket, event, matched),
                    event_time=article["ingested_at"],
                    key=article["id"],
                    now=monotonic(),
                    source=matched.get("source_partition", 0),
                )
            due = buffer.release(monotonic())
            for held_ticket, held, matched in due:
                started = clock()
                try:
                    alerts = [] if passthrough else book.process(matched, started)
                except Exception as exc:  # keep the article and go on
                    log.exception("story stage failed on %s", matched["article"].get("id"))
                    error = f"{type(exc).__name__}: {exc}"
                    letter = letter_for("story", "processing_error", error, held.message, clock())
                    await send_dead_letter(deadletters, metrics, letter, held.message.key)
                    await ack_in_order(held_ticket)
                    continue
                for alert in alerts:
                    await publish(alert)
                finished = clock()
                if latest["event_time"] - latest["expired_at"] >= EXPIRE_EVERY:
                    # Inside the stream: table deletions need the current event's context.
                    book.expire(latest["event_time"])
                    latest["expired_at"] = latest["event_time"]
                metrics.processed.labels("story").inc()
                metrics.stage_seconds.labels("story").observe(finished - started)
                metrics.end_to_end_seconds.observe(
                    max(0.0, finished - matched["article"]["ingested_at"])
                )
                if trace is not None:
                    await trace.send(
                        key=None,
                        value=records.encode(
                            {
                                "id": matched["article"]["id"],
                                "ingested_at": matched["article"]["ingested_at"],
                                "stages": matched["article"].get("stages", {}),
                                "done_at": finished,
                            }
                        ),
                    )
                settle(held_ticket)
                if len(settled) >= FLUSH_ARTICLES:  # a batch stays this small (SEEN_CAP)
                    await write_through()
            if msg.key == TICK_KEY:
                await ack_in_order(ticket)
            if settled and (
                write_every_event
                or len(settled) >= FLUSH_ARTICLES
                or monotonic() - since[0] >= FLUSH_SECONDS
            ):
                await write_through()

        async for event in manual.events():
            # A stop drains between two events, not amid one; so does a commit.
            async with turn, cut.event():
                await take(event)

    app.agent(source, name="wirewatch.story")(story)

    @app.timer(settings.story_tick_s, name="wirewatch.story-tick")
    async def tick() -> None:
        # Only while something is held or unwritten: an idle pipeline writes nothing.
        if len(buffer) or settled:
            await source.send(key=TICK_KEY, value=b"{}")

    def settle(ticket: int) -> None:
        if not settled:
            since[:] = [monotonic()]
        settled.append(ticket)

    async def write_through() -> None:
        """Write the batch's table changes, then ack its articles: no article is acked
        before its state is sent to the changelogs. Inside the stream: table writes need
        the current event's context.

        ``processed`` goes last, once the broker has the rest: a crash between the two
        must not leave an article marked processed without its state. The other way round
        (state kept, no mark) the article is applied again after a restart: stories and
        alert state hold it already (members by id), and the spike counts know the ids
        of the last SEEN_CAP articles counted per key (streams/spikes.py), more than the
        two batches whose marks can be lost."""
        for t in tables:
            if t is not processed:
                t.flush()
        await app.producer.flush()
        processed.flush()
        # Hand these to the producer now: faust would do it before the next event anyway,
        # logging "producer buffer full" for every batch over 100 messages.
        await app.producer.buffer.flush()
        tickets = list(settled)
        settled.clear()
        for ticket in tickets:
            await ack_in_order(ticket)

    async def ack_in_order(ticket: int) -> None:
        for ready in acks.done(ticket):
            await running[-1].ack(ready)

    async def drain() -> None:
        """Before a stop: write through what is processed, and leave the held articles and
        all that follows them unacked, so the next worker reads them again in their order
        on the topic; those processed behind a held one come again too, and send nothing
        (their marks). Handing the held articles back to the end of the topic put them
        behind later articles of their own partitions: the next worker's watermark passed
        them and it formed other stories than an uninterrupted run."""
        async with turn, cut.event():
            stopping.set()
            if settled:
                # A stop comes from a signal, outside the stream: write in its last event's
                # context (all the stage's events share its one partition).
                token = _current_event.set(weakref.ref(last[0]))
                try:
                    await write_through()
                finally:
                    _current_event.reset(token)
            buffer.drain()
        leave_the_rest_for_the_next_worker(app.consumer, source.get_topic_name())

    app.wirewatch_drain = drain  # type: ignore[attr-defined]  # run_worker calls it

    @app.timer(5.0, name="wirewatch.story-held")
    async def report_held() -> None:
        # Why the oldest held article waits: each upstream partition's progress and state.
        if len(buffer) and log.isEnabledFor(logging.INFO):
            flags = {
                p: (in_flight is not None and in_flight.pending(p), upstream(p))
                for p in range(settings.partitions)
            }
            own = unread(app.consumer, own_input, taken[0] if taken else None)
            log.info("story stage holds %d articles: %s; (in flight, upstream) %s; unread %s",
                     len(buffer), buffer.explain(monotonic()), flags, own)  # fmt: skip

    @app.timer(10.0, name="wirewatch.open-stories")
    async def count_open_stories() -> None:
        metrics.open_stories.set(book.open_stories(latest["event_time"]))

    return book

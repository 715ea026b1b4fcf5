"""The stages fused into one agent: a raw article is classified, tagged and matched in turn
in memory, and every stage's output still goes to its own topic.

Each faust hop costs about as much as the NLP itself (README, "Speed"): reading
``articles.classified`` and ``articles.tagged`` back only to decode what this worker has
just encoded was most of the plumbing. The intermediate topics keep their contracts and
headers, so users and replays read them as before. A message a later stage rejects is
dead-lettered with the chain's input (the raw bytes) and the name of the stage that failed:
replaying the letter runs the whole chain again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import faust

from . import records
from .deadletter import dead_letter
from .inflight import InFlight
from .metrics import Metrics
from .redelivery import RedeliveryGuard
from .stage import Record, Stage, send_dead_letter
from .transactions import Cut


@dataclass
class Step:
    """One stage's share of a message: its outputs, encoded, and the time it took."""

    stage: Stage
    outputs: list[tuple[bytes, bytes]]
    seconds: float


@dataclass
class ChainOutcome:
    steps: list[Step] = field(default_factory=list)
    dead: Record | None = None  # the letter of the stage that rejected it (its "stage")


def run_chain(
    stages: Sequence[Stage],
    value: bytes | None,
    *,
    key: bytes | None,
    topic: str,
    partition: int,
    offset: int,
    timestamp: float | None,
    clock: Callable[[], float],
    checked: bool = False,
) -> ChainOutcome:
    """Every stage in turn on one message, each on the outputs of the one before. Never
    raises; the steps before a rejection are kept (their outputs are sent, as a chain of
    agents would have sent them before the next one failed)."""
    first = stages[0]
    started = clock()
    outcome = first.process_message(
        value,
        key=key,
        topic=topic,
        partition=partition,
        offset=offset,
        timestamp=timestamp,
        now=started,
        checked=checked,
    )
    if outcome.dead is not None:
        return ChainOutcome(dead=outcome.dead)
    result = ChainOutcome()
    inputs = outcome.outputs
    # Encoded before the next stage sees them: a transform may change its input in place.
    result.steps.append(Step(first, _encoded(inputs), clock() - started))
    where = f"{topic}[{partition}]@{offset}"
    for stage in stages[1:]:
        started = clock()
        outputs: list[tuple[str, Record]] = []
        try:
            for _key, record in inputs:
                outputs.extend(stage.apply(record, partition, timestamp, started, where))
        except records.Rejected as rejected:
            result.dead = dead_letter(
                stage=stage.name,
                reason=rejected.reason,
                error=rejected.error,
                topic=topic,
                partition=partition,
                offset=offset,
                key=key,
                value=value,
                failed_at=started,
            )
            return result
        result.steps.append(Step(stage, _encoded(outputs), clock() - started))
        inputs = outputs
    return result


def _encoded(outputs: list[tuple[str, Record]]) -> list[tuple[bytes, bytes]]:
    return [(k.encode(), records.encode(r)) for k, r in outputs]


def attach_chain(
    app: faust.App,
    stages: Sequence[Stage],
    *,
    source: faust.TopicT,
    sinks: Sequence[faust.TopicT],
    deadletters: faust.TopicT,
    metrics: Metrics,
    clock: Callable[[], float],
    delay: float = 0.0,
    name: str = "wirewatch.chain",
    in_flight: InFlight | None = None,
    cut: Cut | None = None,
) -> None:
    """Register the agent that runs ``stages`` in turn (one stage: the chain topology's
    agent), the output of stage i going to ``sinks[i]``; ``delay`` seconds of sleep after
    each message make it slow (fault injection); sends to the story stage's input are told
    to ``in_flight`` (streams/inflight.py); each message is handled inside ``cut``
    (streams/transactions.py: no commit between its sends and its ack)."""
    cut = cut or Cut()
    headers = [records.checked_header(s.out_kind) for s in stages]
    tracked = [in_flight is not None and s.get_topic_name() == in_flight.topic for s in sinks]

    async def agent(stream: faust.StreamT) -> None:
        # Acked by hand as soon as the message is handled: faust's own ack comes only when
        # the loop asks for the next message, so on a stop the last handled message of each
        # agent stayed uncommitted and was handled again after the restart.
        manual = stream.noack()  # type: ignore[attr-defined]  # missing from StreamT
        guard = RedeliveryGuard()
        async for event in manual.events():
            async with cut.event():
                await handle(manual, guard, event)
            if delay:
                await asyncio.sleep(delay)

    async def handle(manual: faust.StreamT, guard: RedeliveryGuard, event: faust.EventT) -> None:
        first = stages[0]
        msg = event.message
        if guard.is_repeat(msg.topic, msg.partition, msg.offset):
            metrics.redelivered.labels(first.name).inc()
            await manual.ack(event)
            return
        outcome = run_chain(
            stages,
            msg.value,
            key=msg.key,
            topic=msg.topic,
            partition=msg.partition,
            offset=msg.offset,
            timestamp=msg.timestamp,
            clock=clock,
            checked=records.was_checked(msg.headers, first.in_kind),
        )
        for step, sink, checked, track in zip(outcome.steps, sinks, headers, tracked, strict=False):
            name = step.stage.name
            metrics.received.labels(name).inc()
            for out_key, out in step.outputs:
                if track and in_flight is not None:
                    in_flight.sent(msg.partition, out_key)
                await sink.send(key=out_key, value=out, headers=list(checked))
            metrics.processed.labels(name).inc()
            metrics.stage_seconds.labels(name).observe(step.seconds)
        if outcome.dead is not None:
            metrics.received.labels(outcome.dead["stage"]).inc()
            await send_dead_letter(deadletters, metrics, outcome.dead, msg.key)
        await manual.ack(event)

    app.agent(source, name=name)(agent)

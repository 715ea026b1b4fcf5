"""What every stage does with one message, as a plain function (its agent: streams/chain.py).

``process_message`` never raises: a message either yields output records or a dead letter.
Faust acks a message whose agent raised, so an uncaught error would drop it silently.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import faust

from . import contracts, records
from .deadletter import dead_letter
from .metrics import Metrics

log = logging.getLogger(__name__)

Record = dict[str, Any]
# transform(record, now, message_timestamp) -> [(key, output record)]
Transform = Callable[[Record, float, float | None], list[tuple[str, Record]]]


@dataclass
class Outcome:
    outputs: list[tuple[str, Record]] = field(default_factory=list)
    dead: Record | None = None


@dataclass(frozen=True)
class Stage:
    name: str
    in_kind: str
    out_kind: str
    transform: Transform
    max_bytes: int
    # Write the input partition into each output, so a one-partition stage downstream knows
    # how far every upstream partition has got (its event-time watermark).
    tag_source: bool = False

    def process_message(
        self,
        value: bytes | None,
        *,
        key: bytes | None,
        topic: str,
        partition: int,
        offset: int,
        timestamp: float | None,
        now: float,
        checked: bool = False,
    ) -> Outcome:
        def reject(reason: str, error: str) -> Outcome:
            return Outcome(
                dead=dead_letter(
                    stage=self.name,
                    reason=reason,
                    error=error,
                    topic=topic,
                    partition=partition,
                    offset=offset,
                    key=key,
                    value=value,
                    failed_at=now,
                )
            )

        try:
            record = records.decode(value, self.in_kind, self.max_bytes, checked=checked)
            where = f"{topic}[{partition}]@{offset}"
            return Outcome(outputs=self.apply(record, partition, timestamp, now, where))
        except records.Rejected as rejected:
            return reject(rejected.reason, rejected.error)

    def apply(
        self, record: Record, partition: int, timestamp: float | None, now: float, where: str
    ) -> list[tuple[str, Record]]:
        """The transform on a decoded record, its outputs checked against the contract;
        raises Rejected (reason processing_error) when either fails."""
        try:
            outputs = self.transform(record, now, timestamp)
        except Exception as exc:  # a bug or an input we did not foresee: keep the message
            log.exception("stage %s failed on %s", self.name, where)
            raise records.Rejected("processing_error", f"{type(exc).__name__}: {exc}") from None
        for _key, out in outputs:
            if self.tag_source:
                out["source_partition"] = partition
            problem = contracts.problem(self.out_kind, out)
            if problem is not None:
                raise records.Rejected(
                    "processing_error", f"output breaks {self.out_kind}: {problem}"
                )
        return outputs


def letter_for(stage: str, reason: str, error: str, message: Any, now: float) -> Record:
    """A dead letter for a faust message (its topic, partition, offset, key and bytes)."""
    return dead_letter(
        stage=stage,
        reason=reason,
        error=error,
        topic=message.topic,
        partition=message.partition,
        offset=message.offset,
        key=message.key,
        value=message.value,
        failed_at=now,
    )


async def send_dead_letter(
    deadletters: faust.TopicT, metrics: Metrics, letter: Record, key: bytes | None
) -> None:
    """Count, log in one line, and publish a dead letter (headers carry stage and reason)."""
    metrics.dead_letters.labels(letter["stage"], letter["reason"]).inc()
    log.warning(
        "dead-lettered %s[%d]@%d: %s: %s",
        letter["topic"],
        letter["partition"],
        letter["offset"],
        letter["reason"],
        letter["error"],
    )
    await deadletters.send(
        key=key,
        value=records.encode(letter),
        headers={
            "wirewatch-stage": letter["stage"].encode(),
            "wirewatch-reason": letter["reason"].encode(),
        },
    )

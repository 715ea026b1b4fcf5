"""Partition ends that count the whole of a partition's last record batch.

faust restores a table by reading its changelog up to the end that ListOffsets answers
(its ``Recovery`` asks ``Consumer.highwaters``). Tansu answers the offset just after the
*first* record of the partition's last batch: a batch holding offsets 2-7 gave 3, where
Apache Kafka gives 8. So on Tansu a restarted worker stopped restoring before the last
batch its predecessor wrote, the one a clean stop flushes, and lost that state (stories
formed otherwise than in an uninterrupted run). Reading the batch at the reported end
finds the true one; on Apache Kafka that batch ends there already and nothing changes.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any

import faust
from aiokafka import AIOKafkaConsumer, TopicPartition
from faust.types import TP

from .settings import Settings

log = logging.getLogger(__name__)
ROUNDS = 2  # empty fetches before giving up on a partition (its last offset is a marker)


async def last_batch_ends(
    consumer: AIOKafkaConsumer, ends: Mapping[TopicPartition, int]
) -> dict[TopicPartition, int]:
    """``ends`` (as ListOffsets answered), each raised to the end of the batch holding the
    offset before it; ``consumer`` is assigned the partitions and is left seeked there."""
    out = dict(ends)
    pending = {tp for tp, end in ends.items() if end}
    for tp in pending:
        consumer.seek(tp, ends[tp] - 1)
    empty = 0
    while pending and empty < ROUNDS:
        batches = await consumer.getmany(*pending, timeout_ms=200)
        empty = 0 if batches else empty + 1
        for tp, records in batches.items():
            out[tp] = max(out[tp], records[-1].offset + 1)
            pending.discard(tp)
    return out


async def last_visible_ends(
    consumer: AIOKafkaConsumer, ends: Mapping[TopicPartition, int], window: int = 256
) -> dict[TopicPartition, int]:
    """For a ``read_committed`` consumer: each end lowered to just past the last record that
    consumer can see. Under exactly_once a changelog ends with a commit marker, and after a
    kill -9 with the killed worker's aborted writes too; faust's recovery waits for a record
    at the partition's last offset, and passed such a tail only after ~10 s of timeouts.
    Reads back from the end, ``window`` offsets at first, four times more each time none is
    found."""
    out = dict(ends)
    for tp, end in ends.items():
        start = end
        try:
            while start > 0:
                start = max(0, start - window)
                last = await _last_record(consumer, tp, start, end)
                if last is not None:
                    out[tp] = last + 1
                    break
                window *= 4
            else:
                out[tp] = 0  # no record to restore
        except TimeoutError:  # the answered end is never wrong, only slow to reach
            log.warning("%s[%d]: its last committed record not found in time", *tp)
    return out


async def _last_record(
    consumer: AIOKafkaConsumer, tp: TopicPartition, start: int, end: int, within: float = 10.0
) -> int | None:
    """The offset of the last record visible from ``start`` up to ``end``. Reads on until the
    position reaches ``end`` (it moves past markers and aborted records too): stopping at an
    empty fetch could miss later records, and recovery would stop short of them."""
    consumer.seek(tp, start)
    last = None
    deadline = time.monotonic() + within
    while await consumer.position(tp) < end:
        if time.monotonic() > deadline:
            raise TimeoutError
        records = (await consumer.getmany(tp, timeout_ms=200)).get(tp, [])
        if records:
            last = records[-1].offset
    return last


async def true_ends(
    settings: Settings, ends: Mapping[TP, int], *, committed_only: bool = False
) -> dict[TP, int]:
    """``last_batch_ends`` read by a consumer of its own; with ``committed_only``,
    ``last_visible_ends``."""
    if not any(ends.values()):
        return dict(ends)
    consumer = AIOKafkaConsumer(
        **settings.kafka_client_params(),
        group_id=None,
        enable_auto_commit=False,
        isolation_level="read_committed" if committed_only else "read_uncommitted",
        max_partition_fetch_bytes=settings.topic_max_message_bytes,
    )
    answered = {TopicPartition(tp.topic, tp.partition): end for tp, end in ends.items()}
    await consumer.start()
    try:
        consumer.assign(list(answered))
        if committed_only:
            found = await last_visible_ends(consumer, answered)
        else:
            found = await last_batch_ends(consumer, answered)
    finally:
        await consumer.stop()
    out = {TP(tp.topic, tp.partition): end for tp, end in found.items()}
    moved = {tp: (ends[tp], end) for tp, end in out.items() if end != ends[tp]}
    if moved:
        log.info("partition ends other than the broker's answer (answered, true): %s", moved)
    return out


async def seek_to_end(consumer: AIOKafkaConsumer, tps: list[TopicPartition]) -> None:
    """Seek ``consumer`` (assigned ``tps``) past the last record of each: on Tansu the
    answered end would show the last batch again as new."""
    ends = await last_batch_ends(consumer, await consumer.end_offsets(tps))
    for tp in tps:
        consumer.seek(tp, ends[tp])


def count_whole_last_batches(app: faust.App, settings: Settings) -> None:
    """Make faust's recovery read each changelog to its true end."""
    consumer: Any = app.consumer
    answered = consumer.highwaters
    committed_only = settings.processing_guarantee == "exactly_once"

    async def highwaters(*partitions: TP) -> Mapping[TP, int]:
        return await true_ends(settings, await answered(*partitions), committed_only=committed_only)

    consumer.highwaters = highwaters

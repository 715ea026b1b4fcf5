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
from collections.abc import Mapping
from typing import Any

import faust
from aiokafka import AIOKafkaConsumer, TopicPartition
from faust.types import TP

from .settings import Settings

log = logging.getLogger(__name__)
ROUNDS = 2  # empty fetches before giving up on a partition (its last offset is a marker)


def batch_end(last_offsets: list[int]) -> int | None:
    """The end a fetched batch shows: one past its last record (None for no records)."""
    return max(last_offsets) + 1 if last_offsets else None


async def true_ends(
    settings: Settings, ends: Mapping[TP, int], *, committed_only: bool = False
) -> dict[TP, int]:
    """``ends`` (as ListOffsets answered), each raised to the end of the batch holding the
    offset before it."""
    out = dict(ends)
    todo = {TopicPartition(tp.topic, tp.partition): end for tp, end in ends.items() if end}
    if not todo:
        return out
    consumer = AIOKafkaConsumer(
        **settings.kafka_client_params(),
        group_id=None,
        enable_auto_commit=False,
        isolation_level="read_committed" if committed_only else "read_uncommitted",
        max_partition_fetch_bytes=settings.topic_max_message_bytes,
    )
    await consumer.start()
    try:
        consumer.assign(list(todo))
        for tp, end in todo.items():
            consumer.seek(tp, end - 1)
        pending, empty = set(todo), 0
        while pending and empty < ROUNDS:
            batches = await consumer.getmany(*pending, timeout_ms=200)
            empty = 0 if batches else empty + 1
            for tp, records in batches.items():
                shown = batch_end([r.offset for r in records])
                if shown is not None:
                    key = TP(tp.topic, tp.partition)
                    out[key] = max(out[key], shown)
                pending.discard(tp)
    finally:
        await consumer.stop()
    raised = {tp: (ends[tp], end) for tp, end in out.items() if end != ends[tp]}
    if raised:
        log.info("partition ends past the broker's answer (first, true): %s", raised)
    return out


async def seek_to_end(settings: Settings, consumer: AIOKafkaConsumer, tps: list[Any]) -> None:
    """Seek ``consumer`` past the last record of each of ``tps`` (assigned): on Tansu the
    answered end would show the last batch again as new."""
    answered = await consumer.end_offsets(tps)
    ends = await true_ends(settings, {TP(tp.topic, tp.partition): e for tp, e in answered.items()})
    for tp in tps:
        consumer.seek(tp, ends[TP(tp.topic, tp.partition)])


def count_whole_last_batches(app: faust.App, settings: Settings) -> None:
    """Make faust's recovery read each changelog to its true end."""
    consumer: Any = app.consumer
    answered = consumer.highwaters
    committed_only = settings.processing_guarantee == "exactly_once"

    async def highwaters(*partitions: TP) -> Mapping[TP, int]:
        return await true_ends(settings, await answered(*partitions), committed_only=committed_only)

    consumer.highwaters = highwaters

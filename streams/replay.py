"""``wirewatch replay``: run the seed topic again through a fresh consumer group and compare.

The raw topic is copied, partition by partition and byte for byte, into a namespace of its
own (topic prefix ``replay-<stamp>.``, app id ``<app>-replay-<stamp>``), a worker processes
it with empty state, and the alerts it raises are compared with those on the alerts topic
by (id, version). The replay's topics are deleted afterwards.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient

from . import topics
from .launcher import WorkerProcess
from .settings import Settings
from .topics import ensure_topics
from .watch import PipelineWatch, behind, topic_partitions

Pair = tuple[str, int]


@dataclass
class ReplayResult:
    articles: int
    original: set[Pair]
    replayed: set[Pair]

    @property
    def matches(self) -> bool:
        return self.original == self.replayed

    def describe(self) -> str:
        if self.matches:
            return (
                f"replay matches: {self.articles} articles gave the same "
                f"{len(self.replayed)} alert messages (ids and versions)"
            )
        missing = sorted(self.original - self.replayed)
        extra = sorted(self.replayed - self.original)
        return (
            f"replay differs: {len(missing)} alert messages missing {missing[:5]}, "
            f"{len(extra)} new {extra[:5]}"
        )


async def copy_raw(source: Settings, target: Settings) -> list[str]:
    """Copy articles.raw into the target namespace; return the article keys copied."""
    consumer = AIOKafkaConsumer(
        **source.kafka_client_params(),
        group_id=None,
        enable_auto_commit=False,
        max_partition_fetch_bytes=source.topic_max_message_bytes,
    )
    producer = AIOKafkaProducer(
        **target.kafka_client_params(), acks="all", max_request_size=target.topic_max_message_bytes
    )
    await consumer.start()
    await producer.start()
    keys: list[str] = []
    try:
        tps = await topic_partitions(consumer, source.topic(topics.RAW))
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        ends = await consumer.end_offsets(tps)
        pending = []
        while await behind(consumer, ends):
            for tp, batch in (await consumer.getmany(timeout_ms=500)).items():
                for m in batch:
                    pending.append(
                        await producer.send(
                            target.topic(topics.RAW),
                            key=m.key,
                            value=m.value,
                            partition=tp.partition,
                            timestamp_ms=m.timestamp,
                        )
                    )
                    keys.append(m.key.decode("utf-8", "replace") if m.key else "")
        await asyncio.gather(*pending)
        return keys
    finally:
        await consumer.stop()
        await producer.stop()


async def alert_pairs(settings: Settings) -> set[Pair]:
    from .alert.follow import read_alerts

    pairs: set[Pair] = set()

    async def keep(alert: dict[str, Any]) -> None:
        pairs.add((alert["id"], alert["version"]))

    await read_alerts(settings, keep)
    return pairs


async def delete_namespace(settings: Settings) -> None:
    admin = AIOKafkaAdminClient(**settings.kafka_client_params())
    await admin.start()
    try:
        names = [
            t
            for t in await admin.list_topics()
            if t.startswith(settings.topic_prefix) or t.startswith(settings.app_id + "-")
        ]
        if names:
            with contextlib.suppress(Exception):  # best effort: Tansu may not delete
                await admin.delete_topics(names)
    finally:
        await admin.close()


def replay(
    settings: Settings, say: Callable[[str], None], within: float = 180.0, keep: bool = False
) -> ReplayResult:
    stamp = uuid.uuid4().hex[:8]
    fresh = settings.with_(
        app_id=f"{settings.app_id}-replay-{stamp}",
        topic_prefix=f"{settings.topic_prefix}replay-{stamp}.",
        metrics_port=0,
        data_dir=Path(settings.data_dir) / f"replay-{stamp}",
    )
    asyncio.run(ensure_topics(fresh))
    keys = asyncio.run(copy_raw(settings, fresh))
    say(
        f"copied {len(keys)} articles into {fresh.topic(topics.RAW)}; "
        f"replaying with consumer group {fresh.app_id}"
    )
    original = asyncio.run(alert_pairs(settings))
    worker = WorkerProcess(fresh, fresh.data_dir / "worker.log").start()
    try:

        async def run() -> set[Pair]:
            watch = PipelineWatch(fresh)
            await watch.start(from_beginning=True)
            try:
                await watch.wait_for([k for k in keys if k], within=within, check=worker.check)
                return {(a["id"], a["version"]) for a in watch.alerts}
            finally:
                await watch.stop()

        replayed = asyncio.run(run())
    finally:
        worker.stop()
        if not keep:
            asyncio.run(delete_namespace(fresh))
    return ReplayResult(len(keys), original, replayed)

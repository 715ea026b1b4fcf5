"""Follow a running pipeline from outside: which articles came through, which alerts it raised.

An article has passed every stage when it is on ``articles.matched`` (or dead-lettered) and the
worker's consumer group has committed everything on ``articles.matched``, the last stage's
input: the story stage has handled it and published its alerts.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from typing import Any

import orjson
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from . import topics
from .endoffsets import seek_to_end
from .settings import Settings

OnAlert = Callable[[dict[str, Any]], None]


class PipelineWatch:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.consumer = AIOKafkaConsumer(
            **settings.kafka_client_params(),
            group_id=None,
            enable_auto_commit=False,
            max_partition_fetch_bytes=settings.topic_max_message_bytes,
        )
        self.admin = AIOKafkaAdminClient(**settings.kafka_client_params())
        # An article is through once it is on articles.matched (the last stage's input) or
        # dead-lettered; tagged is not enough: the alert stage may not have forwarded it yet.
        self.names = {
            n: settings.topic(n) for n in (topics.ALERTS, topics.MATCHED, topics.DEADLETTER)
        }
        self.seen: set[str] = set()
        self.alerts: list[dict[str, Any]] = []
        self._matched: list[TopicPartition] | None = None
        # Offsets this watch has itself read on articles.matched: a broker's end offset can
        # lag behind them (Tansu under load), the committed offset must still reach them.
        self._matched_read: dict[TopicPartition, int] = {}

    async def start(self, from_beginning: bool = False) -> None:
        """Begin at the current end of each topic, so only what comes next is seen."""
        await self.consumer.start()
        await self.admin.start()
        tps = [
            tp for name in self.names.values() for tp in await topic_partitions(self.consumer, name)
        ]
        self.consumer.assign(tps)
        if from_beginning:
            await self.consumer.seek_to_beginning(*tps)
        else:
            await seek_to_end(self.consumer, tps)

    async def stop(self) -> None:
        await self.consumer.stop()
        await self.admin.close()

    async def poll(self, on_alert: OnAlert | None = None, timeout_ms: int = 200) -> None:
        batches = await self.consumer.getmany(timeout_ms=timeout_ms)
        for tp, messages in batches.items():
            for m in messages:
                if tp.topic == self.names[topics.ALERTS]:
                    alert = orjson.loads(m.value)
                    self.alerts.append(alert)
                    if on_alert is not None:
                        on_alert(alert)
                elif tp.topic == self.names[topics.MATCHED]:
                    self._matched_read[tp] = max(self._matched_read.get(tp, 0), m.offset + 1)
                    if m.key != b"__tick__":
                        self.seen.add(orjson.loads(m.value)["article"]["id"])
                elif m.key is not None:
                    self.seen.add(m.key.decode("utf-8", "replace"))

    def matched_records(self) -> int:
        """How many records the fullest partition of articles.matched holds, as far as this
        watch has read (its highest offset read + 1, records from before the watch included)."""
        return max(self._matched_read.values(), default=0)

    async def last_stage_caught_up(self) -> bool:
        """The story stage (the last one) has committed everything on articles.matched."""
        if self._matched is None:
            name = self.settings.topic(topics.MATCHED)
            [described] = await self.admin.describe_topics([name])
            self._matched = [TopicPartition(name, p["partition"]) for p in described["partitions"]]
        ends = await self.consumer.end_offsets(self._matched)
        ends = {tp: max(end, self._matched_read.get(tp, 0)) for tp, end in ends.items()}
        committed = await self.admin.list_consumer_group_offsets(
            self.settings.app_id, partitions=self._matched
        )
        return all(
            ends[tp] == 0 or (tp in committed and committed[tp].offset >= ends[tp])
            for tp in self._matched
        )

    async def drain_alerts(self, on_alert: OnAlert | None = None) -> None:
        """Read the alerts topic up to its current end, then until a poll brings nothing
        more: a broker may report an end offset that lags its last write."""
        alert_tps = [
            tp for tp in self.consumer.assignment() if tp.topic == self.names[topics.ALERTS]
        ]
        ends = await self.consumer.end_offsets(alert_tps)
        while await behind(self.consumer, ends):
            await self.poll(on_alert)
        for _ in range(20):  # bounded: other articles may keep flowing
            before = len(self.alerts), len(self.seen)
            await self.poll(on_alert, timeout_ms=300)
            if (len(self.alerts), len(self.seen)) == before:
                return

    async def wait_for(
        self,
        ids: Iterable[str],
        *,
        within: float,
        on_alert: OnAlert | None = None,
        check: Callable[[], None] | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> None:
        """Return once every id has passed every stage and its alerts are read."""
        wanted = set(ids)
        deadline = time.monotonic() + within
        last = -1
        while True:
            if check is not None:
                check()
            await self.poll(on_alert)
            done = len(wanted & self.seen)
            if progress is not None and done != last:
                progress(done, len(wanted))
                last = done
            if done == len(wanted) and await self.last_stage_caught_up():
                await self.drain_alerts(on_alert)
                return
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"{len(wanted) - done} of {len(wanted)} articles did not pass every stage "
                    f"within {within:.0f}s"
                )


async def behind(consumer: AIOKafkaConsumer, ends: dict[TopicPartition, int]) -> bool:
    """True while the consumer has not yet read up to ``ends``."""
    for tp, end in ends.items():
        if await consumer.position(tp) < end:
            return True
    return False


async def topic_partitions(consumer: AIOKafkaConsumer, topic: str) -> list[TopicPartition]:
    """The partitions of ``topic``; a consumer without a subscription must ask for them."""
    for _ in range(100):
        parts = consumer.partitions_for_topic(topic)
        if parts:
            return [TopicPartition(topic, p) for p in sorted(parts)]
        await consumer._client.force_metadata_update()
        await asyncio.sleep(0.1)
    raise RuntimeError(f"topic {topic} does not exist")

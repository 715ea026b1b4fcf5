"""Read the alerts topic: what is there now, or follow what comes next."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from aiokafka import AIOKafkaConsumer

from .. import topics
from ..endoffsets import seek_to_end
from ..settings import Settings
from ..watch import behind, topic_partitions
from .suppression import rank

OnAlert = Callable[[dict[str, Any]], Awaitable[None]]


async def read_alerts(
    settings: Settings,
    on_alert: OnAlert,
    *,
    follow: bool = False,
    from_beginning: bool = False,
    min_severity: str = "low",
) -> int:
    """Without ``follow``: every alert on the topic now. With it: new alerts until cancelled
    (from the beginning too with ``from_beginning``). Returns how many were passed on."""
    consumer = AIOKafkaConsumer(
        **settings.kafka_client_params(), group_id=None, enable_auto_commit=False
    )
    await consumer.start()
    passed = 0
    try:
        tps = await topic_partitions(consumer, settings.topic(topics.ALERTS))
        consumer.assign(tps)
        if follow and not from_beginning:
            await seek_to_end(consumer, tps)
        else:
            await consumer.seek_to_beginning(*tps)
        ends = await consumer.end_offsets(tps)
        floor = rank(min_severity)
        while follow or await behind(consumer, ends):
            for batch in (await consumer.getmany(timeout_ms=500)).values():
                for message in batch:
                    alert = orjson.loads(message.value)
                    if rank(alert["severity"]) >= floor:
                        await on_alert(alert)
                        passed += 1
        return passed
    finally:
        await consumer.stop()

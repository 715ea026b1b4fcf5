"""Small aiokafka helpers for tests: read a whole topic, publish raw bytes."""

from __future__ import annotations

from typing import Any

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord

from streams.settings import Settings
from streams.watch import behind, topic_partitions


async def read_all(settings: Settings, name: str) -> list[ConsumerRecord[bytes, bytes]]:
    """Every message on topic ``name`` (un-prefixed) from the beginning to the current end."""
    topic = settings.topic(name)
    consumer = AIOKafkaConsumer(
        **settings.kafka_client_params(),
        group_id=None,
        enable_auto_commit=False,
        max_partition_fetch_bytes=settings.topic_max_message_bytes,
    )
    await consumer.start()
    try:
        tps = await topic_partitions(consumer, topic)
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        ends = await consumer.end_offsets(tps)
        out: list[ConsumerRecord[bytes, bytes]] = []
        while await behind(consumer, ends):
            for batch in (await consumer.getmany(timeout_ms=500)).values():
                out.extend(batch)
        return out
    finally:
        await consumer.stop()


async def read_json(settings: Settings, name: str) -> list[dict[str, Any]]:
    return [orjson.loads(m.value) for m in await read_all(settings, name)]


async def publish_raw(
    settings: Settings, name: str, items: list[tuple[bytes | None, bytes | None]]
) -> None:
    """Raw keys and values, a value of None included (a tombstone), each acknowledged."""
    producer = AIOKafkaProducer(
        **settings.kafka_client_params(),
        acks="all",
        max_request_size=settings.topic_max_message_bytes,
    )
    await producer.start()
    try:
        for key, value in items:
            await producer.send_and_wait(settings.topic(name), key=key, value=value)
    finally:
        await producer.stop()

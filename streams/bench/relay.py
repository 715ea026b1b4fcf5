"""Mode R of the benchmark: the floor a Python Kafka pipeline can reach on this machine.

A plain aiokafka consumer → orjson → producer relay from ``articles.raw`` to the trace
topic, with no framework, validation or NLP. Run as ``python -m streams.bench.relay``
with the same WIREWATCH_* settings as a worker.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from .. import topics
from ..settings import Settings


async def relay(settings: Settings, stop: asyncio.Event) -> None:
    assert settings.trace_topic, "the relay writes to WIREWATCH_TRACE_TOPIC"
    consumer = AIOKafkaConsumer(
        settings.topic(topics.RAW),
        **settings.kafka_client_params(),
        group_id=f"{settings.app_id}-relay",
        auto_offset_reset="earliest",
        max_partition_fetch_bytes=settings.topic_max_message_bytes,
    )
    producer = AIOKafkaProducer(
        **settings.kafka_client_params(),
        acks="all",
        linger_ms=5,
        max_request_size=settings.topic_max_message_bytes,
    )
    await consumer.start()
    await producer.start()
    out = settings.topic(settings.trace_topic)
    try:
        while not stop.is_set():
            batches = await consumer.getmany(timeout_ms=200, max_records=500)
            sent = []
            for batch in batches.values():
                for message in batch:
                    record = orjson.loads(message.value)
                    record["done_at"] = time.time()
                    sent.append(
                        await producer.send(out, key=message.key, value=orjson.dumps(record))
                    )
            if sent:
                await asyncio.gather(*sent)
                await consumer.commit()
    finally:
        await consumer.stop()
        await producer.stop()


def main() -> None:
    settings = Settings.from_env()
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    loop.run_until_complete(relay(settings, stop))


if __name__ == "__main__":
    main()

"""On Apache Kafka: the offsets of transaction markers and aborted records are known from
the fetch itself (streams/markers.py), so the hole watch passes them at once."""

from __future__ import annotations

import asyncio
from pathlib import Path

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from streams import markers
from streams.brokers.process import BrokerProcess

from .conftest import fresh_settings


def test_markers_and_aborted_records_are_known_as_holding_no_message(
    kafka: BrokerProcess, tmp_path: Path
) -> None:
    settings = fresh_settings(kafka, tmp_path)
    topic = settings.topic("articles.matched")
    tp = TopicPartition(topic, 0)
    markers.install()

    async def scenario() -> tuple[list[int], list[int], int]:
        producer = AIOKafkaProducer(
            **settings.kafka_client_params(), transactional_id=f"{settings.app_id}-markers"
        )
        await producer.start()
        try:
            async with producer.transaction():
                kept = [await (await producer.send(topic, b"kept", partition=0))]
            await producer.begin_transaction()
            aborted = [await (await producer.send(topic, b"aborted", partition=0))]
            await producer.abort_transaction()
            async with producer.transaction():
                kept.append(await (await producer.send(topic, b"kept", partition=0)))
        finally:
            await producer.stop()
        consumer = AIOKafkaConsumer(
            **settings.kafka_client_params(), isolation_level="read_committed"
        )
        await consumer.start()
        try:
            consumer.assign([tp])
            consumer.seek(tp, 0)
            end = (await consumer.end_offsets([tp]))[tp]
            read: list[int] = []
            while len(read) < 2:
                batches = await consumer.getmany(tp, timeout_ms=2000)
                assert batches, f"nothing more to read after {read}"
                read += [r.offset for r in batches[tp]]
        finally:
            await consumer.stop()
        assert read == [m.offset for m in kept]
        return read, [m.offset for m in aborted], end

    read, aborted, end = asyncio.run(scenario())
    # Offsets 0..end-1: two kept records, one aborted record, three markers.
    empty = markers.skipped_in(tp.topic, 0, 0, end)
    assert end == 6 and read == [0, 4]
    assert empty == [1, 2, 3, 5], f"aborted record at {aborted}"

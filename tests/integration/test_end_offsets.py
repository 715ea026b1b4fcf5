"""Partition ends that faust's table recovery reads to (streams/endoffsets.py), on both
brokers: a changelog whose last batch holds several records is restored to its end."""

from __future__ import annotations

import asyncio
from pathlib import Path

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from faust.types import TP

from streams.brokers.process import BrokerProcess
from streams.endoffsets import last_visible_ends, seek_to_end, true_ends
from streams.settings import Settings

from .conftest import fresh_settings


async def write_batch(settings: Settings, topic: str, n: int) -> int:
    """``n`` records to partition 0 in one batch (one linger); the offset of the last."""
    producer = AIOKafkaProducer(**settings.kafka_client_params(), linger_ms=200)
    await producer.start()
    try:
        sent = [await producer.send(topic, b"x", partition=0) for _ in range(n)]
        return max([(await f).offset for f in sent])
    finally:
        await producer.stop()


def test_the_true_end_counts_the_whole_last_batch(broker: BrokerProcess, tmp_path: Path) -> None:
    settings = fresh_settings(broker, tmp_path)
    topic = settings.topic("articles.raw")
    tp = TopicPartition(topic, 0)

    async def scenario() -> tuple[int, dict[TP, int]]:
        await write_batch(settings, topic, 1)
        last = await write_batch(settings, topic, 6)
        consumer = AIOKafkaConsumer(**settings.kafka_client_params())
        await consumer.start()
        try:
            answered = (await consumer.end_offsets([tp]))[tp]
        finally:
            await consumer.stop()
        print(f"{broker.name}: last offset {last}, ListOffsets answered {answered}")
        return last, await true_ends(settings, {TP(topic, 0): answered, TP(topic, 1): 0})

    last, ends = asyncio.run(scenario())
    assert ends == {TP(topic, 0): last + 1, TP(topic, 1): 0}


def test_following_starts_after_the_last_record(broker: BrokerProcess, tmp_path: Path) -> None:
    """`alerts --follow` and the run's alert watch start at the end: nothing old shown."""
    settings = fresh_settings(broker, tmp_path)
    topic = settings.topic("alerts")
    tp = TopicPartition(topic, 0)

    async def scenario() -> tuple[int, int]:
        last = await write_batch(settings, topic, 5)
        consumer = AIOKafkaConsumer(**settings.kafka_client_params())
        await consumer.start()
        try:
            consumer.assign([tp])
            await seek_to_end(consumer, [tp])
            return last, await consumer.position(tp)
        finally:
            await consumer.stop()

    last, position = asyncio.run(scenario())
    assert position == last + 1


def test_a_committed_reader_recovers_to_its_last_visible_record(
    kafka: BrokerProcess, tmp_path: Path
) -> None:
    """Under exactly_once a changelog ends with a marker, and after a kill -9 with aborted
    writes: recovery must stop at the last committed record, not wait for one at the end."""
    settings = fresh_settings(kafka, tmp_path)
    topic = settings.topic("articles.raw")  # any topic with partitions 0-2

    async def transaction(producer: AIOKafkaProducer, partition: int, n: int, keep: bool) -> None:
        await producer.begin_transaction()
        for _ in range(n):
            await (await producer.send(topic, b"x", partition=partition))
        await (producer.commit_transaction() if keep else producer.abort_transaction())

    async def scenario() -> tuple[dict[TP, int], dict[TopicPartition, int]]:
        producer = AIOKafkaProducer(
            **settings.kafka_client_params(), transactional_id=f"{settings.app_id}-ends"
        )
        await producer.start()
        try:
            await transaction(producer, 0, 3, keep=True)  # 0-2, marker 3
            await transaction(producer, 0, 5, keep=False)  # 4-8 aborted, marker 9
            await transaction(producer, 1, 2, keep=True)  # 0-1, marker 2
            await transaction(producer, 2, 2, keep=False)  # nothing visible
        finally:
            await producer.stop()
        consumer = AIOKafkaConsumer(
            **settings.kafka_client_params(), isolation_level="read_committed"
        )
        tps = [TopicPartition(topic, p) for p in range(3)]
        await consumer.start()
        try:
            answered = await consumer.end_offsets(tps)
            consumer.assign(tps)
            narrow = await last_visible_ends(consumer, answered, window=2)  # widens 2 -> 8
        finally:
            await consumer.stop()
        ends = {TP(topic, p): answered[tp] for p, tp in enumerate(tps)}
        return await true_ends(settings, ends, committed_only=True), narrow

    ends, narrow = asyncio.run(scenario())
    assert ends == {TP(topic, 0): 3, TP(topic, 1): 2, TP(topic, 2): 0}
    assert narrow == {TopicPartition(topic, p): e for (_, p), e in ends.items()}

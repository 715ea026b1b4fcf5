"""How fetching from one partition behaves as it grows, on the embedded broker or Kafka.

``python -m streams.bench.partition_growth [--broker embedded|kafka] [--steps N]
[--per-step K] [--value-bytes B]`` starts the broker, writes K records a step, one record a
batch (as the chain writes ``articles.matched`` at a steady rate), and after each step times
a fetch of the 50 newest records and of the 50 oldest. A fetch that has not got its 50
records within ``--give-up`` seconds is reported as such.

Why it exists: on Tansu 0.6.0 (memory storage) a 10-minute soak at 50 articles/s stalled
while a 3-minute one did not. This shows where: fetches slow down sharply once a partition
holds ~14,000 record batches, whatever their size (README, "Speed and reliability").
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from streams.brokers.kafka import KafkaBroker
from streams.brokers.process import BrokerProcess
from streams.brokers.tansu import TansuBroker

TOPIC = "partition-growth"
SAMPLE = 50


async def _fetch_ms(c: AIOKafkaConsumer, tp: TopicPartition, at: int, give_up: float) -> float:
    c.seek(tp, at)
    got, started = 0, time.perf_counter()
    while got < SAMPLE and time.perf_counter() - started < give_up:
        for batch in (await c.getmany(tp, timeout_ms=1000, max_records=SAMPLE)).values():
            got += len(batch)
    return (time.perf_counter() - started) * 1000 if got >= SAMPLE else float("inf")


async def measure(
    bootstrap: str, steps: int, per_step: int, value_bytes: int, give_up: float
) -> list[tuple[int, float, float]]:
    """(records in the partition, ms for the newest 50, ms for the oldest 50) per step."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(TOPIC, 1, 1)])
    finally:
        await admin.close()
    # A batch no larger than one record: one batch a record.
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, linger_ms=0, max_batch_size=value_bytes + 100
    )
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, fetch_max_wait_ms=10
    )
    await producer.start()
    await consumer.start()
    tp = TopicPartition(TOPIC, 0)
    consumer.assign([tp])
    value = b"x" * value_bytes
    rows: list[tuple[int, float, float]] = []
    try:
        written = 0
        for _ in range(steps):
            for _ in range(per_step):
                await producer.send(TOPIC, value)
                written += 1
            await producer.flush()
            newest = await _fetch_ms(consumer, tp, written - SAMPLE, give_up)
            oldest = await _fetch_ms(consumer, tp, 0, give_up)
            rows.append((written, newest, oldest))
            print(f"{written:7d} records: newest 50 {_ms(newest)}, oldest 50 {_ms(oldest)}")
            if newest == float("inf") and oldest == float("inf"):
                break  # stalled both ways: more steps only take longer
    finally:
        await producer.stop()
        await consumer.stop()
    return rows


def _ms(value: float) -> str:
    return "no answer" if value == float("inf") else f"{value:8.1f} ms"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m streams.bench.partition_growth")
    parser.add_argument("--broker", choices=("embedded", "kafka"), default="embedded")
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--per-step", type=int, default=2000)
    parser.add_argument("--value-bytes", type=int, default=100)
    parser.add_argument("--give-up", type=float, default=20.0, help="seconds a fetch may take")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="wirewatch-growth-") as work:
        broker: BrokerProcess = (
            TansuBroker(log=Path(work) / "tansu.log")
            if args.broker == "embedded"
            else KafkaBroker(Path(work) / "kafka")
        )
        print(f"starting {broker.name} …")
        broker.start(timeout=120)
        try:
            asyncio.run(
                measure(broker.bootstrap, args.steps, args.per_step, args.value_bytes, args.give_up)
            )
        except KeyboardInterrupt:
            print("interrupted")
            return 130
        finally:
            broker.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

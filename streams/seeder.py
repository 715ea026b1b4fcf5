"""The seeder: publish articles to ``articles.raw`` (key = article id, value = orjson bytes)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import orjson
from aiokafka import AIOKafkaProducer

from . import contracts, topics
from .ids import article_id
from .settings import Settings

Progress = Callable[[int, int | None], None]


class InputError(ValueError):
    """An input file wirewatch cannot read; the message names file and line."""


def read_jsonl(path: Path | str, lines: Iterable[str] | None = None) -> Iterator[dict[str, Any]]:
    """Articles from JSON lines; any bad line stops the read with ``file:line: problem``."""
    name = str(path)
    if lines is None:
        try:
            lines = Path(path).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{name}: cannot read: {exc}") from None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            raise InputError(f"{name}:{number}: not valid JSON ({exc})") from None
        if not isinstance(record, dict):
            raise InputError(f"{name}:{number}: expected a JSON object")
        problem = contracts.problem(contracts.RAW, record)
        if problem is not None:
            raise InputError(f"{name}:{number}: {problem}")
        yield record


def with_id(article: dict[str, Any], repetition: int = 0) -> dict[str, Any]:
    out = dict(article)
    out.setdefault("id", article_id(out.get("title"), out["body"]))
    if repetition:
        out["id"] = f"{out['id']}-r{repetition}"  # load runs: each copy is its own article
    return out


async def publish(
    settings: Settings,
    articles: list[dict[str, Any]],
    *,
    repeat: int = 1,
    rate: float | None = None,
    clock: Callable[[], float] = time.time,
    progress: Progress | None = None,
) -> list[str]:
    """Publish ``articles`` ``repeat`` times, at most ``rate`` per second; return the ids sent."""
    producer = AIOKafkaProducer(
        **settings.kafka_client_params(),
        acks="all",
        linger_ms=5,
        max_request_size=settings.topic_max_message_bytes,
        # A send retried after a lost answer must not put an article on the topic twice,
        # or exactly_once would pass the repeat on as a second article. Tansu has no
        # idempotent producer; exactly_once needs Apache Kafka anyway.
        enable_idempotence=settings.processing_guarantee == "exactly_once",
    )
    await producer.start()
    sent: list[str] = []
    total = len(articles) * repeat
    started = time.monotonic()
    try:
        pending = []
        for n in range(repeat):
            for article in articles:
                record = with_id(article, n)
                record["ingested_at"] = clock()
                pending.append(
                    await producer.send(
                        settings.topic(topics.RAW),
                        key=record["id"].encode(),
                        value=orjson.dumps(record),
                    )
                )
                sent.append(record["id"])
                if rate:
                    delay = started + len(sent) / rate - time.monotonic()
                    if delay > 0:
                        await asyncio.sleep(delay)
                if progress is not None and len(sent) % 1000 == 0:
                    progress(len(sent), total)
        await asyncio.gather(*pending)  # every send acknowledged by the broker
    finally:
        await producer.stop()
    if progress is not None:
        progress(len(sent), total)
    return sent

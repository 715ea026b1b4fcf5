"""Topic names and their creation with the configs the pipeline relies on."""

from __future__ import annotations

import contextlib

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from .settings import Settings

RAW = "articles.raw"
CLASSIFIED = "articles.classified"
TAGGED = "articles.tagged"
MATCHED = "articles.matched"
ALERTS = "alerts"
DEADLETTER = "articles.deadletter"
ALL = (RAW, CLASSIFIED, TAGGED, MATCHED, ALERTS, DEADLETTER)
# Stories and alert state need every article in one place, in one order: one partition.
SINGLE_PARTITION = frozenset({MATCHED})


def consumed(settings: Settings) -> tuple[str, ...]:
    """The topics a worker reads, and so commits offsets on: the fused topology reads only
    the raw articles and, in its story stage, the matched ones."""
    stages = (RAW,) if settings.topology == "fused" else (RAW, CLASSIFIED, TAGGED)
    return (*stages, MATCHED)


def topic_configs(settings: Settings) -> dict[str, str]:
    # Oversized articles must be accepted by the broker so the classify stage can
    # dead-letter them with a reason instead of the producer failing silently upstream.
    return {"max.message.bytes": str(settings.topic_max_message_bytes)}


async def ensure_topics(settings: Settings, names: tuple[str, ...] = ALL) -> list[str]:
    """Create the pipeline's topics that do not exist yet; return the names created."""
    admin = AIOKafkaAdminClient(**settings.kafka_client_params(), request_timeout_ms=15000)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = [settings.topic(n) for n in names if settings.topic(n) not in existing]
        single = {settings.topic(n) for n in SINGLE_PARTITION}
        if not wanted:
            return []
        new = [
            NewTopic(
                name,
                num_partitions=1 if name in single else settings.partitions,
                replication_factor=settings.replication_factor,
                topic_configs=topic_configs(settings),
            )
            for name in wanted
        ]
        # Another worker may create one between our list and our create.
        with contextlib.suppress(TopicAlreadyExistsError):
            await admin.create_topics(new, timeout_ms=15000)
        return wanted
    finally:
        await admin.close()

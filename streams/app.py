"""The app factory: one place builds the faust app, its topics and its agents."""

from __future__ import annotations

import time
from collections.abc import Callable

import faust

from . import topics
from .alert.rules import RuleSet, load_rules
from .alert.story_agent import attach_story_stage
from .metrics import Metrics
from .pipeline import build_stages
from .settings import Settings
from .stage import attach


def create_app(
    settings: Settings,
    *,
    metrics: Metrics | None = None,
    rules: RuleSet | None = None,
    clock: Callable[[], float] = time.time,
) -> faust.App:
    metrics = metrics or Metrics()
    rules = rules or load_rules(settings.rules)
    app = faust.App(
        settings.app_id,
        broker=settings.faust_broker,
        broker_credentials=_credentials(settings),
        store="memory://",
        autodiscover=False,
        web_enabled=False,
        datadir=str(settings.data_dir),
        topic_partitions=settings.partitions,
        topic_replication_factor=settings.replication_factor,
        processing_guarantee=settings.processing_guarantee,
        broker_commit_interval=1.0,
        broker_session_timeout=settings.session_timeout,
        broker_heartbeat_interval=settings.session_timeout / 5,
        producer_acks=-1,
        producer_max_request_size=settings.topic_max_message_bytes,
        consumer_max_fetch_size=settings.topic_max_message_bytes,
        consumer_auto_offset_reset="earliest",
    )

    def topic(name: str) -> faust.TopicT:
        return app.topic(settings.topic(name), key_serializer="raw", value_serializer="raw")

    deadletters = topic(topics.DEADLETTER)
    chain = [
        ("classify", topics.RAW, topics.CLASSIFIED),
        ("tag", topics.CLASSIFIED, topics.TAGGED),
        ("alert", topics.TAGGED, topics.MATCHED),
    ]
    stages = build_stages(settings, rules)

    for name, source, sink in chain:
        attach(
            app,
            stages[name],
            source=topic(source),
            sink=topic(sink),
            deadletters=deadletters,
            metrics=metrics,
            clock=clock,
        )
    watch_lag(
        app,
        metrics,
        inputs={topic(source).get_topic_name() for _, source, _ in chain}
        | {settings.topic(topics.MATCHED)},
    )
    attach_story_stage(
        app,
        settings,
        source=topic(topics.MATCHED),
        sink=topic(topics.ALERTS),
        deadletters=deadletters,
        metrics=metrics,
        clock=clock,
    )
    return app


def watch_lag(app: faust.App, metrics: Metrics, inputs: set[str], every: float = 5.0) -> None:
    """Consumer lag per input partition: the partition's end minus what the group committed."""

    @app.timer(every, name="wirewatch.consumer-lag")
    async def report_lag() -> None:
        consumer = app.consumer
        for tp in consumer.assignment():
            if tp.topic not in inputs:
                continue  # table changelogs are read during recovery only
            end = consumer.highwater(tp)
            if end is None:
                continue
            # faust records the offset of the last committed message, not the next one.
            committed = getattr(consumer, "_committed_offset", {}).get(tp)  # no public accessor
            done = 0 if committed is None else committed + 1
            metrics.consumer_lag.labels(tp.topic, str(tp.partition)).set(max(0, end - done))


def _credentials(settings: Settings) -> faust.SASLCredentials | None:
    if not settings.sasl_mechanism:
        return None
    return faust.SASLCredentials(
        username=settings.sasl_username,
        password=settings.sasl_password.get_secret_value(),
        mechanism=settings.sasl_mechanism,
        ssl_context=None,
    )

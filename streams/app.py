"""The app factory: one place builds the faust app, its topics and its agents."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import faust

from . import commit_gaps, endoffsets, topics, transactions
from .alert.reload import RuleBook, RulesTopicFollower, follow_file
from .alert.story_agent import attach_story_stage
from .chain import attach_chain
from .fetchwait import bound_fetch_wait
from .inflight import InFlight, hold_for
from .metrics import Metrics
from .pipeline import build_stages, passthrough_stages
from .settings import Settings

log = logging.getLogger(__name__)


def create_app(
    settings: Settings,
    *,
    metrics: Metrics | None = None,
    rules: RuleBook | None = None,
    clock: Callable[[], float] = time.time,
    passthrough: bool = False,
) -> faust.App:
    """The faust app with its topics and agents. ``passthrough`` keeps the topology and
    swaps every stage's work for a copy (benchmarks measure the plumbing with it)."""
    metrics = metrics or Metrics()
    bound_fetch_wait(settings.fetch_max_wait_ms)
    commit_gaps.install()  # faust could commit past a message it never handled
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
        # Batch what a stage sends within 5 ms: far fewer produce requests under load.
        producer_linger=0.005,
        producer_max_request_size=settings.topic_max_message_bytes,
        # Backpressure: what a worker holds of its inputs is bounded by these two, not by
        # the backlog. A fetch still returns at least one whole batch however large, so a
        # 16 MiB article arrives with a 1 MiB fetch size (faust's default); and a stream
        # buffers 256 messages, not 4096 (at up to 1 MiB each, per input partition).
        consumer_max_fetch_size=1_048_576,
        stream_buffer_maxsize=256,
        consumer_auto_offset_reset="earliest",
    )

    cut = transactions.Cut()
    if settings.processing_guarantee == "exactly_once":
        transactions.install(app, cut)

    def topic(name: str) -> faust.TopicT:
        return app.topic(settings.topic(name), key_serializer="raw", value_serializer="raw")

    deadletters = topic(topics.DEADLETTER)
    chain = [
        ("classify", topics.RAW, topics.CLASSIFIED),
        ("tag", topics.CLASSIFIED, topics.TAGGED),
        ("alert", topics.TAGGED, topics.MATCHED),
    ]
    if passthrough:
        stages = passthrough_stages(settings)
    else:
        book = rules or RuleBook.load(settings.rules)
        stages = build_stages(settings, book)
        follow_rules(app, settings, book, metrics)

    delayed = settings.debug_stage_delay_ms / 1000
    in_flight = InFlight(
        settings.topic(topics.MATCHED), hold=hold_for(settings.processing_guarantee)
    )
    if settings.topology == "fused":
        attach_chain(
            app,
            [stages[name] for name, _, _ in chain],
            source=topic(topics.RAW),
            sinks=[topic(sink) for _, _, sink in chain],
            deadletters=deadletters,
            metrics=metrics,
            clock=clock,
            delay=delayed if settings.debug_delay_stage in stages else 0.0,
            in_flight=in_flight,
            cut=cut,
        )
    else:
        for name, source, sink in chain:
            attach_chain(
                app,
                [stages[name]],
                source=topic(source),
                sinks=[topic(sink)],
                deadletters=deadletters,
                metrics=metrics,
                clock=clock,
                delay=delayed if name == settings.debug_delay_stage else 0.0,
                name=f"wirewatch.{name}",
                in_flight=in_flight,
                cut=cut,
            )
    commit_gaps.watch_holes(app)
    endoffsets.count_whole_last_batches(app, settings)
    watch_lag(app, metrics, inputs={settings.topic(t) for t in topics.consumed(settings)})
    attach_story_stage(
        app,
        settings,
        source=topic(topics.MATCHED),
        sink=topic(topics.ALERTS),
        deadletters=deadletters,
        metrics=metrics,
        clock=clock,
        passthrough=passthrough,
        in_flight=in_flight,
        trace=topic(settings.trace_topic) if settings.trace_topic else None,
        cut=cut,
    )
    return app


def follow_rules(app: faust.App, settings: Settings, book: RuleBook, metrics: Metrics) -> None:
    """Reload rules from the compacted rules topic, and from WIREWATCH_RULES when it changes.
    A broken update keeps the rules in force and says why."""
    metrics.rule_reloads.labels("ok")  # both series exist from the start
    metrics.rule_reloads.labels("failed")
    metrics.rules_loaded.set(len(book.rules))

    def on_result(ok: bool, message: str) -> None:
        metrics.rule_reloads.labels("ok" if ok else "failed").inc()
        metrics.rules_loaded.set(len(book.rules))
        (log.warning if ok else log.error)("rules %s: %s", "reloaded" if ok else "kept", message)

    @app.task
    async def follow_rules_topic() -> None:  # faust owns the task and cancels it on stop
        await RulesTopicFollower(settings, book, on_result).run()

    if settings.rules is not None:
        path = settings.rules

        @app.task
        async def follow_rules_file() -> None:
            await follow_file(book, path, on_result)


def watch_lag(app: faust.App, metrics: Metrics, inputs: set[str], every: float = 5.0) -> None:
    """Consumer lag per input partition: the partition's end minus what the group committed."""

    reported: set[tuple[str, str]] = set()

    @app.timer(every, name="wirewatch.consumer-lag")
    async def report_lag() -> None:
        consumer = app.consumer
        current: set[tuple[str, str]] = set()
        for tp in consumer.assignment():
            if tp.topic not in inputs:
                continue  # table changelogs are read during recovery only
            end = consumer.highwater(tp)
            if end is None:
                continue
            # faust records the offset of the last committed message, not the next one.
            committed = getattr(consumer, "_committed_offset", {}).get(tp)  # no public accessor
            done = 0 if committed is None else committed + 1
            labels = (tp.topic, str(tp.partition))
            metrics.consumer_lag.labels(*labels).set(max(0, end - done))
            current.add(labels)
        # Partitions another worker took over in a rebalance are no longer ours to report.
        for labels in reported - current:
            metrics.consumer_lag.remove(*labels)
        reported.clear()
        reported.update(current)


def _credentials(settings: Settings) -> faust.SASLCredentials | None:
    if not settings.sasl_mechanism:
        return None
    return faust.SASLCredentials(
        username=settings.sasl_username,
        password=settings.sasl_password.get_secret_value(),
        mechanism=settings.sasl_mechanism,
        ssl_context=None,
    )

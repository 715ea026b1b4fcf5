"""Rules that change without a restart: from the rule file, or from the compacted ``rules`` topic.

A ``RuleBook`` holds the rules in use. A reload parses the new text completely before it
swaps, so an agent never sees half a rule set, and a broken file leaves the last good rules
in place with a one-line reason in ``last_error``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError, for_code

from ..settings import Settings
from ..watch import behind, topic_partitions
from .rules import RuleError, RuleSet, load_rules, parse_rules
from .yamltree import rule_error

log = logging.getLogger(__name__)

RULES_TOPIC = "rules"
RULES_KEY = b"rules"
OnResult = Callable[[bool, str], None]  # (ok, one-line message), e.g. for a reload counter


@dataclass(frozen=True)
class _Current:
    rules: RuleSet
    origin: str
    version: int


class RuleBook:
    """The rules in use, where they came from and how many times they have changed."""

    def __init__(self, rules: RuleSet, origin: str | None = None) -> None:
        # One immutable snapshot, replaced in one assignment: readers never see a mix.
        self._current = _Current(rules, origin or rules.source, 1)
        self.last_error: str | None = None

    @classmethod
    def load(cls, path: str | Path | None = None) -> RuleBook:
        """The book for ``path`` (the packaged rules when None); a broken file raises RuleError."""
        rules = load_rules(path)
        return cls(rules, rules.source)

    @property
    def rules(self) -> RuleSet:
        return self._current.rules

    @property
    def origin(self) -> str:
        return self._current.origin

    @property
    def version(self) -> int:
        return self._current.version

    def _swap(self, rules: RuleSet, origin: str) -> None:
        self._current = _Current(rules, origin, self._current.version + 1)
        self.last_error = None

    def reject(self, message: str) -> bool:
        """Record why new rules were not taken; the current ones stay."""
        self.last_error = f"{message} (keeping {len(self.rules)} rules from {self.origin})"
        log.warning("rules not reloaded: %s", self.last_error)
        return False

    def reload_text(self, text: str, origin: str) -> bool:
        try:
            rules = parse_rules(text, origin)
        except RuleError as exc:
            return self.reject(str(exc))
        self._swap(rules, origin)
        return True

    def reload_file(self, path: str | Path) -> bool:
        try:
            rules = load_rules(path)
        except RuleError as exc:
            return self.reject(str(exc))
        self._swap(rules, str(path))
        return True

    def describe(self) -> str:
        now = self._current  # one snapshot, so the three fields agree
        return f"{len(now.rules)} rules from {now.origin} (version {now.version})"


class FileWatcher:
    """Tells when a file has changed since last asked, by modification time and size."""

    def __init__(self) -> None:
        self._seen: dict[Path, tuple[int, int] | None] = {}

    @staticmethod
    def _signature(path: Path) -> tuple[int, int] | None:
        try:
            stat = path.stat()
        except OSError:
            return None
        return stat.st_mtime_ns, stat.st_size

    def changed(self, path: str | Path) -> bool:
        """False the first time a path is seen (it was just loaded), then True on change."""
        key = Path(path)
        now = self._signature(key)
        before = self._seen.get(key, now)
        self._seen[key] = now
        return now != before


def _report(book: RuleBook, ok: bool, on_result: OnResult | None) -> None:
    if on_result is not None:
        on_result(ok, book.describe() if ok else (book.last_error or "rules not reloaded"))


async def follow_file(
    book: RuleBook, path: str | Path, on_result: OnResult | None = None, interval: float = 2.0
) -> None:
    """Reload ``path`` into ``book`` whenever it changes; runs until cancelled."""
    watcher = FileWatcher()
    watcher.changed(path)
    while True:
        await asyncio.sleep(interval)
        if watcher.changed(path):
            _report(book, book.reload_file(path), on_result)


def rules_topic(settings: Settings) -> str:
    return settings.topic(RULES_TOPIC)


async def ensure_rules_topic(settings: Settings) -> bool:
    """Create the compacted, single-partition ``rules`` topic if missing; True if created."""
    admin = AIOKafkaAdminClient(**settings.kafka_client_params(), request_timeout_ms=15000)
    await admin.start()
    try:
        name = rules_topic(settings)
        if name in set(await admin.list_topics()):
            return False
        # Compaction keeps the latest rule file forever; one partition keeps updates in order.
        topic = NewTopic(
            name,
            num_partitions=1,
            replication_factor=settings.replication_factor,
            topic_configs={"cleanup.policy": "compact"},
        )
        response = await admin.create_topics([topic], timeout_ms=15000)
        # aiokafka returns per-topic error codes rather than raising them.
        for _name, code, *rest in response.topic_errors:
            if code == TopicAlreadyExistsError.errno:  # another worker was quicker
                return False
            if code:
                raise for_code(code)(f"cannot create {name}: {rest[0] if rest else code}")
        return True
    finally:
        await admin.close()


def _checked(path: Path) -> tuple[bytes, RuleSet]:
    """The file's bytes and their rules: what is published is exactly what was checked."""
    try:
        data = path.read_bytes()
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problem = f"cannot read rules file: {exc.__class__.__name__}: {exc}"
        raise rule_error(str(path), problem) from exc
    return data, parse_rules(text, str(path))


async def publish_rules(settings: Settings, path: str | Path) -> RuleSet:
    """Check the rule file (RuleError if broken), then make it every worker's rules."""
    text, rules = await asyncio.to_thread(_checked, Path(path))
    await ensure_rules_topic(settings)
    producer = AIOKafkaProducer(**settings.kafka_client_params(), acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(rules_topic(settings), key=RULES_KEY, value=text)
    finally:
        await producer.stop()
    return rules


class RulesTopicFollower:
    """Reads the compacted ``rules`` topic and reloads the book with its latest value.

    No consumer group: every worker must see every update, so each one assigns all
    partitions itself and starts from the beginning (compaction keeps that short).
    """

    def __init__(
        self, settings: Settings, book: RuleBook, on_result: OnResult | None = None
    ) -> None:
        self.settings = settings
        self.book = book
        self.on_result = on_result
        self.consumer: AIOKafkaConsumer | None = None

    async def start(self) -> None:
        """Connect and apply the latest published rules, if any, before returning."""
        await ensure_rules_topic(self.settings)
        consumer = AIOKafkaConsumer(
            **self.settings.kafka_client_params(), group_id=None, enable_auto_commit=False
        )
        await consumer.start()
        self.consumer = consumer
        tps = await topic_partitions(consumer, rules_topic(self.settings))
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        ends = await consumer.end_offsets(tps)
        latest: ConsumerRecord[bytes, bytes] | None = None
        while await behind(consumer, ends):
            for batch in (await consumer.getmany(timeout_ms=500)).values():
                latest = self._latest(batch, latest)
        if latest is not None:  # only the newest version matters after a restart
            self._apply(latest)

    async def poll(self, timeout_ms: int = 1000) -> None:
        """Apply the newest update that arrived, if any."""
        assert self.consumer is not None, "start() first"
        latest: ConsumerRecord[bytes, bytes] | None = None
        for batch in (await self.consumer.getmany(timeout_ms=timeout_ms)).values():
            latest = self._latest(batch, latest)
        if latest is not None:
            self._apply(latest)

    async def run(self) -> None:
        """start(), then follow updates until cancelled; the consumer is always closed."""
        try:
            if self.consumer is None:
                await self.start()
            while True:
                await self.poll()
        finally:
            await self.stop()

    async def stop(self) -> None:
        if self.consumer is not None:
            consumer, self.consumer = self.consumer, None
            await consumer.stop()

    @staticmethod
    def _latest(
        batch: list[ConsumerRecord[bytes, bytes]], latest: ConsumerRecord[bytes, bytes] | None
    ) -> ConsumerRecord[bytes, bytes] | None:
        # Tombstones (no value) and other keys are not rule files; the current rules stay.
        for record in batch:
            if record.key == RULES_KEY and record.value is not None:
                latest = record
        return latest

    def _apply(self, record: ConsumerRecord[bytes, bytes]) -> None:
        origin = f"{record.topic}@{record.partition}:{record.offset}"
        assert record.value is not None
        try:
            text = record.value.decode("utf-8")
        except UnicodeDecodeError as exc:
            ok = self.book.reject(f"{origin}: not UTF-8 ({exc.reason} at byte {exc.start})")
        else:
            ok = self.book.reload_text(text, origin)
        _report(self.book, ok, self.on_result)

"""What a run left on the broker, read back: the tagged articles, alerts and dead letters,
the story stage's processed table, the worker group's lag; and how a faulted run differs
from a clean one."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import orjson
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError

from streams import topics
from streams.endoffsets import last_batch_ends
from streams.settings import Settings
from streams.watch import behind, topic_partitions


def consumer(settings: Settings, *, committed_only: bool = False) -> AIOKafkaConsumer:
    return AIOKafkaConsumer(
        **settings.kafka_client_params(),
        group_id=None,
        enable_auto_commit=False,
        isolation_level="read_committed" if committed_only else "read_uncommitted",
        max_partition_fetch_bytes=settings.topic_max_message_bytes,
    )


async def end_offsets(c: AIOKafkaConsumer, tps: list[TopicPartition]) -> dict[TopicPartition, int]:
    """Each partition's end: its last offset + 1 (Tansu's ListOffsets answers less when the
    last batch holds several records: streams/endoffsets.py)."""
    c.assign(tps)
    return await last_batch_ends(c, await c.end_offsets(tps))


async def read_topic(
    settings: Settings, name: str, *, committed_only: bool = False, within: float = 60.0
) -> list[ConsumerRecord[bytes, bytes]]:
    """Every message on ``name`` (un-prefixed) up to its current end."""
    c = consumer(settings, committed_only=committed_only)
    await c.start()
    try:
        tps = await topic_partitions(c, settings.topic(name))
        ends = await end_offsets(c, tps)
        await c.seek_to_beginning(*tps)
        out: list[ConsumerRecord[bytes, bytes]] = []
        deadline = time.monotonic() + within
        while await behind(c, ends):
            assert time.monotonic() < deadline, f"reading {name} took over {within:.0f}s"
            for batch in (await c.getmany(timeout_ms=300)).values():
                out.extend(batch)
        return out
    finally:
        await c.stop()


@dataclass
class Observed:
    """What a run left on the broker."""

    tagged: Counter[str]  # article id -> copies on articles.tagged
    alerts: dict[str, int]  # alert id -> highest version
    alert_messages: Counter[tuple[str, int]]  # (alert id, version) -> copies
    dead: dict[str, dict[str, Any]] = field(default_factory=dict)  # original key -> letter
    latest: dict[str, dict[str, Any]] = field(default_factory=dict)  # alert id -> last record
    records: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> tagged record
    storied: set[str] = field(default_factory=set)  # ids in the story stage's processed table
    raw: Counter[str] = field(default_factory=Counter)  # article id -> copies on articles.raw
    copies: dict[str, list[str]] = field(default_factory=dict)  # id tagged twice -> its copies

    def duplicates(self) -> dict[str, int]:
        return {i: n for i, n in self.tagged.items() if n > 1}

    def describe(self, alert_id: str) -> str:
        a = self.latest.get(alert_id, {})
        return f"{alert_id} v{a.get('version')} {a.get('rule')} {a.get('article_ids')}"


async def observe(settings: Settings, *, committed_only: bool = False) -> Observed:
    tagged_messages = await read_topic(settings, topics.TAGGED, committed_only=committed_only)
    records = [orjson.loads(m.value) for m in tagged_messages]
    messages: Counter[tuple[str, int]] = Counter()
    latest: dict[str, dict[str, Any]] = {}
    for m in await read_topic(settings, topics.ALERTS, committed_only=committed_only):
        alert = orjson.loads(m.value)
        messages[(alert["id"], alert["version"])] += 1
        latest[alert["id"]] = alert
    alerts: dict[str, int] = {}
    for alert_id, version in messages:
        alerts[alert_id] = max(version, alerts.get(alert_id, 0))
    dead = {
        m.key.decode("utf-8", "replace") if m.key is not None else "": orjson.loads(m.value)
        for m in await read_topic(settings, topics.DEADLETTER, committed_only=committed_only)
    }
    tagged = Counter(r["id"] for r in records)
    by_id = {r["id"]: r for r in records}
    copies: dict[str, list[str]] = {}
    for m, r in zip(tagged_messages, records, strict=True):
        if tagged[r["id"]] > 1:  # where each copy is, and when each stage handled it
            stamps = ",".join(f"{k}={v:.3f}" for k, v in sorted(r.get("stages", {}).items()))
            copies.setdefault(r["id"], []).append(f"[{m.partition}]@{m.offset} {stamps}")
    raw = Counter(
        m.key.decode() if m.key is not None else ""
        for m in await read_topic(settings, topics.RAW, committed_only=committed_only)
    )
    return Observed(
        tagged, alerts, messages, dead, latest, by_id, await storied(settings), raw, copies
    )


async def storied(settings: Settings) -> set[str]:
    """Article ids in the story stage's table of processed articles (its changelog), when
    the worker keeps one: an id missing there never went through the last stage."""
    name = f"{settings.app_id}-processed-articles-changelog"
    admin = AIOKafkaAdminClient(**settings.kafka_client_params())
    await admin.start()
    try:
        if name not in await admin.list_topics():
            return set()
    finally:
        await admin.close()
    c = consumer(settings)
    await c.start()
    try:
        tps = await topic_partitions(c, name)
        ends = await end_offsets(c, tps)
        await c.seek_to_beginning(*tps)
        keys: set[str] = set()
        while await behind(c, ends):
            for batch in (await c.getmany(timeout_ms=300)).values():
                keys.update(orjson.loads(m.key) for m in batch if m.key)
        return keys
    finally:
        await c.stop()


def differences(expected: Observed, got: Observed, ids: Iterable[str]) -> list[str]:
    """What ``got`` lost or changed against ``expected``; repeats of an id are not counted."""
    problems = []
    missing = sorted(set(ids) - set(got.tagged))
    if missing:
        problems.append(f"{len(missing)} articles never reached articles.tagged: {missing[:5]}")
    strangers = sorted(set(got.tagged) - set(ids))
    if strangers:
        problems.append(f"articles.tagged holds ids nobody published: {strangers[:5]}")
    skipped = sorted(set(ids) - got.storied) if got.storied else []
    if skipped:
        problems.append(f"the story stage never processed {len(skipped)} articles: {skipped[:5]}")
    lost = sorted(set(expected.alerts) - set(got.alerts))
    extra = sorted(set(got.alerts) - set(expected.alerts))
    if lost:
        problems.append(
            f"{len(lost)} expected alerts missing: {[expected.describe(i) for i in lost[:6]]}"
        )
    if extra:
        problems.append(
            f"{len(extra)} alerts the clean run did not raise: "
            f"{[got.describe(i) for i in extra[:6]]}"
        )
    # A story whose articles were taken in another order gets another first article, so
    # another story id and alert id: name it, it is a different bug from a lost message.
    reordered = {
        expected.describe(i): got.describe(j)
        for i in lost
        for j in extra
        if expected.latest[i]["rule"] == got.latest[j]["rule"]
        and set(expected.latest[i]["article_ids"]) & set(got.latest[j]["article_ids"])
    }
    if reordered:
        problems.append(f"stories formed in another order (clean -> faulted): {reordered}")
    versions = {
        i: (v, got.alerts[i]) for i, v in expected.alerts.items() if got.alerts.get(i, v) != v
    }
    if versions:
        problems.append(f"final versions differ (clean, faulted): {versions}")
    return problems


async def group_lag(
    settings: Settings, names: Iterable[str] | None = None
) -> dict[TopicPartition, int]:
    """End offset minus the worker group's committed offset, per input partition; retried
    while the group coordinator is not ready (a fresh broker, a broker restart)."""
    for attempt in range(60):
        try:
            return await _group_lag(settings, names or topics.consumed(settings))
        except KafkaError as exc:
            if not exc.retriable or attempt == 59:
                raise
            await asyncio.sleep(0.5)
    raise AssertionError("unreachable")


async def _group_lag(settings: Settings, names: Iterable[str]) -> dict[TopicPartition, int]:
    c = consumer(settings)
    admin = AIOKafkaAdminClient(**settings.kafka_client_params())
    await c.start()
    await admin.start()
    try:
        tps = [tp for name in names for tp in await topic_partitions(c, settings.topic(name))]
        ends = await end_offsets(c, tps)
        committed = await admin.list_consumer_group_offsets(settings.app_id, partitions=tps)
        return {
            tp: end - (committed[tp].offset if tp in committed and committed[tp].offset >= 0 else 0)
            for tp, end in ends.items()
        }
    finally:
        await c.stop()
        await admin.close()


def by_topic(lag: dict[TopicPartition, int]) -> dict[str, int]:
    out: dict[str, int] = {}
    for tp, n in lag.items():
        name = tp.topic.split(".", 1)[1]
        out[name] = out.get(name, 0) + n
    return out


async def where(settings: Settings, ids: list[str]) -> str:
    """Where the stages left each of ``ids``: the topics that hold it, with partition and
    offset, so a loss names the stage that dropped the article."""
    found: dict[str, list[str]] = {i: [] for i in ids}
    for name in (topics.RAW, topics.CLASSIFIED, topics.TAGGED):
        for m in await read_topic(settings, name):
            key = m.key.decode("utf-8", "replace") if m.key is not None else ""
            if key in found:
                found[key].append(f"{name} p{m.partition}@{m.offset}")
    return "; ".join(f"{i} is on {', '.join(t) or 'no topic'}" for i, t in found.items())

"""Poison pills on a real broker: each bad message is dead-lettered with its reason or
processed with its text made safe, in bounded time, and the worker neither crashes nor
stalls: a good article published after them all raises its alert within a bound."""

from __future__ import annotations

import asyncio
import re
import time
import unicodedata
from pathlib import Path
from typing import Any

import orjson
import pytest

from streams import topics
from streams.brokers.process import BrokerProcess
from streams.deadletter import original_value
from streams.launcher import WorkerError
from streams.seeder import publish
from streams.seeds import load_seed_dir
from streams.watch import PipelineWatch

from .conftest import fresh_settings
from .faults import settle
from .kafkaio import publish_raw
from .readback import observe
from .workers import Worker

pytestmark = [pytest.mark.integration, pytest.mark.reliability]

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
WITHIN = 60.0  # seconds for every pill, and for the good article after them
GOOD_TEXT = "Troops clashed with rebels near the town; at least 12 people were killed."


def _article(key: str, **fields: Any) -> bytes:
    return orjson.dumps({"id": key, "title": "Poison", "body": GOOD_TEXT, **fields})


DEEP = b'{"id": "p-deep", "body": "x", "n": ' + b"[" * 10_000 + b"]" * 10_000 + b"}"
# key -> (value, the dead-letter reason, or None when it must come through sanitised)
PILLS: dict[str, tuple[bytes | None, str | None]] = {
    "p-utf8": (b'{"id": "p-utf8", "body": "caf\xe9 \xff\xfe"}', "invalid_utf8"),
    "p-json": (b'{"id": "p-json", "body": "no end', "invalid_json"),
    "p-deep": (DEEP, "invalid_json"),
    "p-empty": (b"", "invalid_json"),
    "p-tombstone": (None, "invalid_json"),
    "p-array": (b"[1, 2, 3]", "schema_violation"),
    "p-2mb": (_article("p-2mb", body="x " * 1_000_000), "oversized"),
    "p-10mb-body": (_article("p-10mb-body", body="word " * 2_000_000), "oversized"),
    "p-only-markup": (_article("p-only-markup", body="<script>alert(1)</script><br/>"), "*"),
    "p-html": (
        _article(
            "p-html",
            title="<b>Clashes</b> in <i>Kidal</i><script>steal()</script>",
            body="<p>Troops clashed with rebels near the town.</p><script>alert('x')</script>"
            "<style>p{}</style><img src=x onerror=alert(1)><a href='javascript:x'>link</a>"
            "<div>At least 12 people were killed, officials said.</div>"
            " Quoted markup: &lt;script&gt;alert(2)&lt;/script&gt; &lt;b&gt;bold&lt;/b&gt;",
        ),
        None,
    ),
    "p-control": (
        _article(
            "p-control",
            title="Bidi \u202eevil\u202c title\u200b",
            body="Troops\x00 clashed\x07 with\x1b[31m rebels\u0085 near\u202e the\u2066 town\u2069"
            "\ufeff;\u200d at\u00ad least 12\u2028 people were killed.\U000e0041\U000e0042"
            "\U000e0001 \u061c\u200e\u200f",
        ),
        None,
    ),
}
NULL_KEY_ID = "p-null-key"  # a good article without a message key: processed by its id
TAG = re.compile(r"<\s*/?\s*[A-Za-z!][^>]*>")


def _unsafe(text: str) -> list[str]:
    """Markup, control characters (tab and newline aside) and format characters (bidi
    controls, zero-width and tag characters) left in ``text``."""
    found = TAG.findall(text)
    found += [
        f"U+{ord(ch):04X}"
        for ch in text
        if unicodedata.category(ch) in ("Cc", "Cf") and ch not in "\n\t"
    ]
    return found


def test_poison_pills_are_dead_lettered_or_sanitised_and_the_pipeline_goes_on(
    broker: BrokerProcess, tmp_path: Path
) -> None:
    settings = fresh_settings(broker, tmp_path)
    worker = Worker(settings, tmp_path).start()
    good = dict(load_seed_dir(SEEDS)[0], id="good-after-the-pills")

    async def scenario() -> float:
        items: list[tuple[bytes | None, bytes | None]] = [
            (key.encode(), value) for key, (value, _) in PILLS.items()
        ]
        items.append((None, _article(NULL_KEY_ID)))
        started = time.monotonic()
        await publish_raw(settings, topics.RAW, items)
        await settle(settings, [*PILLS, NULL_KEY_ID], within=WITHIN, check=worker.check)
        pills_done = time.monotonic() - started
        watch = PipelineWatch(settings)
        await watch.start()
        try:
            sent = time.monotonic()
            await publish(settings, [good])
            await watch.wait_for([good["id"]], within=WITHIN, check=worker.check)
            assert any(good["id"] in a["article_ids"] for a in watch.alerts), watch.alerts
            print(f"pills handled in {pills_done:.1f}s; good article through and alerted in "
                  f"{time.monotonic() - sent:.1f}s")  # fmt: skip
        finally:
            await watch.stop()
        return pills_done

    try:
        asyncio.run(scenario())
        got = asyncio.run(observe(settings))
        worker.check()  # no crash: the same worker is still running
    except (AssertionError, TimeoutError, WorkerError) as exc:
        pytest.fail(f"{exc}\nworker log:\n{worker.log_tail()}", pytrace=False)
    finally:
        worker.stop()

    problems = []
    for key, (value, reason) in PILLS.items():
        letter, record = got.dead.get(key), got.records.get(key)
        if reason is None:
            if record is None:
                problems.append(f"{key}: not processed ({letter and letter['reason']})")
            elif bad := _unsafe(record["title"]) + _unsafe(record["body"]):
                problems.append(f"{key}: unsafe text left: {bad[:8]} in {record['body'][:160]!r}")
            continue
        if letter is None:
            problems.append(f"{key}: not dead-lettered (tagged: {record is not None})")
            continue
        if reason != "*" and letter["reason"] != reason:
            problems.append(f"{key}: reason {letter['reason']!r}, expected {reason!r}")
        if original_value(letter) != (value or b"") or "\n" in letter["error"]:
            problems.append(f"{key}: the dead letter lost the original bytes or its error")
    if NULL_KEY_ID not in got.records:
        problems.append(f"the article with a null key was not processed: {list(got.dead)}")
    assert problems == []

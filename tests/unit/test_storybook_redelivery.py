"""An article delivered twice to the story stage (at-least-once, after a crash)."""

from pathlib import Path
from typing import Any

from streams.alert.reload import RuleBook
from streams.alert.rules import load_rules
from streams.alert.storybook import StoryBook
from streams.analysis import classify_record, tag_record
from streams.pipeline import alert_transform
from streams.seeds import load_seed_dir
from streams.spikes import load_spike_rules

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def _matched(article: dict[str, Any]) -> dict[str, Any]:
    tagged = tag_record(classify_record(article))
    tagged["ingested_at"] = 1_750_000_000.0
    [(_, matched)] = alert_transform(RuleBook(load_rules()))(tagged, 0.0, None)
    return matched


def test_a_repeat_sends_nothing_and_changes_no_state() -> None:
    tables: list[dict[str, Any]] = [{}, {}, {}, {}]
    stories, index, alerts, counts = tables
    book = StoryBook(stories, index, alerts, counts, load_spike_rules(), processed={})
    matched = _matched(load_seed_dir(SEEDS)[0])
    first = book.process(matched, 1.0)
    before = [dict(t) for t in tables]
    again = book.process(matched, 2.0)
    assert first, "the Kidal clash raises alerts"
    assert again == []  # its alerts went out before its mark was written
    assert [dict(t) for t in tables] == before  # spike counts included: counted once


def test_expiry_forgets_closed_stories_and_their_index_by_event_time() -> None:
    tables: list[dict[str, Any]] = [{}, {}, {}, {}]
    stories, index, alerts, counts = tables
    processed: dict[str, Any] = {}
    book = StoryBook(stories, index, alerts, counts, load_spike_rules(), processed=processed)
    matched = _matched(load_seed_dir(SEEDS)[0])
    book.process(matched, 1.0)
    t = matched["article"]["ingested_at"]
    assert stories and index and alerts and processed
    assert book.expire(t + 3600) == 0  # all still inside their windows
    assert book.expire(t + book.params.window + book.suppression_window + 1) > 0
    assert not stories and not index and not alerts and not processed


def test_only_the_newest_marks_are_kept_and_a_recent_repeat_still_changes_nothing() -> None:
    tables: list[dict[str, Any]] = [{}, {}, {}, {}]
    stories, index, alerts, counts = tables
    processed: dict[str, Any] = {"recovered": {"at": 0.0}}  # from a changelog
    book = StoryBook(
        stories, index, alerts, counts, load_spike_rules(), processed=processed, processed_kept=3
    )
    base = _matched(load_seed_dir(SEEDS)[0])
    copies = []
    for i in range(5):
        matched = {**base, "article": {**base["article"], "id": f"a{i}"}}
        copies.append(matched)
        book.process(matched, 1.0 + i)
    assert list(processed) == ["a2", "a3", "a4"]  # the recovered mark went first
    before = [dict(t) for t in tables]
    book.process(copies[4], 9.0)
    assert [dict(t) for t in tables] == before

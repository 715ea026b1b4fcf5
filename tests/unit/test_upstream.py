from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
from faust.types import TP

from streams import markers
from streams.upstream import handling, has_hole, has_lag, unread, upstream_busy, upstream_holes

RAW, TAGGED = "p.articles.raw", "p.articles.tagged"


@dataclass
class FakeConsumer:
    """The consumer state upstream_busy reads."""

    ends: dict[TP, int]
    _read_offset: dict[TP, int | None] = field(default_factory=dict)
    _committed_offset: dict[TP, int | None] = field(default_factory=dict)
    _acked_index: dict[TP, set[int]] = field(default_factory=dict)

    def assignment(self) -> set[TP]:
        return set(self.ends)

    def highwater(self, tp: TP) -> int:
        return self.ends[tp]


def test_lag_from_the_last_delivered_or_the_committed_offset() -> None:
    tp, empty = TP(RAW, 0), TP(RAW, 1)
    c = FakeConsumer({tp: 10, empty: 0})
    assert has_lag(c, tp), "never committed: ten messages from the start"
    assert not has_lag(c, empty), "a fresh, empty partition: nothing on its way"
    c._committed_offset[tp] = 10
    assert not has_lag(c, tp)
    c._read_offset[tp] = 8  # delivered up to 8 of 0..9
    assert has_lag(c, tp)
    c._read_offset[tp] = 9
    assert not has_lag(c, tp)


def test_markers_and_aborted_records_at_the_end_are_no_lag(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Under exactly_once every transaction leaves a marker: an end past the last record
    read is no lag when a fetch passed over every offset in between (it held the story
    stage's watermark for 30 s)."""
    tp = TP(TAGGED, 0)
    c = FakeConsumer({tp: 12}, _read_offset={tp: 9})
    monkeypatch.setattr(markers, "_skipped", {(TAGGED, 0): [(10, 11), (11, 12)]})
    assert not has_lag(c, tp)
    monkeypatch.setattr(markers, "_skipped", {(TAGGED, 0): [(10, 11)]})
    assert has_lag(c, tp), "offset 11 may still be a record"


def test_busy_only_for_partitions_this_worker_has() -> None:
    c = FakeConsumer({TP(RAW, 0): 5, TP(TAGGED, 0): 3})
    c._read_offset.update({TP(RAW, 0): 4, TP(TAGGED, 0): 1})
    c._acked_index[TP(RAW, 0)] = {4}
    busy = upstream_busy(SimpleNamespace(consumer=c), [RAW, TAGGED])  # type: ignore[arg-type]
    assert busy(0), "tagged[0] has offset 2 still to deliver"
    assert not busy(1), "another worker has partition 1: silence decides"
    c._read_offset[TP(TAGGED, 0)] = 2
    c._acked_index[TP(TAGGED, 0)] = {0, 1}
    assert busy(0), "2 delivered but still being handled"
    c._acked_index[TP(TAGGED, 0)].add(2)
    assert not busy(0)


def test_handled_when_acked_committed_or_being_committed() -> None:
    tp = TP(TAGGED, 0)
    c = FakeConsumer({tp: 8})
    assert not handling(c, tp), "nothing delivered since the assignment"
    c._read_offset[tp] = 7
    c._committed_offset[tp] = 5
    c._acked_index[tp] = {5, 6}
    assert handling(c, tp)
    c._wirewatch_committing = {tp: 8}  # type: ignore[attr-defined]  # 5-7 taken by a commit
    c._acked_index[tp] = set()
    assert not handling(c, tp)
    del c._wirewatch_committing  # type: ignore[attr-defined]
    c._committed_offset[tp] = 8
    assert not handling(c, tp)


def test_unread_input_until_the_agent_takes_the_last_delivered() -> None:
    matched = TP("p.articles.matched", 0)
    c = FakeConsumer({matched: 6})
    c._committed_offset[matched] = 2
    assert unread(c, matched, None), "a backlog from the committed offset 2 to 5"
    c._read_offset[matched] = 5  # all fetched into the stream's buffer
    assert unread(c, matched, 3), "4 and 5 wait in the stream's buffer"
    assert not unread(c, matched, 5)
    c.ends[matched] = 7
    assert unread(c, matched, 5), "6 is written, not yet fetched"
    assert not unread(c, TP("p.articles.matched", 1), None), "not this worker's"
    c._read_offset[matched] = 5
    assert not unread(c, matched, 6), "faust records 6 as read only after the agent took it"


def test_a_hole_is_an_offset_below_the_last_acked_that_was_never_acked() -> None:
    tp = TP(RAW, 0)
    c = FakeConsumer({tp: 10})
    assert not has_hole(c, tp), "nothing acked yet"
    c._committed_offset[tp] = 3
    c._read_offset[tp] = 9  # 6-9 delivered, waiting in the stream's buffer: no hole
    c._acked_index[tp] = {3, 4, 5}
    assert not has_hole(c, tp)
    c._acked_index[tp] = {3, 5, 6}
    assert has_hole(c, tp), "4 was dropped: 5 and 6 went ahead of it"
    c._wirewatch_committing = {tp: 5}  # type: ignore[attr-defined]  # a commit takes 3-4 ...
    c._acked_index[tp] = {5, 6}
    assert not has_hole(c, tp), "... so 4 was acked before"
    del c._wirewatch_committing  # type: ignore[attr-defined]
    c._committed_offset[tp] = None
    c._acked_index[tp] = {5, 6, 8, 9}
    assert has_hole(c, tp), "never committed: from the first ack, 7 is missing"


def test_a_marker_is_no_hole(monkeypatch: pytest.MonkeyPatch) -> None:
    tp = TP(RAW, 1)
    c = FakeConsumer({tp: 10})
    c._committed_offset[tp] = 0
    c._acked_index[tp] = {0, 2, 3}
    monkeypatch.setattr(markers, "skipped_in", lambda topic, partition, low, high: [1])
    assert not has_hole(c, tp)


def test_holes_only_in_partitions_this_worker_has() -> None:
    c = FakeConsumer({TP(RAW, 0): 5})
    c._committed_offset[TP(RAW, 0)] = 0
    c._acked_index[TP(RAW, 0)] = {0, 2, 3}
    holed = upstream_holes(SimpleNamespace(consumer=c), [RAW, TAGGED])  # type: ignore[arg-type]
    assert holed(0)
    assert not holed(1)

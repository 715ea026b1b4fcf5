"""Offsets a fetch passed over without a record (streams.markers): the hole watch passes
them at once instead of seeking back for seconds."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from aiokafka.consumer.fetcher import PartitionRecords

from streams import markers


@pytest.fixture(autouse=True)
def clean_registry() -> Iterator[None]:
    markers._skipped.clear()
    yield
    markers._skipped.clear()


def fetch(monkeypatch: pytest.MonkeyPatch, start: int, offsets: list[int], end: int) -> list[int]:
    """What aiokafka's iterator yields for a fetch from ``start``: records at ``offsets``,
    the next fetch offset ``end`` (offsets between hold markers or aborted records)."""

    def original(self: Any) -> Iterator[Any]:
        for offset in offsets:
            self.next_fetch_offset = offset + 1
            yield SimpleNamespace(offset=offset)
        self.next_fetch_offset = end

    monkeypatch.setattr(markers, "_original_unpack", original)
    records = SimpleNamespace(_tp=SimpleNamespace(topic="m", partition=0), next_fetch_offset=start)
    return [r.offset for r in markers._unpack_records(records)]


def test_offsets_passed_over_inside_and_after_a_fetch_hold_no_message(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert fetch(monkeypatch, 4, [5, 6, 9], 12) == [5, 6, 9]
    assert markers.skipped_in("m", 0, 0, 14) == [4, 7, 8, 10, 11]
    assert markers.skipped_in("m", 0, 8, 11) == [8, 10]
    assert markers.skipped_in("m", 1, 0, 14) == []  # another partition


def test_a_fetch_of_records_only_records_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    assert fetch(monkeypatch, 5, [5, 6, 7], 8) == [5, 6, 7]
    assert markers._skipped == {}


def test_install_patches_aiokafka_once() -> None:
    markers.install()
    markers.install()
    assert PartitionRecords._unpack_records is markers._unpack_records

"""Offsets that hold no message for a consumer: transaction markers and aborted records.

A transactional producer leaves a control record (commit or abort marker) after each of its
transactions, and a ``read_committed`` consumer never sees aborted records. aiokafka skips
both inside a fetch, so faust never delivers those offsets, and the hole watch
(streams/commit_gaps.py) took each one for a message faust dropped: it sought the partition
back a few times and passed the offset only after seconds. Under exactly_once every
transaction of the chain leaves a marker on ``articles.matched``, several a second, and the
story stage's commits would crawl. So the offsets aiokafka itself skipped are recorded as
they are fetched, and a hole there is passed at once.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator
from typing import Any

from aiokafka.consumer.fetcher import PartitionRecords

REMEMBERED = 1_000  # skipped ranges per partition; a hole is always near the committed offset

_original_unpack = PartitionRecords._unpack_records
_lock = threading.Lock()  # aiokafka fetches on faust's consumer thread; the watch reads here
_skipped: dict[tuple[str, int], deque[tuple[int, int]]] = {}


def _record(topic: str, partition: int, start: int, end: int) -> None:
    with _lock:
        ranges = _skipped.get((topic, partition))
        if ranges is None:
            ranges = _skipped[(topic, partition)] = deque(maxlen=REMEMBERED)
        ranges.append((start, end))


def _unpack_records(self: Any) -> Iterator[Any]:
    """aiokafka's record iterator, recording the offsets it passes over without a record."""
    tp = self._tp
    position = self.next_fetch_offset
    for record in _original_unpack(self):
        if record.offset > position:
            _record(tp.topic, tp.partition, position, record.offset)
        position = record.offset + 1
        yield record
    if self.next_fetch_offset > position:
        _record(tp.topic, tp.partition, position, self.next_fetch_offset)


def skipped_in(topic: str, partition: int, low: int, high: int) -> list[int]:
    """The offsets from ``low`` up to ``high`` (excluded) that a fetch passed over."""
    with _lock:
        ranges = list(_skipped.get((topic, partition), ()))
    found: set[int] = set()
    for start, end in ranges:
        found.update(range(max(start, low), min(end, high)))
    return sorted(found)


def install() -> None:
    """Patch aiokafka's fetcher (once per process)."""
    if PartitionRecords._unpack_records is not _unpack_records:
        PartitionRecords._unpack_records = _unpack_records

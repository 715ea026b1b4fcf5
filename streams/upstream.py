"""Whether this worker still has work upstream for a partition: the story stage's reorder
buffer asks before it treats a silent partition as idle, and holds everything back while a
partition has a hole (an offset skipped, to be read again; streams/reorder.py).

The chain keys every topic by article id, so partition p of articles.raw, .classified and
.tagged holds the same articles, and the story stage's ``source_partition`` is that p.
Only partitions this worker is assigned are known; for the others (another worker has
them) the answer is no, and silence decides as before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import faust
from faust.types import TP

from . import markers
from .commit_gaps import committed_to, first_hole


def has_lag(consumer: object, tp: TP, read: int | None = None) -> bool:
    """Messages of ``tp`` written but not yet delivered to this worker, ``read`` being the
    last delivered (by default faust's record of it); an end not yet known counts as yes:
    just after an assignment faust has not fetched from it."""
    if read is None:
        read = consumer._read_offset.get(tp)  # type: ignore[attr-defined]
    if read is None:
        # Nothing delivered since the assignment: from the committed offset, or from the
        # start of a partition this group never committed (a fresh topic: an empty one has
        # nothing to wait for).
        committed = consumer._committed_offset.get(tp)  # type: ignore[attr-defined]
        read = (committed or 0) - 1
    try:
        end = consumer.highwater(tp)  # type: ignore[attr-defined]
    except Exception:  # not yet fetched from: aiokafka has no state for it
        return True
    if end is None:
        return True
    if end <= read + 1:
        return False
    # A topic written in transactions ends with a marker (and, after a crash, aborted
    # records): offsets a fetch passed over hold nothing to wait for. Counted as lag, they
    # held the story stage's watermark for its 30 s cap under exactly_once.
    return len(markers.skipped_in(tp.topic, tp.partition, read + 1, end)) < end - read - 1


def upstream_busy(app: faust.App, topic_names: Iterable[str]) -> Callable[[int], bool]:
    names = tuple(topic_names)

    def busy(partition: int) -> bool:
        consumer = app.consumer
        return any(
            has_lag(consumer, tp) or handling(consumer, tp)
            for tp in assigned_of(consumer, names, partition)
        )

    return busy


def upstream_holes(app: faust.App, topic_names: Iterable[str]) -> Callable[[int], bool]:
    names = tuple(topic_names)

    def holed(partition: int) -> bool:
        consumer = app.consumer
        return any(has_hole(consumer, tp) for tp in assigned_of(consumer, names, partition))

    return holed


def assigned_of(consumer: object, names: Iterable[str], partition: int) -> list[TP]:
    """Partition ``partition`` of each topic in ``names`` that this worker is assigned."""
    assigned = consumer.assignment()  # type: ignore[attr-defined]
    return [tp for name in names if (tp := TP(name, partition)) in assigned]


def has_hole(consumer: object, tp: TP) -> bool:
    """An offset of ``tp`` below the last one acked that was never acked: faust dropped it
    (streams/commit_gaps.py) and the hole watch reads it again. The stages upstream handle
    a partition in order, so the articles after it have gone ahead of it: a story stage that
    took them for the partition's progress released later articles before it (a SIGTERM run
    in CI, seed 1768649700: one came 51 s of event time late). Messages delivered and not
    yet handled lie above the last ack: they wait in the stream's buffer, no hole.
    """
    acked = consumer._acked_index.get(tp)  # type: ignore[attr-defined]
    if not acked:
        return False
    head = committed_to(consumer, tp)  # type: ignore[arg-type]
    if head is None:
        head = min(acked)
    top = max(acked)
    # Every offset from the committed one to the last acked is acked: the usual case, told
    # without a scan (acks lie in that range).
    if len(acked) > top - head:
        return False
    passed = set(markers.skipped_in(tp.topic, tp.partition, head, top))
    return first_hole(acked, head, passed.__contains__) is not None


def handling(consumer: object, tp: TP) -> bool:
    """A message of ``tp`` delivered to this worker and not yet acked. The stages upstream
    ack each partition's messages in order, so the last one delivered tells; scanning the
    consumer's unacked messages instead cost a sixth of the worker's CPU in a backlog."""
    read = consumer._read_offset.get(tp)  # type: ignore[attr-defined]
    if read is None:
        return False
    done_to = committed_to(consumer, tp) or 0  # type: ignore[arg-type]
    return read >= done_to and read not in (consumer._acked_index.get(tp) or ())  # type: ignore[attr-defined]


def unread(consumer: object, tp: TP, taken: int | None) -> bool:
    """Messages of ``tp`` (the story stage's own input) the agent has not taken yet, the
    last it took being at offset ``taken``: fetched and waiting in the stream's buffer, or
    not yet delivered. After a restart the input's backlog holds articles of partitions
    that have not spoken yet; a watermark that let them go idle meanwhile passed them."""
    if tp not in consumer.assignment():  # type: ignore[attr-defined]
        return False
    read = consumer._read_offset.get(tp)  # type: ignore[attr-defined]
    if read is not None and (taken is None or read > taken):
        return True
    # faust records a delivery only once the agent has taken it: while the agent handles
    # offset n, the read offset still says n - 1 (that counted as lag, and held every
    # silent partition back for 30 s).
    return has_lag(consumer, tp, read=taken)

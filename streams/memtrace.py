"""Where a worker's memory goes: with ``WIREWATCH_DEBUG_TRACE_MEMORY_S=N`` the worker traces
Python allocations (tracemalloc) and every N seconds logs the lines whose live memory grew
most since the report before. A leak shows as one line growing at every report; memory that
fills a bounded structure grows, then stops; the first report holds what loads once.
Tracing slows the worker: diagnostics only."""

from __future__ import annotations

import logging
import threading
import tracemalloc

log = logging.getLogger(__name__)

FRAMES = 2  # our line and its caller; more frames made the traced worker fall behind at 50/s
TOP = 12


def _report(base: tracemalloc.Snapshot, elapsed: float) -> tracemalloc.Snapshot:
    snap = tracemalloc.take_snapshot().filter_traces(
        [tracemalloc.Filter(False, tracemalloc.__file__)]
    )
    current, peak = tracemalloc.get_traced_memory()
    head = f"memory trace, {elapsed:.0f}s after tracing began: {current / 1e6:.1f} MB traced"
    lines = [f"{head} (peak {peak / 1e6:.1f})"]
    for stat in snap.compare_to(base, "traceback")[:TOP]:
        if stat.size_diff <= 0:
            break
        # Most recent frame first: the allocation, then who called it.
        where = reversed(stat.traceback)
        frames = " <- ".join(f"{f.filename.rsplit('/', 2)[-1]}:{f.lineno}" for f in where)
        lines.append(f"  +{stat.size_diff / 1e6:6.2f} MB {stat.count_diff:+8d} blocks  {frames}")
    log.warning("\n".join(lines))
    return snap


class Tracer:
    """Starts tracing ``every_s`` seconds from now, once the worker has loaded its knowledge
    base (its ~1.6 M blocks, traced, made each snapshot take seconds and stalled the worker),
    then reports every ``every_s`` seconds until stopped."""

    def __init__(self, every_s: float) -> None:
        self._every = every_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="wirewatch-memtrace", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        if self._stop.wait(self._every):
            return
        tracemalloc.start(FRAMES)
        base = tracemalloc.take_snapshot()
        n = 0
        while not self._stop.wait(self._every):
            n += 1
            base = _report(base, n * self._every)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)
        tracemalloc.stop()

import logging
import time
import tracemalloc

import pytest

from streams import memtrace


def test_the_tracer_names_the_line_that_grew(caplog: pytest.LogCaptureFixture) -> None:
    kept: list[bytearray] = []
    tracer = memtrace.Tracer(0.3)
    try:
        with caplog.at_level(logging.WARNING, logger="streams.memtrace"):
            while not tracemalloc.is_tracing():  # tracing begins one interval in
                time.sleep(0.01)
            for _ in range(20):
                kept.append(bytearray(200_000))  # 4 MB held by this line
            deadline = time.monotonic() + 5
            while "memory trace" not in caplog.text and time.monotonic() < deadline:
                time.sleep(0.05)
    finally:
        tracer.stop()
    report = caplog.text
    assert "memory trace, " in report
    top = report.splitlines()[1]
    assert "test_memtrace.py:" in top and float(top.split("+")[1].split()[0]) >= 3.9

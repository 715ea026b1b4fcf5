"""`wirewatch run` as a user runs it: embedded broker, seeds, alerts, loopback-only
sockets, the warning near the embedded broker's partition limit, clean Ctrl-C."""

from __future__ import annotations

import asyncio
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO

import orjson
from aiokafka import AIOKafkaProducer

from streams import contracts, topics
from streams.alert.story_agent import TICK_KEY
from streams.brokers.process import BrokerProcess, free_port, port_open
from streams.brokers.tansu import WARN_AT_RECORDS
from streams.settings import Settings

from .sockets import listening

ROOT = Path(__file__).resolve().parents[2]


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WIREWATCH_")}
    env.update(
        WIREWATCH_DATA_DIR=str(tmp_path / "state"), WIREWATCH_METRICS_PORT=str(free_port()), **extra
    )
    return env


def _run_once(tmp_path: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "streams", "run", "--once", "--format", "jsonl"],
        cwd=ROOT,
        env=_env(tmp_path, **extra),
        capture_output=True,
        text=True,
        timeout=240,
    )


def _check_seed_alerts(stdout: str) -> list[dict]:
    alerts = [orjson.loads(line) for line in stdout.splitlines() if line.strip()]
    for alert in alerts:
        assert contracts.reference_problem(contracts.ALERT, alert) is None
        for key in (
            "id",
            "version",
            "rule",
            "severity",
            "story_id",
            "article_ids",
            "countries",
            "entities",
            "title",
            "summary",
        ):
            assert key in alert
    assert any("ML" in a["countries"] and "Africa Corps" in a["entities"] for a in alerts)
    assert any("UA" in a["countries"] and a["killed"] == 2 for a in alerts)
    assert any(
        "Wagner Group" in a["entities"] and a["title"].startswith("Wagner Group") for a in alerts
    )
    return alerts


def test_run_once_on_embedded_broker_twice_prints_the_same_alerts(tmp_path: Path) -> None:
    runs = []
    for n in range(2):
        result = _run_once(tmp_path / str(n))
        assert result.returncode == 0, result.stderr[-2000:]
        assert "embedded broker listening on 127.0.0.1:" in result.stderr
        assert "5/5 articles through every stage" in result.stderr
        runs.append({(a["id"], a["version"]) for a in _check_seed_alerts(result.stdout)})
    assert runs[0] == runs[1]


def test_run_once_on_an_existing_kafka(kafka: BrokerProcess, tmp_path: Path) -> None:
    prefix = f"cli{free_port()}."
    result = _run_once(
        tmp_path,
        WIREWATCH_BROKER=kafka.bootstrap,
        WIREWATCH_TOPIC_PREFIX=prefix,
        WIREWATCH_APP_ID=f"{prefix}app",
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "embedded broker" not in result.stderr
    _check_seed_alerts(result.stdout)


def test_follow_warns_near_the_embedded_limit_and_ctrl_c_stops_everything(
    tmp_path: Path,
) -> None:
    """Following alerts on the embedded broker: once articles.matched nears Tansu's stall
    (streams/brokers/tansu.py) the user is told, in one line, what to do; Ctrl-C then stops
    the worker and the broker."""
    env = _env(tmp_path)
    proc = subprocess.Popen(
        [sys.executable, "-m", "streams", "run", "--format", "table"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # A suite started in the background (nohup, `cmd &` in a script) passes SIGINT on as
        # ignored, and Python keeps it ignored: Ctrl-C must reach the child as from a terminal.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    stream = _Stream(proc)
    try:
        port = _following(stream, proc.pid)
        # Ticks (the story stage's own no-op records) fill the partition without articles.
        matched = Settings.from_env(env).topic(topics.MATCHED)
        asyncio.run(_fill(f"127.0.0.1:{port}", matched, WARN_AT_RECORDS))
        warning = stream.line_with("stalls near", within=90)
        assert warning.startswith("wirewatch: warning:") and "WIREWATCH_BROKER" in warning
        _ctrl_c(proc, stream, port)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


class _Stream:
    """A child's stdout and stderr read by threads, so a wait for a line can time out."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None and proc.stderr is not None
        self.err: queue.Queue[str] = queue.Queue()
        self.err_text: list[str] = []
        self.out_text: list[str] = []
        self.threads = [
            threading.Thread(target=self._read, args=(proc.stderr, self.err), daemon=True),
            threading.Thread(target=self._read, args=(proc.stdout, None), daemon=True),
        ]
        for thread in self.threads:
            thread.start()

    def _read(self, pipe: IO[str], lines: queue.Queue[str] | None) -> None:
        for line in pipe:
            (self.err_text if lines is not None else self.out_text).append(line)
            if lines is not None:
                lines.put(line)
        if lines is not None:
            lines.put("")  # the end

    def line_with(self, text: str, within: float) -> str:
        deadline = time.monotonic() + within
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self.err.get(timeout=left)
            except queue.Empty:
                break
            if text in line:
                return line.strip()
            assert line, f"run ended before saying {text!r}: {self.tail()}"
        raise AssertionError(f"no line with {text!r} in {within:.0f}s: {self.tail()}")

    def tail(self) -> str:
        return "".join(self.err_text[-10:])

    def finish(self, timeout: float) -> tuple[str, str]:
        for thread in self.threads:
            thread.join(timeout)
        return "".join(self.out_text), "".join(self.err_text)


async def _fill(bootstrap: str, topic: str, records: int) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=20)
    await producer.start()
    try:
        for _ in range(records):
            await producer.send(topic, key=TICK_KEY, value=b"{}", partition=0)
        await producer.flush()
    finally:
        await producer.stop()


def _following(stream: _Stream, pid: int) -> int:
    """Wait for run to follow alerts; the embedded broker's port, checked loopback-only."""
    stream.line_with("following alerts", within=180)
    text = "".join(stream.err_text)
    port = int(re.search(r"embedded broker listening on 127\.0\.0\.1:(\d+)", text).group(1))  # type: ignore[union-attr]
    assert port_open("127.0.0.1", port)
    # Broker, worker metrics and anything else `run` started: loopback only.
    sockets = listening(pid)
    assert f"127.0.0.1:{port}" in sockets and len(sockets) >= 2, sockets
    assert all(s.startswith(("127.0.0.1:", "::1:")) for s in sockets), sockets
    return port


def _ctrl_c(proc: subprocess.Popen[str], stream: _Stream, port: int) -> None:
    proc.send_signal(signal.SIGINT)
    proc.wait(timeout=60)
    out, err = stream.finish(timeout=10)
    assert proc.returncode == 130, err
    assert "stopping the embedded broker" in err and "stopped" in err
    assert not port_open("127.0.0.1", port), "the embedded broker outlived Ctrl-C"
    assert "SEVERITY" in out and "armed_clash" in out  # the table a person sees

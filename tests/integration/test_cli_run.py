"""`wirewatch run` as a user runs it: embedded broker, seeds, alerts, loopback-only
sockets, clean Ctrl-C."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import orjson

from streams import contracts
from streams.brokers.process import BrokerProcess, free_port, port_open

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


def test_ctrl_c_stops_worker_and_embedded_broker(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "streams", "run", "--format", "table"],
        cwd=ROOT,
        env=_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # A suite started in the background (nohup, `cmd &` in a script) passes SIGINT on as
        # ignored, and Python keeps it ignored: Ctrl-C must reach the child as from a terminal.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        _stop_with_ctrl_c(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _stop_with_ctrl_c(proc: subprocess.Popen[str]) -> None:
    assert proc.stderr is not None
    seen: list[str] = []
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        seen.append(line)
        if "following alerts" in line or not line:
            break
    text = "".join(seen)
    assert "following alerts" in text, text
    port = int(re.search(r"embedded broker listening on 127\.0\.0\.1:(\d+)", text).group(1))  # type: ignore[union-attr]
    assert port_open("127.0.0.1", port)
    # Broker, worker metrics and anything else `run` started: loopback only.
    sockets = listening(proc.pid)
    assert f"127.0.0.1:{port}" in sockets and len(sockets) >= 2, sockets
    assert all(s.startswith(("127.0.0.1:", "::1:")) for s in sockets), sockets
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "stopping the embedded broker" in err and "stopped" in err
    assert not port_open("127.0.0.1", port), "the embedded broker outlived Ctrl-C"
    assert "SEVERITY" in out and "armed_clash" in out  # the table a person sees

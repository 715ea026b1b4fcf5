"""`wirewatch bench` runs end to end and prints the contract its users script against.
It asserts no speed: speed is measured by `make bench`, not judged by tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parents[2]


def test_bench_prints_one_json_object_with_every_figure(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WIREWATCH_")}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "streams",
            "bench",
            "--articles",
            "120",
            "--broker",
            "embedded",
            "--format",
            "json",
            "--out",
            str(tmp_path),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    report = orjson.loads(result.stdout)
    for key in (
        "full_articles_per_s",
        "passthrough_articles_per_s",
        "raw_relay_msgs_per_s",
        "p50_ms",
        "p99_ms",
        "worker_rss_mb",
        "ratio_f_p",
        "ratio_p_r",
    ):
        assert report[key] > 0, key
    assert report["p50_ms"] <= report["p99_ms"]
    assert set(report["modes"]) == {"R", "P", "F"}
    f, p = report["modes"]["F"], report["modes"]["P"]
    assert abs(report["ratio_f_p"] - f["articles_per_s"] / p["articles_per_s"]) < 0.01
    assert {p.name for p in tmp_path.iterdir()} == {"bench-embedded.json", "report.md", "bench.png"}
    assert (tmp_path / "bench.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "| F |" in (tmp_path / "report.md").read_text()


def test_soak_samples_the_worker_and_says_what_came_through(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WIREWATCH_")}
    result = subprocess.run(
        [sys.executable, "-m", "streams", "soak", "--minutes", "0.25", "--rate", "8",
         "--broker", "embedded", "--format", "json", "--out", str(tmp_path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    report = orjson.loads(result.stdout)
    assert report["published"] == 120 and report["came_through"] == 120
    assert 0 < report["rss_start_mb"] <= report["peak_rss_mb"]
    assert 0 < report["rss_end_mb"] <= report["peak_rss_mb"]
    saved = orjson.loads((tmp_path / "soak-embedded.json").read_bytes())
    assert len(saved["samples"]) >= 10  # one a second over 15 s
    assert (tmp_path / "soak-embedded.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

"""The command line: help that explains, and one clear line for every wrong input."""

from pathlib import Path

import orjson
import pytest

from streams.brokers.process import free_port
from streams.cli import main


def _fail(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("wirewatch: error: ")
    return lines[0]


def test_help_lists_commands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    for command in ("run", "worker", "seed", "analyze", "WIREWATCH_BROKER"):
        assert command in out


def test_bad_setting_is_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WIREWATCH_METRICS_PORT", "http")
    assert "WIREWATCH_METRICS_PORT must be an integer" in _fail(capsys, ["analyze"])


def test_seed_file_with_bad_line_names_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WIREWATCH_BROKER", f"127.0.0.1:{free_port()}")
    bad = tmp_path / "in.jsonl"
    bad.write_text('{"body": "fine"}\n{"body": oops}\n')
    line = _fail(capsys, ["seed", "--file", str(bad)])
    assert f"{bad}:2: not valid JSON" in line


def test_seed_file_line_without_body(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WIREWATCH_BROKER", f"127.0.0.1:{free_port()}")
    bad = tmp_path / "in.jsonl"
    bad.write_text('{"title": "no body"}\n')
    assert "in.jsonl:1: " in _fail(capsys, ["seed", "--file", str(bad)])


def test_seed_needs_a_broker(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WIREWATCH_BROKER", raising=False)
    assert "WIREWATCH_BROKER is not set" in _fail(capsys, ["seed"])


def test_seed_to_unreachable_broker_is_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WIREWATCH_BROKER", f"127.0.0.1:{free_port()}")
    assert "Kafka" in _fail(capsys, ["seed"])


def test_analyze_reads_stdin_and_prints_tagged_records(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    article = {
        "id": "x1",
        "title": "Clashes in Kidal",
        "body": "Separatists clashed with the Malian army near Kidal on Friday, "
        "killing 4 soldiers, the army said.",
    }
    monkeypatch.setattr("sys.stdin", io.StringIO(orjson.dumps(article).decode() + "\n"))
    assert main(["analyze", "-"]) == 0
    [line] = capsys.readouterr().out.splitlines()
    record = orjson.loads(line)
    assert record["id"] == "x1"
    assert record["event_type"] == "Battles"
    assert record["killed"] == 4
    assert "ML" in [e.get("country_code") for e in record["entities"] if e["type"] == "country"]
    assert "armed_clash" in record["alerts"]


def test_analyze_with_no_file_reads_the_seeds(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze"]) == 0
    records = [orjson.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert len(records) == 5
    for r in records:
        assert {"id", "event_type", "topics", "entities", "killed", "alerts"} <= r.keys()

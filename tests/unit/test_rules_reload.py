"""Reloading rules without a restart: the rule book, the file watcher and ``rules check``."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from streams.alert.cli_rules import cmd_rules_check
from streams.alert.reload import FileWatcher, RuleBook, follow_file

GOOD = "rules:\n  - {name: first, severity: low, when: {topics: [crime]}}\n"
BETTER = GOOD + "  - {name: second, severity: high, when: {topics: [terrorism]}}\n"
BROKEN = "rules:\n  - {name: bad, severity: urgent, when: {topics: [crime]}}\n"


def test_reload_text_swaps_and_counts_versions() -> None:
    book = RuleBook.load()
    assert book.version == 1 and book.origin.endswith("rules.yaml")
    assert book.reload_text(BETTER, "kafka:rules@0:7")
    assert book.rules.names == ["first", "second"]
    assert (book.version, book.origin, book.last_error) == (2, "kafka:rules@0:7", None)


def test_a_broken_reload_keeps_the_last_good_rules_and_says_why() -> None:
    book = RuleBook.load()
    book.reload_text(GOOD, "good.yaml")
    before = book.rules
    assert not book.reload_text(BROKEN, "bad.yaml")
    assert book.rules is before and book.version == 2 and book.origin == "good.yaml"
    assert book.last_error is not None and "\n" not in book.last_error
    assert book.last_error.startswith("bad.yaml:2: rule 'bad': severity must be one of")
    assert book.last_error.endswith("(keeping 1 rules from good.yaml)")
    assert book.reload_text(BETTER, "better.yaml") and book.last_error is None


def test_reload_file(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(GOOD, "utf-8")
    book = RuleBook.load(path)
    path.write_text(BROKEN, "utf-8")
    assert not book.reload_file(path) and book.rules.names == ["first"]
    assert book.last_error is not None and book.last_error.startswith(f"{path}:2: ")
    path.unlink()
    assert not book.reload_file(path) and "cannot read rules file" in (book.last_error or "")
    path.write_text(BETTER, "utf-8")
    assert book.reload_file(path) and book.rules.names == ["first", "second"]


def test_file_watcher_by_mtime_and_size(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(GOOD, "utf-8")
    watcher = FileWatcher()
    assert not watcher.changed(path)  # first sight: just loaded
    assert not watcher.changed(path)
    path.write_text(BETTER, "utf-8")  # size changes
    assert watcher.changed(path) and not watcher.changed(path)
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))  # same size, touched
    assert watcher.changed(path)
    path.unlink()
    assert watcher.changed(path) and not watcher.changed(path)


def test_follow_file_reloads_and_reports(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(GOOD, "utf-8")
    book = RuleBook.load(path)

    async def scenario() -> list[tuple[bool, str]]:
        queue: asyncio.Queue[tuple[bool, str]] = asyncio.Queue()
        follow = follow_file(book, path, lambda *r: queue.put_nowait(r), interval=0.01)
        task = asyncio.create_task(follow)
        try:
            await asyncio.sleep(0.05)
            path.write_text(BETTER, "utf-8")
            first = await queue.get()
            path.write_text(BROKEN + "# longer, so the size differs\n", "utf-8")
            return [first, await queue.get()]
        finally:
            task.cancel()

    results = asyncio.run(asyncio.wait_for(scenario(), 5))
    assert results[0] == (True, f"2 rules from {path} (version 2)")
    assert results[1][0] is False and results[1][1].startswith(f"{path}:2: ")
    assert book.rules.names == ["first", "second"]


def test_rules_check_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good, bad = tmp_path / "good.yaml", tmp_path / "bad.yaml"
    good.write_text(BETTER, "utf-8")
    bad.write_text(BROKEN, "utf-8")
    assert cmd_rules_check(good) == 0
    assert capsys.readouterr().out == f"{good}: ok: 2 rules, 0 watchlists\n"
    assert cmd_rules_check(bad) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"wirewatch: error: {bad}:2: ") and err.count("\n") == 1

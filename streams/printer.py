"""Alerts for people (a table on a terminal) and for programs (one JSON object a line)."""

from __future__ import annotations

import shutil
from typing import IO, Any

import orjson

SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3}


def table_header(width: int) -> str:
    head = f"{'SEVERITY':<9} {'RULE':<22} {'WHERE':<9} {'KILLED':>6}  TITLE"
    return head[:width] + "\n" + "-" * min(width, 100)


def table_row(alert: dict[str, Any], width: int) -> str:
    where = ",".join(alert.get("countries", [])[:3]) or "-"
    killed = "-" if alert.get("killed") is None else str(alert["killed"])
    line = (
        f"{alert['severity']:<9} {alert['rule'][:22]:<22} {where[:9]:<9} {killed:>6}  "
        f"{alert['title']}"
    )
    detail = f"{'':<9} ↳ {alert['reason']} [{alert['id']} v{alert['version']}]"
    return _cut(line, width) + "\n" + _cut(detail, width)


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


class AlertPrinter:
    def __init__(self, out: IO[str], fmt: str = "table") -> None:
        self.out = out
        self.fmt = fmt
        self.width = shutil.get_terminal_size((120, 20)).columns
        self._header_done = False

    def print(self, alert: dict[str, Any]) -> None:
        if self.fmt == "jsonl":
            self.out.write(orjson.dumps(alert).decode() + "\n")
        else:
            if not self._header_done:
                self.out.write(table_header(self.width) + "\n")
                self._header_done = True
            self.out.write(table_row(alert, self.width) + "\n")
        self.out.flush()

"""Bytes in, records out: decoding and checking a message before a stage touches it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from . import contracts


@dataclass(frozen=True)
class Rejected(Exception):
    """A message a stage cannot process: ``reason`` is a bounded code, ``error`` one line."""

    reason: str
    error: str

    def __str__(self) -> str:
        return f"{self.reason}: {self.error}"


# A stage checks each record it writes against its contract and says so in this header; the
# next stage then only parses it. Bytes from anyone else (no header) are checked on reading.
CHECKED = "wirewatch-checked"


def checked_header(kind: str) -> tuple[tuple[str, bytes], ...]:
    # Immutable: faust passes a dict or list on as it is, so one shared by every send could change.
    return ((CHECKED, kind.encode()),)


def was_checked(
    headers: Mapping[str, bytes] | Iterable[tuple[str, bytes]] | None, kind: str
) -> bool:
    """True when a wirewatch stage wrote the message after checking it as ``kind``."""
    if not headers:
        return False
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    return any(k == CHECKED and v == kind.encode() for k, v in pairs)


def decode(
    value: bytes | None, kind: str, max_bytes: int, *, checked: bool = False
) -> dict[str, Any]:
    """Parse and validate one message against the ``kind`` contract, or raise Rejected;
    ``checked``: its writer validated it already (only parsed here)."""
    if value is None or len(value) == 0:
        raise Rejected("invalid_json", "empty message value")
    if len(value) > max_bytes:
        raise Rejected("oversized", f"message is {len(value):,} bytes; the limit is {max_bytes:,}")
    try:
        record = orjson.loads(value)
    except orjson.JSONDecodeError as exc:
        reason = "invalid_utf8" if "UTF-8" in str(exc) else "invalid_json"
        raise Rejected(reason, f"not valid JSON: {exc}"[:300]) from None
    if not isinstance(record, dict):
        raise Rejected("schema_violation", f"expected a JSON object, got {type(record).__name__}")
    problem = None if checked else contracts.problem(kind, record)
    if problem is not None:
        raise Rejected("schema_violation", problem)
    return record


def encode(record: dict[str, Any]) -> bytes:
    return orjson.dumps(record)

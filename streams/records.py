"""Bytes in, records out: decoding and checking a message before a stage touches it."""

from __future__ import annotations

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


def decode(value: bytes | None, kind: str, max_bytes: int) -> dict[str, Any]:
    """Parse and validate one message against the ``kind`` contract, or raise Rejected."""
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
    problem = contracts.problem(kind, record)
    if problem is not None:
        raise Rejected("schema_violation", problem)
    return record


def encode(record: dict[str, Any]) -> bytes:
    return orjson.dumps(record)

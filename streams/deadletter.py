"""Dead letters: the original bytes of a message that failed, with the stage and the reason."""

from __future__ import annotations

import base64
from typing import Any


def dead_letter(
    *,
    stage: str,
    reason: str,
    error: str,
    topic: str,
    partition: int,
    offset: int,
    key: bytes | None,
    value: bytes | None,
    failed_at: float,
) -> dict[str, Any]:
    value = value or b""
    return {
        "stage": stage,
        "reason": reason,
        "error": " ".join(error.split())[:500],
        "topic": topic,
        "partition": partition,
        "offset": offset,
        "key_b64": base64.b64encode(key).decode("ascii") if key is not None else None,
        "value_b64": base64.b64encode(value).decode("ascii"),
        "value_size": len(value),
        "failed_at": failed_at,
    }


def original_value(letter: dict[str, Any]) -> bytes:
    """The exact bytes that were dead-lettered, for inspection or re-publishing."""
    return base64.b64decode(letter["value_b64"])

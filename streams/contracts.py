"""Topic contracts: the JSON Schemas in ``schemas/``, loaded once and used to validate."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import orjson
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

RAW, CLASSIFIED, TAGGED, MATCHED, ALERT, DEADLETTER = (
    "article.raw",
    "article.classified",
    "article.tagged",
    "article.matched",
    "alert",
    "deadletter",
)


def schema_dir() -> Path:
    """Installed wheels carry the schemas inside the package; a checkout has them at the top."""
    packaged = Path(__file__).parent / "_schemas"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parent.parent / "schemas"


@cache
def validator(kind: str) -> Draft202012Validator:
    schema = orjson.loads((schema_dir() / f"{kind}.json").read_bytes())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def problem(kind: str, record: Any) -> str | None:
    """One line describing why ``record`` breaks the ``kind`` contract, or None if it holds."""
    error = best_match(validator(kind).iter_errors(record))
    if error is None:
        return None
    where = "/".join(str(p) for p in error.absolute_path) or "(record)"
    return f"{where}: {error.message}"[:300]

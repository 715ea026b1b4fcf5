import orjson
import pytest

from streams import contracts
from streams.deadletter import dead_letter, original_value
from streams.records import Rejected, decode


def _reason(value: bytes | None, limit: int = 100_000) -> str:
    with pytest.raises(Rejected) as info:
        decode(value, contracts.RAW, limit)
    return info.value.reason


def test_good_article_decodes() -> None:
    assert decode(b'{"body": "Text."}', contracts.RAW, 1000) == {"body": "Text."}


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (None, "invalid_json"),
        (b"", "invalid_json"),
        (b"{not json", "invalid_json"),
        (b'{"body": "caf\xe9"}', "invalid_utf8"),
        (b"[" * 10_000 + b"]" * 10_000, "invalid_json"),
        (b"[1, 2]", "schema_violation"),
        (b'{"title": "no body"}', "schema_violation"),
        (b'{"body": ""}', "schema_violation"),
        (b'{"body": "' + b"x" * 200_000 + b'"}', "oversized"),
    ],
)
def test_bad_messages_are_rejected_with_a_reason(value: bytes | None, reason: str) -> None:
    assert _reason(value) == reason


def test_schema_problem_names_the_field() -> None:
    with pytest.raises(Rejected) as info:
        decode(b'{"body": 5}', contracts.RAW, 1000)
    assert info.value.error.startswith("body:")


def test_dead_letter_keeps_original_bytes_and_meets_its_contract() -> None:
    raw = b"\x00\xff binary \xfe"
    letter = dead_letter(
        stage="classify",
        reason="invalid_utf8",
        error="bad\nbytes",
        topic="articles.raw",
        partition=2,
        offset=7,
        key=None,
        value=raw,
        failed_at=1.5,
    )
    assert original_value(letter) == raw
    assert letter["error"] == "bad bytes"
    assert contracts.problem(contracts.DEADLETTER, orjson.loads(orjson.dumps(letter))) is None

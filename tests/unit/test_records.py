import orjson
import pytest

from streams import contracts
from streams.deadletter import dead_letter, original_value
from streams.records import Rejected, checked_header, decode, was_checked


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


def test_a_record_its_writer_checked_is_only_parsed() -> None:
    assert decode(b'{"title": "no body"}', contracts.RAW, 1000, checked=True) == {
        "title": "no body"
    }
    with pytest.raises(Rejected) as info:
        decode(b"{not json", contracts.RAW, 1000, checked=True)
    assert info.value.reason == "invalid_json"
    with pytest.raises(Rejected) as info:
        decode(b'{"body": "' + b"x" * 2000 + b'"}', contracts.RAW, 1000, checked=True)
    assert info.value.reason == "oversized"


@pytest.mark.parametrize(
    ("headers", "checked"),
    [
        (None, False),
        ([], False),
        ([("wirewatch-checked", contracts.TAGGED.encode())], True),
        (checked_header(contracts.TAGGED), True),
        ([("other", b"x"), ("wirewatch-checked", contracts.TAGGED.encode())], True),
        (checked_header(contracts.CLASSIFIED), False),  # checked, but as another contract
        ([("wirewatch-checked", b"")], False),
    ],
)
def test_checked_only_by_the_header_naming_this_contract(headers: object, checked: bool) -> None:
    assert was_checked(headers, contracts.TAGGED) is checked  # type: ignore[arg-type]


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

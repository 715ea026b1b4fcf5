import io

import orjson

from streams.printer import AlertPrinter

ALERT = {
    "id": "a-1",
    "version": 2,
    "rule": "armed_clash",
    "severity": "high",
    "countries": ["ML"],
    "killed": 3,
    "title": "Clash in Kidal",
    "reason": "Battles in Mali (Kidal)",
}


def test_jsonl_is_one_object_a_line() -> None:
    out = io.StringIO()
    AlertPrinter(out, "jsonl").print(ALERT)
    AlertPrinter(out, "jsonl").print(ALERT)
    lines = out.getvalue().splitlines()
    assert [orjson.loads(x) for x in lines] == [ALERT, ALERT]


def test_table_has_one_header_and_a_reason_line() -> None:
    out = io.StringIO()
    printer = AlertPrinter(out, "table")
    printer.print(ALERT)
    printer.print(ALERT)
    text = out.getvalue()
    assert text.count("SEVERITY") == 1
    assert "high" in text and "ML" in text and "Clash in Kidal" in text
    assert "↳ Battles in Mali (Kidal) [a-1 v2]" in text

"""The scorer on tiny hand-made examples, and the `wirewatch eval` command."""

from pathlib import Path
from typing import Any

import orjson
import pytest

from streams.cli import main
from streams.evaluate import (
    EvalError,
    Tally,
    load_items,
    match_names,
    normalise,
    score_item,
    summarise,
)


def _item(gold: dict[str, Any], split: str = "dev") -> dict[str, Any]:
    base = {
        "event_type": "None",
        "topics": ["other"],
        "countries": [],
        "persons": [],
        "organizations": [],
        "locations": [],
        "killed": None,
    }
    return {"id": "x", "split": split, "title": "t", "body": "b", "gold": {**base, **gold}}


def _pred(**fields: Any) -> dict[str, Any]:
    base = {
        "event_type": "None",
        "topics": ["other"],
        "countries": [],
        "persons": [],
        "organizations": [],
        "locations": [],
        "killed": None,
    }
    return {**base, **fields}


def test_normalise_folds_case_accents_punctuation_and_place_suffixes() -> None:
    assert normalise("Côte d'Ivoire") == "cote d ivoire"
    assert normalise("The Hague") == "hague"
    assert normalise("Kidal Region", place=True) == "kidal"
    assert normalise("Borno State", place=True) == "borno"
    assert normalise("Borno State") == "borno state"


def test_names_match_through_knowledge_base_aliases() -> None:
    matched, missed, spurious = match_names(
        ["Malian Armed Forces", "Volodymyr Zelenskyy", "Rida Lyammouri"],
        ["FAMa", "Zelensky", "Lyammouri"],
        "organization",
    )
    assert matched == [("Malian Armed Forces", "FAMa")]
    matched, missed, spurious = match_names(
        ["Volodymyr Zelenskyy", "Rida Lyammouri"], ["Zelensky", "Rida Lyammouri"], "person"
    )
    assert [g for g, _ in matched] == ["Volodymyr Zelenskyy", "Rida Lyammouri"]
    assert missed == [] and spurious == []


def test_a_second_name_for_a_matched_entity_is_not_spurious() -> None:
    _, missed, spurious = match_names(["Kidal"], ["Kidal", "Kidal Region"], "location")
    assert missed == [] and spurious == []


def test_tally_figures() -> None:
    assert Tally(3, 1, 2).figures() == pytest.approx((0.75, 0.6, 2 * 0.75 * 0.6 / 1.35))
    assert Tally().figures() == (1.0, 1.0, 1.0)


def test_summary_of_two_articles() -> None:
    first = score_item(
        _item(
            {
                "event_type": "Battles",
                "countries": ["ML"],
                "persons": ["Rida Lyammouri"],
                "killed": 3,
            }
        ),
        _pred(event_type="Battles", countries=["ML", "RU"], persons=["Rida Lyammouri"], killed=3),
    )
    second = score_item(
        _item({"event_type": "None", "countries": ["GE"], "killed": None}, split="test"),
        _pred(event_type="Protests", countries=[], killed=5),
    )
    assert second.errors["event_type"] == {"gold": "None", "pred": "Protests"}
    assert "killed" not in second.errors  # no gold figure: not scored
    report = summarise([first, second])
    assert report["articles"] == 2
    assert report["event_type_accuracy"] == 0.5
    assert (report["conflict_precision"], report["conflict_recall"]) == (0.5, 1.0)
    assert report["countries_precision"] == 0.5 and report["countries_recall"] == 0.5
    assert report["persons_f1"] == 1.0
    assert (report["killed_articles"], report["killed_accuracy"]) == (1, 1.0)


def test_load_items_reports_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"body": "x", "gold": {}, "split": "dev"}\nnot json\n', "utf-8")
    with pytest.raises(EvalError, match=r"bad.jsonl:2"):
        load_items([bad])
    bad.write_text('{"body": "x", "gold": {}, "split": "train"}\n', "utf-8")
    with pytest.raises(EvalError, match="split"):
        load_items([bad])


def test_eval_command_prints_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    item = _item(
        {
            "event_type": "Battles",
            "countries": ["ML"],
            "locations": ["Kidal"],
            "organizations": ["Malian Armed Forces"],
            "killed": 4,
        }
    )
    item["title"] = "Clashes in Kidal"
    item["body"] = "Rebels clashed with the Malian army near Kidal, killing 4 soldiers."
    path = tmp_path / "one.jsonl"
    path.write_bytes(orjson.dumps(item) + b"\n")
    assert main(["eval", str(path), "--split", "dev", "--format", "json", "--errors"]) == 0
    out = orjson.loads(capsys.readouterr().out)
    assert out["dev"]["event_type_accuracy"] == 1.0
    assert out["dev"]["killed_accuracy"] == 1.0
    assert out["dev"]["locations_recall"] == 1.0


def test_eval_command_table_and_bad_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nope.jsonl"
    assert main(["eval", str(missing)]) == 2
    assert capsys.readouterr().err.startswith("wirewatch: error: ")


def test_eval_errors_list_the_dev_split_unless_test_is_asked_for(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The held-out split is for reporting: its errors are listed only on request."""
    lines = []
    for n, split in enumerate(("dev", "test")):
        item = _item({"event_type": "Battles", "countries": ["ML"], "killed": None})
        item.update(id=f"x-{split}", split=split, body=f"Nothing happened today, part {n}.")
        lines.append(orjson.dumps(item))
    path = tmp_path / "two.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    main(["eval", str(path), "--format", "json", "--errors"])
    assert [e["id"] for e in orjson.loads(capsys.readouterr().out)["errors"]] == ["x-dev"]
    main(["eval", str(path), "--split", "test", "--format", "json", "--errors"])
    assert [e["id"] for e in orjson.loads(capsys.readouterr().out)["errors"]] == ["x-test"]

from collections import Counter
from typing import Any

from streams.alert.storybook import StoryBook
from streams.spikes import load_spike_rules
from streams.writebehind import WriteBehind


class CountingTable(dict[str, Any]):
    """A dict that counts writes and deletions, as a changelogged table sends messages."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: Counter[str] = Counter()

    def __setitem__(self, key: str, value: Any) -> None:
        self.writes[key] += 1
        super().__setitem__(key, value)

    def __delitem__(self, key: str) -> None:
        self.writes[key] += 1
        super().__delitem__(key)


def test_reads_see_pending_writes_and_the_table_sees_them_after_flush() -> None:
    table = CountingTable()
    table["kept"] = 1
    table["gone"] = 2
    wb = WriteBehind(table)
    wb["new"] = 3
    wb["new"] = 4
    del wb["gone"]
    assert wb.get("new") == 4 and wb["kept"] == 1
    assert "gone" not in wb and wb.get("gone", "none") == "none"
    assert sorted(wb) == ["kept", "new"] and len(wb) == 2
    assert "new" not in table and table["gone"] == 2  # nothing written through yet
    assert wb.flush() == 2
    assert table == {"kept": 1, "new": 4}
    assert table.writes == Counter({"kept": 1, "gone": 2, "new": 1})  # "new" written once
    assert wb.dirty == 0 and wb.flush() == 0


def test_deleting_a_missing_key_raises() -> None:
    wb = WriteBehind(CountingTable())
    try:
        del wb["missing"]
    except KeyError:
        pass
    else:  # pragma: no cover
        raise AssertionError("KeyError expected")


def _matched(n: int, at: float) -> dict[str, Any]:
    article = {
        "id": f"a{n}",
        "title": "Clashes in Kidal",
        "body": "Fighting between separatists and the Malian army in Kidal.",
        "ingested_at": at,
        "event_type": "Battles",
        "event_subtype": "Armed clash",
        "countries": ["ML"],
        "entities": [{"id": "Q1", "name": "Malian Armed Forces", "type": "organization"}],
        "primary_location": {"name": "Kidal"},
        "primary_country": "ML",
        "killed": None,
    }
    return {"article": article, "matches": [], "signature": None}


def test_a_batch_of_articles_writes_each_spike_count_once_and_the_same_state() -> None:
    def book(tables: dict[str, Any]) -> StoryBook:
        return StoryBook(
            stories=tables["stories"],
            index=tables["index"],
            alerts=tables["alerts"],
            counts=tables["counts"],
            spike_rules=load_spike_rules(),
            processed=tables["processed"],
        )

    names = ("stories", "index", "alerts", "counts", "processed")
    direct = {n: CountingTable() for n in names}
    plain = book(direct)
    tables = {n: CountingTable() for n in names}
    behind = {n: WriteBehind(t) for n, t in tables.items()}
    batched = book(behind)
    for n in range(50):
        a = plain.process(_matched(n, 1000.0 + n), 2000.0)
        b = batched.process(_matched(n, 1000.0 + n), 2000.0)
        assert a == b
    for wb in behind.values():
        wb.flush()
    assert {n: dict(t) for n, t in tables.items()} == {n: dict(t) for n, t in direct.items()}
    # 50 articles, two spike rules with one key each: 100 count writes straight, 2 batched.
    assert sum(direct["counts"].writes.values()) == 100
    assert sum(tables["counts"].writes.values()) == 2

from pathlib import Path
from typing import Any

from streams.analysis import analyze
from streams.seeds import load_seed_dir
from streams.stories import StoryParams, Unit, article_unit, assign, signature, similarity

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
P = StoryParams()


def _unit(key: str, at: float = 0.0, **kw: Any) -> Unit:
    base: dict[str, Any] = {
        "event_type": "Battles",
        "country": "ML",
        "place": "Kidal",
        "actors": frozenset({"Kidal", "Malian Armed Forces"}),
    }
    base.update(kw)
    return Unit(key=key, at=at, **base)


def test_near_duplicates_have_high_similarity() -> None:
    text = " ".join(f"word{i}" for i in range(300))
    a, b = signature(text), signature(text.replace("word150", "changed"))
    c = signature(" ".join(f"other{i}" for i in range(300)))
    assert a and b and c
    assert similarity(a, b) > 0.8 > 0.1 > similarity(a, c)
    assert signature("too short") is None


def test_same_event_same_place_joins_and_story_ids_are_stable() -> None:
    stories: dict[str, Any] = {}
    index: dict[str, list[str]] = {}
    first, new1 = assign(_unit("a1"), stories, index, P)
    second, new2 = assign(_unit("a2", at=3600), stories, index, P)
    assert (new1, new2) == (True, False)
    assert first == second
    assert stories[first]["members"] == ["a1", "a2"]
    again: dict[str, Any] = {}
    assert assign(_unit("a1"), again, {}, P)[0] == first


def test_different_event_type_or_outside_window_is_a_new_story() -> None:
    stories: dict[str, Any] = {}
    index: dict[str, list[str]] = {}
    s1, _ = assign(_unit("a1"), stories, index, P)
    s2, _ = assign(_unit("a2", event_type="Strategic developments"), stories, index, P)
    s3, _ = assign(_unit("a3", at=P.window + 10), stories, index, P)
    assert len({s1, s2, s3}) == 3


def test_index_lists_are_bounded() -> None:
    stories: dict[str, Any] = {}
    index: dict[str, list[str]] = {}
    for i in range(50):
        assign(_unit(f"a{i}", at=i * (P.window + 1)), stories, index, P)
    assert max(len(v) for v in index.values()) <= 20


def _seed_units() -> dict[str, Unit]:
    units = {}
    for article in load_seed_dir(SEEDS):
        tagged = analyze(article)
        tagged["ingested_at"] = 1000.0
        units[tagged["title"][:20]] = article_unit(tagged, signature(tagged["body"]))
    return units


def test_seeds_three_summit_articles_form_one_story_apart_from_mali() -> None:
    stories: dict[str, Any] = {}
    index: dict[str, list[str]] = {}
    ids = {name: assign(unit, stories, index, P)[0] for name, unit in _seed_units().items()}
    summit = {ids[n] for n in ids if n.startswith(("Bolton", "Trump, Putin", "Zelensky"))}
    assert len(summit) == 1, ids
    assert ids["Several killed as se"] != ids["Wagner Group to End "]
    assert len(set(ids.values())) == 3


def test_a_big_story_keeps_its_newest_members_and_counts_them_all() -> None:
    from streams.stories import MEMBERS_CAP

    stories: dict[str, Any] = {}
    index: dict[str, list[str]] = {}
    for i in range(MEMBERS_CAP + 50):
        sid, _ = assign(_unit(f"a{i}", at=float(i)), stories, index, P)
    story = stories[sid]
    assert story["size"] == MEMBERS_CAP + 50
    assert len(story["members"]) == MEMBERS_CAP
    assert story["members"][-1] == f"a{MEMBERS_CAP + 49}" and "a0" not in story["members"]

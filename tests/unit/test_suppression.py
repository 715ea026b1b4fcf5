from typing import Any

from streams.alert.suppression import alert_id, decide

DAY = 86400.0


def _decide(state: Any, **kw: Any) -> Any:
    args = {
        "rule": "armed_clash",
        "story_id": "s-1",
        "severity": "high",
        "killed": 3,
        "places": ["Kidal"],
        "article_id": "a1",
        "at": 100.0,
        "window": DAY,
    }
    args.update(kw)
    return decide(state, **args)


def test_first_match_opens_version_one_with_a_stable_id() -> None:
    d = _decide(None)
    assert d.action == "new"
    assert d.state["version"] == 1
    assert d.state["id"] == alert_id("armed_clash", "s-1", 0) == _decide(None).state["id"]


def test_same_facts_are_counted_not_resent() -> None:
    first = _decide(None).state
    d = _decide(first, article_id="a2", at=200.0)
    assert d.action == "suppress"
    assert d.state["version"] == 1 and d.state["suppressed"] == 1
    assert d.state["articles"] == ["a1", "a2"]


def test_more_killed_a_new_place_or_higher_severity_update_the_alert() -> None:
    first = _decide(None).state
    more = _decide(first, killed=7, at=200.0)
    assert more.action == "update" and more.state["version"] == 2
    assert more.changes == ("killed 3 → 7",)
    place = _decide(more.state, places=["Kidal", "Gao"], at=300.0)
    assert place.state["version"] == 3 and place.changes == ("new place: Gao",)
    worse = _decide(place.state, severity="critical", at=400.0)
    assert worse.changes == ("severity high → critical",)
    assert worse.state["id"] == first["id"]


def test_fewer_killed_or_lower_severity_change_nothing() -> None:
    first = _decide(None).state
    d = _decide(first, killed=1, severity="medium", at=150.0)
    assert d.action == "suppress" and d.state["killed"] == 3 and d.state["severity"] == "high"


def test_after_the_window_a_new_alert_opens_with_a_new_id() -> None:
    first = _decide(None).state
    later = _decide(first, at=100.0 + DAY + 1)
    assert later.action == "new"
    assert later.state["id"] != first["id"] and later.state["generation"] == 1


def test_the_state_keeps_a_bounded_list_of_articles() -> None:
    from streams.alert.suppression import ARTICLES_CAP

    state = _decide(None).state
    for i in range(ARTICLES_CAP + 10):
        state = _decide(state, article_id=f"x{i}", at=200.0 + i).state
    assert len(state["articles"]) == ARTICLES_CAP
    assert state["suppressed"] == ARTICLES_CAP + 10

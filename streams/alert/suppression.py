"""One alert per (rule, story) within a suppression window; updates only when it matters.

A later match in the same story raises the alert's version only when its severity rises or
its facts change (more killed, a new place); otherwise it is counted, not re-sent. All
times are event times (the article's ingested_at), so a replay decides the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from ..ids import short_hash

SEVERITIES = ("low", "medium", "high", "critical")
ARTICLES_CAP = 200  # newest article ids kept in an alert's state: the value stays small
Action = Literal["new", "update", "suppress"]


def rank(severity: str) -> int:
    return SEVERITIES.index(severity)


def alert_id(rule: str, story_id: str, generation: int) -> str:
    parts = (rule, story_id) if generation == 0 else (rule, story_id, str(generation))
    return "a-" + short_hash(*parts)


@dataclass(frozen=True)
class Decision:
    action: Action
    state: dict[str, Any]
    changes: tuple[str, ...] = ()


def decide(
    state: dict[str, Any] | None,
    *,
    rule: str,
    story_id: str,
    severity: str,
    killed: int | None,
    places: list[str],
    article_id: str,
    at: float,
    window: float,
) -> Decision:
    if state is None or at - state["opened_at"] > window:
        generation = 0 if state is None else state["generation"] + 1
        return Decision(
            "new",
            {
                "id": alert_id(rule, story_id, generation),
                "generation": generation,
                "version": 1,
                "opened_at": at,
                "last_at": at,
                "severity": severity,
                "killed": killed,
                "places": sorted(set(places)),
                "articles": [article_id],
                "suppressed": 0,
            },
        )
    changes: list[str] = []
    new = dict(state)
    new["last_at"] = max(state["last_at"], at)
    if article_id not in state["articles"]:
        new["articles"] = [*state["articles"], article_id][-ARTICLES_CAP:]
    if rank(severity) > rank(state["severity"]):
        changes.append(f"severity {state['severity']} → {severity}")
        new["severity"] = severity
    if killed is not None and (state["killed"] is None or killed > state["killed"]):
        changes.append(
            f"killed {state['killed'] if state['killed'] is not None else '?'} → {killed}"
        )
        new["killed"] = killed
    added = sorted(set(places) - set(state["places"]))
    if added:
        changes.append("new place: " + ", ".join(added))
        new["places"] = sorted(set(state["places"]) | set(added))
    if changes:
        new["version"] = state["version"] + 1
        return Decision("update", new, tuple(changes))
    new["suppressed"] = state["suppressed"] + 1
    return Decision("suppress", new)

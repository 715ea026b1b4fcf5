"""Turn a rule match on a tagged article into an alert record."""

from __future__ import annotations

from typing import Any

from ..ids import short_hash
from .rules import RuleMatch

SUMMARY_CHARS = 400


def story_id(tagged: dict[str, Any]) -> str:
    """One story per article for now; grouping near-duplicates into stories comes later."""
    return "s-" + tagged["id"]


def build_alert(tagged: dict[str, Any], match: RuleMatch, now: float) -> dict[str, Any]:
    story = story_id(tagged)
    event = match.event or {}
    killed = event.get("killed") if match.event is not None else tagged.get("killed")
    summary = event.get("evidence") or tagged["body"]
    if len(summary) > SUMMARY_CHARS:
        summary = summary[: SUMMARY_CHARS - 1].rsplit(" ", 1)[0] + "…"
    return {
        "id": "a-" + short_hash(match.rule, story),
        "version": 1,
        "rule": match.rule,
        "severity": match.severity,
        "story_id": story,
        "article_ids": [tagged["id"]],
        "countries": list(tagged["countries"]),
        "entities": [e["name"] for e in tagged["entities"] if e["type"] != "country"],
        "title": tagged["title"],
        "summary": summary,
        "reason": match.reason,
        "event_type": event.get("event_type", tagged["event_type"]),
        "killed": killed,
        "source": tagged.get("source"),
        "created_at": now,
        "ingested_at": tagged["ingested_at"],
    }

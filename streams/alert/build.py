"""Alert records: what an analyst reads, built from a match, its story and its alert state."""

from __future__ import annotations

from typing import Any

from ..ids import short_hash
from ..spikes import Spike

SUMMARY_CHARS = 400


def _summary(text: str) -> str:
    if len(text) <= SUMMARY_CHARS:
        return text
    return text[: SUMMARY_CHARS - 1].rsplit(" ", 1)[0] + "…"


def build_alert(
    article: dict[str, Any],
    match: dict[str, Any],
    state: dict[str, Any],
    story: dict[str, Any],
    story_id: str,
    changes: tuple[str, ...],
    now: float,
) -> dict[str, Any]:
    event = match["event"] or {}
    reason = match["reason"]
    if changes:
        reason = f"{reason}; update: {'; '.join(changes)}"
    countries = list(article["countries"])
    if event.get("country_code") in countries:  # the event's country leads
        countries.remove(event["country_code"])
        countries.insert(0, event["country_code"])
    return {
        "id": state["id"],
        "version": state["version"],
        "rule": match["rule"],
        "severity": state["severity"],
        "story_id": story_id,
        "article_ids": list(story["members"]),
        "article_count": story.get("size", len(story["members"])),
        "countries": countries,
        "entities": [e["name"] for e in article["entities"] if e["type"] != "country"],
        "places": list(state["places"]),
        "title": article["title"],
        "summary": _summary(event.get("evidence") or article["body"]),
        "reason": reason,
        "event_type": event.get("event_type", article["event_type"]),
        "killed": state["killed"],
        "source": article.get("source"),
        "created_at": now,
        "ingested_at": article["ingested_at"],
    }


def build_spike_alert(spike: Spike, article: dict[str, Any], now: float) -> dict[str, Any]:
    story_id = f"spike-{spike.rule.name}-{short_hash(spike.key)}-{spike.bucket}"
    return {
        "id": "a-" + short_hash(spike.rule.name, spike.key, str(spike.bucket)),
        "version": 1,
        "rule": spike.rule.name,
        "severity": spike.rule.severity,
        "story_id": story_id,
        "article_ids": [article["id"]],
        "article_count": 1,
        "countries": [spike.key] if spike.rule.by == "country" else list(article["countries"]),
        "entities": [] if spike.rule.by == "country" else [spike.key],
        "places": [],
        "title": spike.reason(),
        "summary": f"Latest article: {article['title']}",
        "reason": spike.reason(),
        "event_type": "None",
        "killed": None,
        "source": None,
        "created_at": now,
        "ingested_at": article["ingested_at"],
    }

"""The offline analysis chain: clean -> classify -> tag -> rules, one pure step per stage.

The stream agents call ``classify_record``, ``tag_record`` and ``match_rules`` one per stage;
``analyze`` runs them back to back for ``wirewatch analyze`` and the tests. None of them set
``ingested_at`` or ``stages``: those belong to the agents.
"""

from __future__ import annotations

from typing import Any

from streams.alert.rules import RuleMatch, RuleSet, load_rules
from streams.classify.classifier import classify
from streams.ids import article_id
from streams.tag.tagger import tag
from streams.text.clean import clean_text


def classify_record(raw: dict[str, Any]) -> dict[str, Any]:
    """``raw`` with cleaned title and body, an id, and the classification fields.

    Raises ValueError when nothing of the body survives cleaning, so the agent can
    dead-letter the record.
    """
    title = clean_text(str(raw.get("title") or "")).replace("\n\n", " ")
    body = clean_text(str(raw.get("body") or ""), title=title or None)
    if not body:
        raise ValueError("article body is empty after cleaning")
    out = dict(raw)
    out["title"] = title
    out["body"] = body
    out["id"] = raw.get("id") or article_id(title, body)
    out.update(classify(title, body).to_record())
    return out


def tag_record(classified: dict[str, Any]) -> dict[str, Any]:
    """``classified`` plus entities, countries, casualties and per-event enrichment."""
    tagging = tag(
        classified.get("title") or "",
        classified["body"],
        list(classified.get("events", ())),
        primary_type=classified.get("event_type"),
        published_at=classified.get("published_at"),
    )
    return {**classified, **tagging.to_record()}


def match_rules(tagged: dict[str, Any], rules: RuleSet) -> list[RuleMatch]:
    """The rules that fire on a tagged record."""
    return rules.evaluate(tagged)


def analyze(raw: dict[str, Any], rules: RuleSet | None = None) -> dict[str, Any]:
    """Tagged record for ``raw`` plus ``"alerts"``: the names of the rules that fire."""
    tagged = tag_record(classify_record(raw))
    matches = match_rules(tagged, rules if rules is not None else load_rules())
    tagged["alerts"] = [m.rule for m in matches]
    return tagged

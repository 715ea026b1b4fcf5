"""The three stages as data: what each reads, what it writes, and its pure transform."""

from __future__ import annotations

from . import contracts
from .alert.reload import RuleBook
from .alert.rules import RuleMatch
from .analysis import classify_record, match_rules, tag_record
from .settings import Settings
from .stage import Record, Stage, Transform
from .stories import signature


def _stamp(record: Record, stage: str, now: float) -> Record:
    record["stages"] = {**record.get("stages", {}), stage: now}
    return record


def classify(raw: Record, now: float, timestamp: float | None) -> list[tuple[str, Record]]:
    out = classify_record(raw)
    # Articles from other producers may lack ingested_at: the Kafka timestamp is the entry time.
    out["ingested_at"] = raw.get("ingested_at") or timestamp or now
    return [(out["id"], _stamp(out, "classify", now))]


def tag(classified: Record, now: float, _timestamp: float | None) -> list[tuple[str, Record]]:
    out = tag_record(classified)
    return [(out["id"], _stamp(out, "tag", now))]


MATCHED_BODY_CHARS = 4000  # enough for summaries; keeps the one-partition topic light


def match_record(match: RuleMatch) -> Record:
    scope = getattr(match, "scope", None) or ("event" if match.event is not None else "article")
    return {
        "rule": match.rule,
        "severity": match.severity,
        "reason": match.reason,
        "scope": scope,
        "event": match.event,
    }


def alert_transform(book: RuleBook) -> Transform:
    """Rules and the MinHash run here, in parallel; the story stage gets the results."""

    def alert(tagged: Record, now: float, _timestamp: float | None) -> list[tuple[str, Record]]:
        article = _stamp({**tagged, "body": tagged["body"][:MATCHED_BODY_CHARS]}, "alert", now)
        matched = {
            "article": article,
            "matches": [match_record(m) for m in match_rules(tagged, book.rules)],
            "signature": list(sig) if (sig := signature(tagged["body"])) else None,
        }
        return [(tagged["id"], matched)]

    return alert


def passthrough_stages(settings: Settings) -> dict[str, Stage]:
    """The same chain with no NLP and no rules: what the plumbing alone costs (benchmarks)."""
    limit = settings.max_article_bytes

    def classify_(raw: Record, now: float, ts: float | None) -> list[tuple[str, Record]]:
        out = {
            **raw,
            "title": raw.get("title") or "",
            "event_type": "None",
            "event_subtype": None,
            "event_confidence": 0.0,
            "topics": [],
            "events": [],
        }
        out["id"] = raw.get("id") or "unknown"
        out["ingested_at"] = raw.get("ingested_at") or ts or now
        return [(out["id"], _stamp(out, "classify", now))]

    def tag_(record: Record, now: float, _ts: float | None) -> list[tuple[str, Record]]:
        out = {
            **record,
            "entities": [],
            "countries": [],
            "primary_country": None,
            "killed": None,
            "wounded": None,
        }
        return [(out["id"], _stamp(out, "tag", now))]

    def alert_(record: Record, now: float, _ts: float | None) -> list[tuple[str, Record]]:
        article = _stamp(record, "alert", now)
        return [(record["id"], {"article": article, "matches": [], "signature": None})]

    return {
        "classify": Stage("classify", contracts.RAW, contracts.CLASSIFIED, classify_, limit),
        "tag": Stage("tag", contracts.CLASSIFIED, contracts.TAGGED, tag_, limit * 2),
        "alert": Stage(
            "alert", contracts.TAGGED, contracts.MATCHED, alert_, limit * 2, tag_source=True
        ),
    }


def build_stages(settings: Settings, book: RuleBook) -> dict[str, Stage]:
    # Only the first stage sees bytes from outside; later stages read our own records and
    # still get the same limit, which they never approach.
    limit = settings.max_article_bytes
    return {
        "classify": Stage("classify", contracts.RAW, contracts.CLASSIFIED, classify, limit),
        "tag": Stage("tag", contracts.CLASSIFIED, contracts.TAGGED, tag, limit * 2),
        "alert": Stage(
            "alert",
            contracts.TAGGED,
            contracts.MATCHED,
            alert_transform(book),
            limit * 2,
            tag_source=True,
        ),
    }

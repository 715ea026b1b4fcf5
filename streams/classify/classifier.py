"""Keyword/regex event and topic classifier over sentences (version 1).

All vocabulary lives in ``taxonomy.yaml``; this module only scores sentences against it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from streams.text.clean import split_sentences

NONE = "None"
EVENT_TYPES = (
    "Battles",
    "Explosions/Remote violence",
    "Violence against civilians",
    "Protests",
    "Riots",
    "Strategic developments",
)
TOPICS = (
    "armed_conflict",
    "terrorism",
    "diplomacy",
    "politics",
    "economy_sanctions",
    "humanitarian",
    "disaster",
    "crime",
    "other",
)


@dataclass(frozen=True)
class Event:
    event_type: str
    sub_type: str | None
    confidence: float
    evidence: str

    def to_record(self) -> dict[str, Any]:
        return {
            "event_type": self.event_type,
            "sub_type": self.sub_type,
            "confidence": self.confidence,
            "evidence": self.evidence,
        }


@dataclass(frozen=True)
class Classification:
    event_type: str
    event_subtype: str | None
    event_confidence: float
    topics: list[str] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)

    def to_record(self) -> dict[str, Any]:
        return {
            "event_type": self.event_type,
            "event_subtype": self.event_subtype,
            "event_confidence": self.event_confidence,
            "topics": list(self.topics),
            "events": [event.to_record() for event in self.events],
        }


@dataclass(frozen=True)
class _Cue:
    event_type: str
    sub_type: str
    weight: float
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class _Taxonomy:
    cues: tuple[_Cue, ...]
    dampeners: tuple[tuple[float, tuple[re.Pattern[str], ...]], ...]
    any_cue: re.Pattern[str]
    topics: tuple[tuple[str, float, re.Pattern[str]], ...]
    event_topics: dict[str, tuple[str, ...]]
    min_event_confidence: float
    lead_sentences: int
    title_bonus: float
    min_primary_confidence: float
    none_penalty: float
    none_cap: float


def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


def build_taxonomy(data: dict[str, Any]) -> _Taxonomy:
    """Validate and compile a parsed taxonomy document."""
    cues: list[_Cue] = []
    for event_type, sub_types in data["event_types"].items():
        if event_type not in EVENT_TYPES:
            raise ValueError(f"unknown event type {event_type!r} in taxonomy")
        for sub_type, spec in sub_types.items():
            for cue in spec["cues"]:
                pattern, weight = (
                    (cue["pattern"], cue["weight"])
                    if isinstance(cue, dict)
                    else (cue, spec["weight"])
                )
                cues.append(_Cue(event_type, sub_type, float(weight), _compile(pattern)))
    topics = []
    for topic, spec in data["topics"].items():
        if topic not in TOPICS:
            raise ValueError(f"unknown topic {topic!r} in taxonomy")
        words = "|".join(f"(?:{word})" for word in spec["keywords"])
        topics.append((topic, float(spec["min_score"]), _compile(rf"\b(?:{words})\b")))
    return _Taxonomy(
        cues=tuple(cues),
        # One pass rejects the many sentences that carry no cue at all.
        any_cue=_compile("|".join(f"(?:{c.pattern.pattern})" for c in cues)),
        dampeners=tuple(
            (float(d["factor"]), tuple(_compile(p) for p in d["patterns"]))
            for d in data.get("dampeners", {}).values()
        ),
        topics=tuple(topics),
        event_topics={k: tuple(v) for k, v in data.get("event_topics", {}).items()},
        min_event_confidence=float(data["min_event_confidence"]),
        lead_sentences=int(data["lead_sentences"]),
        title_bonus=float(data["title_bonus"]),
        min_primary_confidence=float(data["min_primary_confidence"]),
        none_penalty=float(data["none_penalty"]),
        none_cap=float(data["none_cap"]),
    )


@lru_cache(maxsize=1)
def load_taxonomy() -> _Taxonomy:
    """The packaged taxonomy, compiled once."""
    text = resources.files("streams.classify").joinpath("taxonomy.yaml").read_text("utf-8")
    return build_taxonomy(yaml.safe_load(text))


def _sentence_event(sentence: str, tax: _Taxonomy, bonus: float) -> Event | None:
    if not tax.any_cue.search(sentence):
        return None
    best: _Cue | None = None
    for cue in tax.cues:  # listed in priority order, so only a higher weight displaces
        if (best is None or cue.weight > best.weight) and cue.pattern.search(sentence):
            best = cue
    if best is None:
        return None
    confidence = best.weight + bonus
    for factor, patterns in tax.dampeners:
        if any(p.search(sentence) for p in patterns):
            confidence *= factor
    confidence = round(min(confidence, 1.0), 2)
    if confidence < tax.min_event_confidence:
        return None
    return Event(best.event_type, best.sub_type, confidence, sentence)


def _topics(title: str, body: str, events: list[Event], tax: _Taxonomy) -> list[str]:
    scores: dict[str, float] = {}
    for event in events:
        for topic in tax.event_topics.get(event.event_type, ()):
            scores[topic] = scores.get(topic, 0.0) + 100 * event.confidence
    for topic, min_score, words in tax.topics:
        score = 2 * len(words.findall(title)) + len(words.findall(body))
        if score >= min_score:
            scores[topic] = scores.get(topic, 0.0) + score
    ranked = sorted(scores, key=lambda t: (-scores[t], TOPICS.index(t)))
    return ranked or ["other"]


def classify(title: str, body: str) -> Classification:
    """Events per sentence; the primary event is the headline's, else the lead's."""
    tax = load_taxonomy()
    title_sentences = split_sentences(title) if title.strip() else []
    body_sentences = split_sentences(body)
    events: list[Event] = []
    headline: list[Event] = []
    lead: list[Event] = []
    for n, sentence in enumerate(title_sentences + body_sentences):
        in_title = n < len(title_sentences)
        event = _sentence_event(sentence, tax, tax.title_bonus if in_title else 0.0)
        if event is None or any(e.evidence == event.evidence for e in events):
            continue
        events.append(event)
        if in_title:
            headline.append(event)
        elif n < len(title_sentences) + tax.lead_sentences:
            lead.append(event)
    floor = tax.min_primary_confidence
    candidates = [e for e in headline if e.confidence >= floor] or [
        e for e in lead if e.confidence >= floor
    ]
    primary = max(candidates, key=lambda e: e.confidence) if candidates else None
    if primary is not None:
        # The primary event comes first so consumers can take events[0] as the story.
        events = [primary, *(e for e in events if e is not primary)]
        return Classification(
            primary.event_type,
            primary.sub_type,
            primary.confidence,
            _topics(title, body, events, tax),
            events,
        )
    best = max((e.confidence for e in events), default=0.0)
    confidence = round(min(1.0 - tax.none_penalty * best, tax.none_cap), 2)
    return Classification(NONE, None, confidence, _topics(title, body, events, tax), events)

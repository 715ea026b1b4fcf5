"""Keyword event and topic classifier over sentences (version 2).

All vocabulary lives in ``taxonomy.yaml``; this module scans an article once with the
compiled cues (see ``cues.py``) and decides, per sentence, which ACLED event it reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from streams.classify.cues import Cue, CueIndex, alternatives_of, by_sentence, parse_cue
from streams.text.clean import sentence_spans
from streams.text.scan import Hit, PhraseSet

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


# Not frozen: a dataclass's generated __init__ runs interpreted (~2 us with frozen's
# object.__setattr__); this one mypyc compiles. The fields are never reassigned.
@dataclass(init=False, unsafe_hash=True)
class Event:
    event_type: str
    sub_type: str | None
    confidence: float
    evidence: str

    def __init__(
        self, event_type: str, sub_type: str | None, confidence: float, evidence: str
    ) -> None:
        self.event_type = event_type
        self.sub_type = sub_type
        self.confidence = confidence
        self.evidence = evidence

    def to_record(self) -> dict[str, Any]:
        return {
            "event_type": self.event_type,
            "sub_type": self.sub_type,
            "confidence": self.confidence,
            "evidence": self.evidence,
        }


@dataclass(init=False, unsafe_hash=True)  # (as Event)
class Classification:
    event_type: str
    event_subtype: str | None
    event_confidence: float
    topics: list[str]
    events: list[Event]

    def __init__(
        self,
        event_type: str,
        event_subtype: str | None,
        event_confidence: float,
        topics: list[str] | None = None,
        events: list[Event] | None = None,
    ) -> None:
        self.event_type = event_type
        self.event_subtype = event_subtype
        self.event_confidence = event_confidence
        self.topics = [] if topics is None else topics
        self.events = [] if events is None else events

    def to_record(self) -> dict[str, Any]:
        return {
            "event_type": self.event_type,
            "event_subtype": self.event_subtype,
            "event_confidence": self.event_confidence,
            "topics": list(self.topics),
            "events": [event.to_record() for event in self.events],
        }


@dataclass(frozen=True)
class _Taxonomy:
    phrases: PhraseSet
    events: CueIndex
    dampeners: CueIndex
    factors: dict[str, float]
    topic_terms: list[tuple[str, ...]]  # by term id
    masks: frozenset[int]  # terms whose words cue nothing ("riot police" is no riot)
    topic_min: dict[str, float]
    event_topics: dict[str, tuple[str, ...]]
    min_event_confidence: float
    lead_sentences: int
    untitled_lead_sentences: int
    title_bonus: float
    min_primary_confidence: float
    none_penalty: float
    none_cap: float


def build_taxonomy(data: dict[str, Any]) -> _Taxonomy:
    """Validate and compile a parsed taxonomy document."""
    phrases = PhraseSet()
    cues: list[Cue] = []
    for event_type, sub_types in data["event_types"].items():
        if event_type not in EVENT_TYPES:
            raise ValueError(f"unknown event type {event_type!r} in taxonomy")
        for sub_type, spec in sub_types.items():
            weight = float(spec["weight"])
            cues += [parse_cue(phrases, c, (event_type, sub_type), weight) for c in spec["cues"]]
    dampeners: list[Cue] = []
    factors: dict[str, float] = {}
    for name, spec in data.get("dampeners", {}).items():
        factors[name] = float(spec["factor"])
        dampeners += [parse_cue(phrases, c, name, 1.0) for c in spec["cues"]]
    topic_terms: dict[int, tuple[str, ...]] = {}
    topic_min: dict[str, float] = {}
    for topic, spec in data["topics"].items():
        if topic not in TOPICS:
            raise ValueError(f"unknown topic {topic!r} in taxonomy")
        topic_min[topic] = float(spec["min_score"])
        for word in spec["keywords"]:
            term = phrases.add(str(word))
            topic_terms[term] = (*topic_terms.get(term, ()), topic)
    masks = frozenset(
        t for alts in data.get("not_cues", []) for t in alternatives_of(phrases, alts)
    )
    phrases.compile()
    return _Taxonomy(
        phrases=phrases,
        events=CueIndex(cues),
        dampeners=CueIndex(dampeners),
        factors=factors,
        topic_terms=[topic_terms.get(t, ()) for t in range(len(phrases))],
        masks=masks,
        topic_min=topic_min,
        event_topics={k: tuple(v) for k, v in data.get("event_topics", {}).items()},
        min_event_confidence=float(data["min_event_confidence"]),
        lead_sentences=int(data["lead_sentences"]),
        untitled_lead_sentences=int(data["untitled_lead_sentences"]),
        title_bonus=float(data["title_bonus"]),
        min_primary_confidence=float(data["min_primary_confidence"]),
        none_penalty=float(data["none_penalty"]),
        none_cap=float(data["none_cap"]),
    )


@lru_cache(maxsize=1)
def load_taxonomy() -> _Taxonomy:
    """The packaged taxonomy, compiled once."""
    text = resources.files("streams.classify").joinpath("taxonomy.yaml").read_text("utf-8")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: ten times faster
    return build_taxonomy(yaml.load(text, Loader=loader))


def _unmasked(hits: list[Hit], masks: frozenset[int]) -> list[Hit]:
    """Hits outside every mask's span; the masks go too."""
    spans = [(h.start, h.end) for h in hits if h.term in masks]
    if not spans:
        return hits
    out: list[Hit] = []
    for h in hits:
        if h.term in masks:
            continue
        for a, b in spans:
            if a <= h.start and h.end <= b:
                break
        else:
            out.append(h)
    return out


def _sentence_event(text: str, hits: list[Hit], tax: _Taxonomy) -> Cue | None:
    best: Cue | None = None
    for cue in tax.events.matches(text, hits):  # listed in priority order
        if best is None or cue.weight > best.weight:
            best = cue
    return best


def _confidence(text: str, hits: list[Hit], tax: _Taxonomy, weight: float) -> float:
    confidence = weight
    for name in {cue.label for cue in tax.dampeners.matches(text, hits)}:
        confidence *= tax.factors[name]
    return round(min(confidence, 1.0), 2)


def _topics(hits: list[Hit], title_end: int, events: list[Event], tax: _Taxonomy) -> list[str]:
    scores: dict[str, float] = {}
    topic_terms = tax.topic_terms
    for hit in hits:
        for topic in topic_terms[hit.term]:
            scores[topic] = scores.get(topic, 0.0) + (2.0 if hit.start < title_end else 1.0)
    scores = {t: s for t, s in scores.items() if s >= tax.topic_min[t]}
    for event in events:
        for topic in tax.event_topics.get(event.event_type, ()):
            scores[topic] = scores.get(topic, 0.0) + 100 * event.confidence
    ranked = sorted(scores, key=lambda t: (-scores[t], TOPICS.index(t)))
    return ranked or ["other"]


def _among(event: Event | None, events: list[Event]) -> bool:
    return any(e is event for e in events)


def classify(title: str, body: str) -> Classification:
    """Events per sentence; the primary event is the headline's, else the lead's."""
    tax = load_taxonomy()
    title = title.strip()
    text = f"{title}\n\n{body}" if title else body
    title_end = len(title)
    hits = _unmasked(tax.phrases.scan(text), tax.masks)
    spans = sentence_spans(text)
    n_title = sum(1 for _, end in spans if end <= title_end)
    events: list[Event] = []
    headline: list[Event] = []
    lead: list[Event] = []
    for n, sentence_hits in enumerate(by_sentence(hits, spans)):
        if not sentence_hits:
            continue
        cue = _sentence_event(text, sentence_hits, tax)
        if cue is None:
            continue
        bonus = tax.title_bonus if n < n_title else 0.0
        confidence = _confidence(text, sentence_hits, tax, cue.weight + bonus)
        evidence = text[spans[n][0] : spans[n][1]]
        if confidence < tax.min_event_confidence or any(e.evidence == evidence for e in events):
            continue
        event_type, sub_type = cue.label
        event = Event(event_type, sub_type, confidence, evidence)
        events.append(event)
        if n < n_title:
            headline.append(event)
        elif n < n_title + (tax.lead_sentences if n_title else tax.untitled_lead_sentences):
            lead.append(event)
    floor = tax.min_primary_confidence
    # The headline's event, unless the lead reports a clearly more specific one ("15 dead
    # in attack" over "a suicide bombing killed 15"); ties go to the headline.
    candidates = [e for e in (*headline, *lead) if e.confidence >= floor]
    primary = None
    for event in candidates:
        # (By identity: no two events share their evidence, so none equals another.)
        margin = 0.1 if _among(primary, headline) and _among(event, lead) else 0.0
        if primary is None or event.confidence > primary.confidence + margin:
            primary = event
    if primary is not None:
        # The primary event comes first so consumers can take events[0] as the story.
        events = [primary, *(e for e in events if e is not primary)]
        return Classification(
            primary.event_type,
            primary.sub_type,
            primary.confidence,
            _topics(hits, title_end, events, tax),
            events,
        )
    best = max((e.confidence for e in events), default=0.0)
    confidence = round(min(1.0 - tax.none_penalty * best, tax.none_cap), 2)
    return Classification(NONE, None, confidence, _topics(hits, title_end, events, tax), events)

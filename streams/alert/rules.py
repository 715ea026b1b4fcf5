"""Alert rules as data: load them from YAML, evaluate them on tagged articles."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from streams.classify.classifier import EVENT_TYPES, NONE, TOPICS
from streams.tag.gazetteer import load_gazetteer

SEVERITIES = ("critical", "high", "medium", "low")
_LIST_CONDITIONS = ("event_types", "sub_types", "topics_any", "entities_any", "countries_any",
                    "keywords_any")  # fmt: skip
_EVENT_CONDITIONS = ("event_types", "sub_types", "min_killed", "min_confidence")
_KEYS = frozenset({"name", "description", "severity", *_LIST_CONDITIONS, *_EVENT_CONDITIONS})


class RuleError(ValueError):
    """A rules file that cannot be used; ``str()`` is one line naming file and problem."""


@dataclass(frozen=True)
class RuleMatch:
    rule: str
    severity: str
    reason: str
    event: dict[str, Any] | None


@dataclass(frozen=True)
class Rule:
    name: str
    description: str
    severity: str
    event_types: frozenset[str] = frozenset()
    sub_types: frozenset[str] = frozenset()
    topics_any: frozenset[str] = frozenset()
    entities_any: frozenset[str] = frozenset()
    countries_any: frozenset[str] = frozenset()
    keywords_any: tuple[str, ...] = ()
    min_killed: int | None = None
    min_confidence: float | None = None

    @property
    def on_events(self) -> bool:
        return bool(self.event_types or self.sub_types) or self.min_killed is not None

    def _event_ok(self, event: dict[str, Any], killed: int | None, countries: list[str]) -> bool:
        if self.event_types and event.get("event_type") not in self.event_types:
            return False
        if self.sub_types and event.get("sub_type") not in self.sub_types:
            return False
        if self.min_confidence is not None and event.get("confidence", 0) < self.min_confidence:
            return False
        if self.min_killed is not None and (killed is None or killed < self.min_killed):
            return False
        where = [event["country_code"]] if event.get("country_code") else countries
        return not self.countries_any or bool(self.countries_any.intersection(where))

    def match(self, tagged: dict[str, Any]) -> RuleMatch | None:
        if self.topics_any and not self.topics_any.intersection(tagged.get("topics", ())):
            return None
        named = [
            e["name"]
            for e in tagged.get("entities", ())
            if e.get("name") in self.entities_any or e.get("id") in self.entities_any
        ]
        if self.entities_any and not named:
            return None
        words = _keywords(self.keywords_any)
        text = f"{tagged.get('title') or ''}\n{tagged.get('body', '')}"
        hit = words.search(text) if words else None
        if words and hit is None:
            return None
        countries = list(tagged.get("countries", ()))
        if not self.on_events:
            if self.countries_any and not self.countries_any.intersection(countries):
                return None
            reason = _reason(self, tagged, None, named, hit)
            return RuleMatch(self.name, self.severity, reason, None)
        for event, killed in _candidates(tagged):
            if self._event_ok(event, killed, countries):
                reason = _reason(self, tagged, {**event, "killed": killed}, named, hit)
                return RuleMatch(self.name, self.severity, reason, event)
        return None


@lru_cache(maxsize=256)
def _keywords(words: tuple[str, ...]) -> re.Pattern[str] | None:
    if not words:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, words)) + r")(?!\w)", re.I)


def _candidates(tagged: dict[str, Any]) -> list[tuple[dict[str, Any], int | None]]:
    """(event, killed) pairs: the primary event (carrying the article toll), then the rest."""
    events = [e for e in tagged.get("events", ()) if isinstance(e, dict)]
    primary_type = tagged.get("event_type", NONE)
    first = next((e for e in events if e.get("event_type") == primary_type), None)
    if first is None and primary_type != NONE:
        first = {
            "event_type": primary_type,
            "sub_type": tagged.get("event_subtype"),
            "confidence": tagged.get("event_confidence", 0.0),
            "evidence": tagged.get("title") or "",
        }
    out: list[tuple[dict[str, Any], int | None]] = []
    if first is not None:
        killed = first.get("killed")
        out.append((first, killed if killed is not None else tagged.get("killed")))
    out.extend((e, e.get("killed")) for e in events if e is not first)
    return out


def _reason(
    rule: Rule,
    tagged: dict[str, Any],
    event: dict[str, Any] | None,
    named: list[str],
    hit: re.Match[str] | None,
) -> str:
    countries = load_gazetteer().countries
    parts: list[str] = []
    code = (event or {}).get("country_code") or tagged.get("primary_country")
    where = countries[code].name if code in countries else code
    if event is not None:
        head = str(event.get("event_type"))
        if where:
            head += f" in {where}"
        if event.get("location"):
            head += f" ({event['location']})"
        parts.append(head)
        if event.get("killed"):
            parts.append(f"{event['killed']} killed")
    elif where:
        parts.append(f"story in {where}")
    if rule.entities_any and named:
        parts.append(", ".join(dict.fromkeys(named)) + " named")
    if rule.topics_any:
        topics = [t for t in tagged.get("topics", ()) if t in rule.topics_any]
        parts.append("topic " + ", ".join(topics))
    if hit is not None:
        parts.append(f"keyword '{hit.group()}'")
    return " ".join("; ".join(parts).split())  # always one line


class RuleSet:
    """An ordered set of rules loaded from one file."""

    def __init__(self, rules: list[Rule], source: str = "<memory>") -> None:
        self.rules = tuple(rules)
        self.source = source

    def __len__(self) -> int:
        return len(self.rules)

    @property
    def names(self) -> list[str]:
        return [rule.name for rule in self.rules]

    def evaluate(self, tagged: dict[str, Any]) -> list[RuleMatch]:
        """Every rule that fires on ``tagged``, in file order, each at most once."""
        return [m for rule in self.rules if (m := rule.match(tagged)) is not None]


def _fail(source: str, problem: str, line: int | None = None) -> RuleError:
    where = f"{source}: line {line}" if line else source
    return RuleError(f"{where}: " + " ".join(problem.split()))


class _LineLoader(yaml.SafeLoader):
    """Safe loader that remembers the line of every mapping, for error messages."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        mapping = super().construct_mapping(node, deep=deep)
        mapping["__line__"] = node.start_mark.line + 1
        return mapping


def _strings(value: Any, what: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ValueError(f"{what} must be a list of non-empty strings")
    return value


def _rule(spec: Any, defaults: dict[str, Any], seen: set[str]) -> Rule:
    if not isinstance(spec, dict):
        raise ValueError("each rule must be a mapping")
    spec = {k: v for k, v in spec.items() if k != "__line__"}
    name = spec.get("name")
    if not isinstance(name, str) or not name:
        raise ValueError("rule without a name")
    label = f"rule {name!r}"
    if name in seen:
        raise ValueError(f"{label} is defined twice")
    seen.add(name)
    unknown = sorted(set(spec) - _KEYS)
    if unknown:
        raise ValueError(f"{label}: unknown key {unknown[0]!r} (known: {', '.join(sorted(_KEYS))})")
    if spec.get("severity") not in SEVERITIES:
        raise ValueError(f"{label}: severity must be one of {', '.join(SEVERITIES)}")
    lists = {key: _strings(spec[key], f"{label}: {key}") for key in _LIST_CONDITIONS if key in spec}
    bad_type = set(lists.get("event_types", ())) - {*EVENT_TYPES, NONE}
    if bad_type:
        raise ValueError(f"{label}: unknown event type {sorted(bad_type)[0]!r}")
    bad_topic = set(lists.get("topics_any", ())) - set(TOPICS)
    if bad_topic:
        raise ValueError(f"{label}: unknown topic {sorted(bad_topic)[0]!r}")
    if any(not re.fullmatch(r"[A-Z]{2}", c) for c in lists.get("countries_any", ())):
        raise ValueError(f"{label}: countries_any takes ISO 3166-1 alpha-2 codes like 'ML'")
    min_killed = spec.get("min_killed")
    if min_killed is not None and (type(min_killed) is not int or min_killed < 0):
        raise ValueError(f"{label}: min_killed must be a whole number >= 0")
    rule = Rule(
        name=name,
        description=str(spec.get("description", "")),
        severity=spec["severity"],
        event_types=frozenset(lists.get("event_types", ())),
        sub_types=frozenset(lists.get("sub_types", ())),
        topics_any=frozenset(lists.get("topics_any", ())),
        entities_any=frozenset(lists.get("entities_any", ())),
        countries_any=frozenset(lists.get("countries_any", ())),
        keywords_any=tuple(lists.get("keywords_any", ())),
        min_killed=min_killed,
    )
    default = defaults.get("min_confidence") if rule.on_events else None
    confidence = spec.get("min_confidence", default)
    if confidence is not None and (
        not isinstance(confidence, int | float) or not 0 <= confidence <= 1
    ):
        raise ValueError(f"{label}: min_confidence must be a number from 0 to 1")
    return replace(rule, min_confidence=confidence)


def parse_rules(text: str, source: str = "<string>") -> RuleSet:
    """Rules from YAML text; ``source`` names the file in error messages."""
    try:
        doc = yaml.load(text, Loader=_LineLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise _fail(source, f"invalid YAML: {problem}", mark.line + 1 if mark else None) from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("rules"), list):
        raise _fail(source, "expected a mapping with a 'rules' list")
    defaults = doc.get("defaults") or {}
    if not isinstance(defaults, dict):
        raise _fail(source, "'defaults' must be a mapping", doc.get("__line__"))
    rules: list[Rule] = []
    seen: set[str] = set()
    for spec in doc["rules"]:
        try:
            rules.append(_rule(spec, defaults, seen))
        except ValueError as exc:
            line = spec.get("__line__") if isinstance(spec, dict) else None
            raise _fail(source, str(exc), line) from exc
    if not rules:
        raise _fail(source, "no rules defined")
    return RuleSet(rules, source)


def load_rules(path: str | Path | None = None) -> RuleSet:
    """Rules from ``path``, or the packaged default file when ``path`` is None."""
    if path is None:
        resource = resources.files("streams.alert").joinpath("rules.yaml")
        return parse_rules(resource.read_text("utf-8"), str(resource))
    try:
        text = Path(path).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _fail(str(path), f"cannot read rules file: {exc.__class__.__name__}: {exc}") from exc
    return parse_rules(text, str(path))

"""Rules and rule sets: which rules fire on a tagged article, at what severity and why."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from .article import Article, Candidate, Hits, Scope
from .conditions import Condition
from .severity import Policy, assess, reason
from .watchlists import Watchlist

Scoped = Literal["article", "event"]


@dataclass(frozen=True)
class RuleMatch:
    rule: str
    severity: str
    reason: str
    event: dict[str, Any] | None  # the matched event (with its toll) for event-scoped rules
    scope: Scoped = "article"


@dataclass(frozen=True)
class Rule:
    name: str
    severity: str
    when: Condition
    description: str = ""
    max_severity: str = "critical"
    escalate_on_watchlist: bool = False
    line: int = 0

    @property
    def event_scoped(self) -> bool:
        return self.when.event_scoped

    def match(self, article: Article, policy: Policy) -> RuleMatch | None:
        if not self.event_scoped:
            hits = Hits()
            if not self.when.test(Scope(article), hits):
                return None
            # Severity still weighs the article's primary event, when it has one.
            primary = next((c for c in article.candidates if c.primary), None)
            return self._found(article, policy, primary, hits, None)
        for candidate in article.candidates:
            hits = Hits()
            if self.when.test(Scope(article, candidate.event, candidate.killed), hits):
                return self._found(article, policy, candidate, hits, candidate)
        return None

    def _found(
        self,
        article: Article,
        policy: Policy,
        evidence: Candidate | None,
        hits: Hits,
        matched: Candidate | None,
    ) -> RuleMatch:
        severity, parts = assess(
            self.severity,
            self.max_severity,
            self.escalate_on_watchlist,
            policy,
            article,
            evidence,
            hits,
        )
        event = evidence.event if evidence is not None else None
        text = reason(article, event, parts)
        if matched is None:
            return RuleMatch(self.name, severity, text, None, "article")
        return RuleMatch(
            self.name, severity, text, {**matched.event, "killed": matched.killed}, "event"
        )


@dataclass(frozen=True)
class RuleSet:
    """An ordered set of rules loaded from one file, with its watchlists and severity policy."""

    rules: tuple[Rule, ...]
    source: str = "<memory>"
    policy: Policy = field(default_factory=Policy)
    watchlists: Mapping[str, Watchlist] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.rules)

    @property
    def names(self) -> list[str]:
        return [rule.name for rule in self.rules]

    def evaluate(self, tagged: dict[str, Any]) -> list[RuleMatch]:
        """Every rule that fires on ``tagged``, in file order, each at most once."""
        article = Article(tagged)
        return [m for rule in self.rules if (m := rule.match(article, self.policy)) is not None]

"""Severity from the rule and the evidence, and the one-line reason that says how.

The numbers and word lists live in the rule file's ``severity:`` and ``great_powers:``
sections; this module only applies them, naming every step it takes so an analyst can see
why an alert is critical rather than high.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from . import kb
from .article import Article, Candidate, Hits, Member

SEVERITIES = ("critical", "high", "medium", "low")
_RANK = {name: rank for rank, name in enumerate(reversed(SEVERITIES))}


def raise_by(severity: str, steps: int) -> str:
    return SEVERITIES[::-1][max(0, min(_RANK[severity] + steps, len(SEVERITIES) - 1))]


def at_most(severity: str, cap: str) -> str:
    return severity if _RANK[severity] <= _RANK[cap] else cap


@dataclass(frozen=True)
class KilledStep:
    """At ``at_least`` dead: raise by ``steps``, or to at least ``to``."""

    at_least: int
    steps: int = 0
    to: str | None = None


@dataclass(frozen=True)
class GreatPower:
    code: str
    adjective: str
    state_forces: tuple[Member, ...]


@dataclass(frozen=True)
class Policy:
    killed: tuple[KilledStep, ...] = ()
    civilians_steps: int = 0
    civilian_event_types: frozenset[str] = frozenset()
    victims: re.Pattern[str] | None = None
    harm: re.Pattern[str] | None = None
    watchlist_steps: int = 0
    great_power_steps: int = 0
    great_powers: tuple[GreatPower, ...] = ()
    state_kinds: frozenset[str] = frozenset()  # KB kinds that are a state's forces/government


def _civilians(policy: Policy, event: dict[str, object]) -> bool:
    if event.get("event_type") in policy.civilian_event_types:
        return True
    if policy.victims is None or policy.harm is None:
        return False
    # Victims and harm in the same sentence: "killing at least two civilian passengers".
    sentence = str(event.get("evidence") or "")
    return bool(policy.victims.search(sentence) and policy.harm.search(sentence))


def _is_state(policy: Policy, power: GreatPower, entity: dict[str, Any]) -> bool:
    name = str(entity.get("name", ""))
    if any(m.matches(entity.get("id"), name) for m in power.state_forces):
        return True
    kind = entity.get("kind") or kb.kind(name)
    return entity.get("country_code") == power.code and kind in policy.state_kinds


def _great_powers(policy: Policy, article: Article, event: dict[str, object]) -> list[str]:
    """Adjectives of great powers whose state forces are named in the article and whose
    country the event's sentence refers to ("a Russian drone", "Africa Corps fighters")."""
    there = kb.countries_in(str(event.get("evidence") or ""))
    return [
        power.adjective
        for power in policy.great_powers
        if power.code in there and any(_is_state(policy, power, e) for e in article.entities)
    ]


def assess(
    base: str,
    cap: str,
    escalate_on_watchlist: bool,
    policy: Policy,
    article: Article,
    evidence: Candidate | None,
    hits: Hits,
) -> tuple[str, list[str]]:
    """The severity and the reason's parts after the rule's own evidence."""
    severity, parts = base, []
    event = evidence.event if evidence is not None else None
    killed = evidence.killed if evidence is not None else None
    if event is not None and killed:
        reached = [s for s in policy.killed if killed >= s.at_least]
        if reached:
            step = reached[-1]  # the highest threshold reached decides
            if step.to is not None:
                severity, mark = max(severity, step.to, key=_RANK.__getitem__), step.to
            else:
                severity, mark = raise_by(severity, step.steps), f"+{step.steps}"
            parts.append(f"{killed} killed ({mark})")
        else:
            parts.append(f"{killed} killed")
    named = list(dict.fromkeys(hits.named))
    if named:
        parts.append(", ".join(named) + " named")
    parts.extend(dict.fromkeys(hits.notes))
    if event is not None and policy.civilians_steps and _civilians(policy, event):
        severity = raise_by(severity, policy.civilians_steps)
        parts.append(f"civilians targeted (+{policy.civilians_steps})")
    if escalate_on_watchlist and hits.watchlists and policy.watchlist_steps:
        severity = raise_by(severity, policy.watchlist_steps)
        listed = ", ".join(dict.fromkeys(hits.watchlists))
        parts.append(f"on watchlist {listed} (+{policy.watchlist_steps})")
    powers = _great_powers(policy, article, event) if event is not None else []
    if powers and policy.great_power_steps:
        severity = raise_by(severity, policy.great_power_steps)
        parts.append(f"{', '.join(powers)} state forces involved (+{policy.great_power_steps})")
    capped = at_most(severity, cap)
    parts.append(f"→ {capped}" + (" (rule maximum)" if capped != severity else ""))
    return capped, parts


def head(article: Article, event: dict[str, object] | None) -> str:
    """What and where: 'Battles in Mali (Kidal)', or 'story in Mali' without an event."""
    code = (event or {}).get("country_code") or article.tagged.get("primary_country")
    where = kb.country_name(str(code)) if code else None
    if event is None:
        return f"story in {where}" if where else "story"
    text = str(event.get("event_type"))
    if where:
        text += f" in {where}"
    if event.get("location"):
        text += f" ({event['location']})"
    return text


def reason(article: Article, event: dict[str, object] | None, parts: list[str]) -> str:
    """One line: head; evidence; escalation steps → severity."""
    *evidence, verdict = parts
    text = "; ".join([head(article, event), *evidence]) + " " + verdict
    return " ".join(text.split())

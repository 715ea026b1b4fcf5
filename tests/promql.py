"""The PromQL of deploy/: every expression of the Grafana dashboard and of the alerting rules,
ready to send to a Prometheus, and the metric names each one reads.

Dashboard variables are substituted as Grafana would with the defaults: ``$job`` is the job of
the scrape config (``wirewatch``), ``$instance`` is "All", i.e. its ``allValue`` ``.*``.

Alert expressions end in a threshold (``... > 1000``), so on a healthy test pipeline they are
rightly empty. ``operands`` splits an expression at its top-level ``and`` / ``or`` / ``unless``
and drops a trailing top-level comparison against a number from each part, which leaves the
measurements the alert compares (e.g. ``up{job="wirewatch"} == 0`` → ``up{job="wirewatch"}``).
Those must return data; the thresholds themselves are checked by ``promtool check rules``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
DASHBOARD = DEPLOY / "grafana" / "dashboards" / "wirewatch.json"
ALERT_RULES = DEPLOY / "prometheus" / "alerts.yml"
JOB = "wirewatch"
VARIABLES = {"job": JOB, "instance": ".*"}

_NAME = re.compile(r"\bwirewatch_[a-z_]+\b|\bup\b(?=\s*\{)")
_SET_OPERATOR = re.compile(r"(and|or|unless)\b")
_THRESHOLD = re.compile(
    r"(==|!=|>=|<=|>|<)\s*(?:bool\s+)?[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?\s*$"
)


@dataclass(frozen=True)
class Expr:
    name: str  # what a failing test names: panel title and query, or alert and operand
    expr: str  # as sent to Prometheus

    def metrics(self) -> set[str]:
        return metric_names(self.expr)


def load_dashboard(path: Path = DASHBOARD) -> dict[str, Any]:
    return json.loads(path.read_text())  # type: ignore[no-any-return]


def load_rules(path: Path = ALERT_RULES) -> dict[str, Any]:
    return yaml.safe_load(path.read_text())  # type: ignore[no-any-return]


def panels(dashboard: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for panel in dashboard["panels"]:
        yield panel
        yield from panel.get("panels", [])  # collapsed rows keep theirs inside


def substitute(expr: str, variables: dict[str, str] = VARIABLES) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        if name not in variables:
            raise KeyError(f"no test value for dashboard variable ${name} in {expr!r}")
        return variables[name]

    return re.sub(r"\$\{(\w+)\}|\$(\w+)", value, expr)


def dashboard_exprs(dashboard: dict[str, Any] | None = None) -> list[Expr]:
    dashboard = dashboard or load_dashboard()
    out = []
    for panel in panels(dashboard):
        for target in panel.get("targets", []):
            if target.get("expr"):
                name = f"{panel['title']} [{target.get('refId', '?')}]"
                out.append(Expr(name, substitute(target["expr"])))
    return out


def alert_rules(rules: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    rules = rules or load_rules()
    return [rule for group in rules["groups"] for rule in group["rules"] if "alert" in rule]


def rule_operands(rules: dict[str, Any] | None = None) -> list[Expr]:
    out = []
    for rule in alert_rules(rules):
        parts = operands(rule["expr"])
        for n, part in enumerate(parts, 1):
            out.append(Expr(f"{rule['alert']} [{n}/{len(parts)}]", part))
    return out


def operands(expr: str) -> list[str]:
    """Top-level operands of ``and``/``or``/``unless``, each without a trailing threshold."""
    parts, depth, start, i, quote = [], 0, 0, 0, ""
    while i < len(expr):
        c = expr[i]
        if quote:
            if c == "\\":
                i += 1
            elif c == quote:
                quote = ""
        elif c in "\"'`":
            quote = c
        elif c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif depth == 0 and (i == 0 or not (expr[i - 1].isalnum() or expr[i - 1] == "_")):
            match = _SET_OPERATOR.match(expr, i)
            if match:
                parts.append(expr[start:i])
                start = i = match.end()
                continue
        i += 1
    parts.append(expr[start:])
    return [_strip_threshold(p.strip()) for p in parts]


def _strip_threshold(part: str) -> str:
    match = _THRESHOLD.search(part)
    if match is None:
        return part
    head = part[: match.start()]
    # Only a comparison at the top level: the brackets before it must all be closed.
    depth = sum(head.count(o) - head.count(c) for o, c in ("()", "[]", "{}"))
    return head.strip() if depth == 0 else part


def metric_names(expr: str) -> set[str]:
    """The metric names an expression reads (wirewatch_* and ``up``)."""
    without_strings = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
    return set(_NAME.findall(without_strings))

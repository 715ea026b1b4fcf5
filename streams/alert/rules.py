"""Alert rules as data: load a YAML rule file (docs/rules.md), evaluate it on tagged articles.

The pieces: ``yamltree`` (YAML with line numbers, ``RuleError``), ``conditions`` (leaves and
combinators), ``severity`` (escalation and reasons), ``ruleset`` (rules and matching),
``parse`` (file to RuleSet). This module is the entry point the pipeline imports.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

from .parse import parse_tree, sections
from .ruleset import Rule, RuleMatch, RuleSet
from .severity import SEVERITIES
from .yamltree import Invalid, RuleError, Y, compose, rule_error

__all__ = [
    "SEVERITIES",
    "Rule",
    "RuleError",
    "RuleMatch",
    "RuleSet",
    "default_rules_text",
    "load_rules",
    "parse_rules",
]


def default_rules_text() -> tuple[str, str]:
    """The packaged rule file's text and its path (for messages)."""
    resource = resources.files("streams.alert").joinpath("rules.yaml")
    return resource.read_text("utf-8"), str(resource)


@lru_cache(maxsize=1)
def _packaged_sections() -> dict[str, Y]:
    return sections(default_rules_text()[0])


def parse_rules(text: str, source: str = "<string>") -> RuleSet:
    """Rules from YAML text; ``source`` names the file in error messages."""
    try:
        return parse_tree(compose(text), source, _packaged_sections)
    except Invalid as exc:
        raise rule_error(source, exc.problem, exc.line) from None


@lru_cache(maxsize=1)
def _packaged_rules() -> RuleSet:
    return parse_rules(*default_rules_text())


def load_rules(path: str | Path | None = None) -> RuleSet:
    """Rules from ``path``, or the packaged default file when ``path`` is None.

    The packaged set is parsed once per process (rule sets are immutable); a file is read
    afresh on every call, which is what a reload wants.
    """
    if path is None:
        return _packaged_rules()
    try:
        text = Path(path).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problem = f"cannot read rules file: {exc.__class__.__name__}: {exc}"
        raise rule_error(str(path), problem) from exc
    return parse_rules(text, str(path))

"""YAML with line numbers, and the one-line ``RuleError``.

Analysts edit rule files by hand, so every error names the file and line. ``yaml.compose``
keeps each node's start mark; we turn the node tree into ``Y`` values that carry it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml


class RuleError(ValueError):
    """A rules file that cannot be used; ``str()`` is ``"<file>:<line>: <problem>"``."""


class Invalid(Exception):
    """A problem at a line of the file being parsed; becomes a RuleError naming the file."""

    def __init__(self, problem: str, line: int | None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.line = line


def rule_error(source: str, problem: str, line: int | None = None) -> RuleError:
    where = f"{source}:{line}" if line else source
    return RuleError(f"{where}: " + " ".join(problem.split()))  # always one line


@dataclass(frozen=True)
class Y:
    """A YAML value (``dict[str, Y]``, ``list[Y]`` or a scalar) and the line it starts on."""

    value: Any
    line: int

    def mapping(self, what: str) -> dict[str, Y]:
        if not isinstance(self.value, dict):
            raise Invalid(f"{what} must be a mapping", self.line)
        return self.value

    def items(self, what: str) -> list[Y]:
        if not isinstance(self.value, list):
            raise Invalid(f"{what} must be a list", self.line)
        return self.value

    def strings(self, what: str) -> list[str]:
        """A list of non-empty strings; a single string is accepted as a list of one."""
        items = [self] if isinstance(self.value, str) else self.items(what)
        out = []
        for item in items:
            if not isinstance(item.value, str) or not item.value.strip():
                raise Invalid(f"{what} must be a list of non-empty strings", item.line)
            out.append(item.value.strip())
        return out

    def number(self, what: str, low: float | None = None, high: float | None = None) -> float:
        ok = isinstance(self.value, int | float) and not isinstance(self.value, bool)
        if ok and low is not None and self.value < low:
            ok = False
        if ok and high is not None and self.value > high:
            ok = False
        if not ok:
            span = f" from {low:g} to {high:g}" if high is not None else f" >= {low:g}"
            raise Invalid(f"{what} must be a number{span if low is not None else ''}", self.line)
        return float(self.value)

    def whole(self, what: str) -> int:
        if type(self.value) is not int or self.value < 0:
            raise Invalid(f"{what} must be a whole number >= 0", self.line)
        return self.value

    def flag(self, what: str) -> bool:
        if not isinstance(self.value, bool):
            raise Invalid(f"{what} must be true or false", self.line)
        return self.value


def check_keys(node: dict[str, Y], known: tuple[str, ...], what: str) -> None:
    for key, value in node.items():
        if key not in known:
            raise Invalid(f"{what}: unknown key {key!r} (known: {', '.join(known)})", value.line)


def _tree(node: yaml.Node, loader: yaml.SafeLoader) -> Y:
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Y] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node)
            if not isinstance(key, str):
                raise Invalid(f"keys must be strings, got {key!r}", key_node.start_mark.line + 1)
            if key in out:
                raise Invalid(f"duplicate key {key!r}", key_node.start_mark.line + 1)
            value = _tree(value_node, loader)
            # A key's problems are reported at the key, which is where a reader looks.
            out[key] = Y(value.value, key_node.start_mark.line + 1)
        return Y(out, line)
    if isinstance(node, yaml.SequenceNode):
        return Y([_tree(item, loader) for item in node.value], line)
    return Y(loader.construct_object(node), line)


def compose(text: str) -> Y:
    """The document as a ``Y`` tree; raises Invalid on syntax errors or duplicate keys."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        if node is None:
            raise Invalid("the file is empty", None)
        return _tree(node, yaml.SafeLoader(""))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "syntax error"
        raise Invalid(f"invalid YAML: {problem}", mark.line + 1 if mark else None) from exc
    except yaml.YAMLError as exc:
        raise Invalid(f"invalid YAML: {exc}", None) from exc

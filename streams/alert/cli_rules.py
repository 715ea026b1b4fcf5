"""``wirewatch rules check FILE`` and ``wirewatch rules publish FILE``: one line each."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from ..settings import Settings, SettingsError
from .reload import publish_rules, rules_topic
from .rules import RuleError, load_rules


def _error(message: str) -> int:
    print(f"wirewatch: error: {message}", file=sys.stderr)
    return 2


def cmd_rules_check(path: str | Path) -> int:
    """0 and a summary if the rule file loads; 2 and its one-line error if not."""
    try:
        rules = load_rules(path)
    except RuleError as exc:
        return _error(str(exc))
    print(f"{path}: ok: {len(rules)} rules, {len(rules.watchlists)} watchlists")
    return 0


def cmd_rules_publish(settings: Settings, path: str | Path) -> int:
    """Check the file, then publish it to the ``rules`` topic every worker follows."""
    from aiokafka.errors import KafkaError

    try:
        rules = asyncio.run(publish_rules(settings, path))
    except (RuleError, SettingsError) as exc:
        return _error(str(exc))
    except KafkaError as exc:
        return _error(f"Kafka: {exc}")
    print(f"{path}: published {len(rules)} rules to {rules_topic(settings)}")
    return 0

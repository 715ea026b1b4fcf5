"""A broken rule file fails with one line: ``<file>:<line>: <problem>``."""

from __future__ import annotations

from pathlib import Path

import pytest

from streams.alert.rules import RuleError, load_rules

HEAD = (
    "version: 2\nwatchlists:\n  wl: {entities: [Wagner Group]}\nrules:\n"  # rules start at line 5
)
OK = "  - name: ok\n    severity: low\n    when: {event_type: [Battles]}\n"  # lines 5-7


@pytest.mark.parametrize(
    ("body", "line", "problem"),
    [
        # syntax error: the unclosed flow sequence is reported where the parser gave up
        (
            OK + "  - name: bad\n    severity: low\n    when: {event_type: [Battles}\n",
            10,
            "invalid YAML",
        ),
        (
            OK + "  - name: bad\n    severity: low\n    colour: red\n    when: {topics: [crime]}\n",
            10,
            "rule 'bad': unknown key 'colour'",
        ),
        (
            OK + "  - name: bad\n    severity: low\n    when:\n      watchlist: nope\n",
            11,
            "unknown watchlist 'nope' (known: wl)",
        ),
        (
            OK + "  - name: bad\n    severity: urgent\n    when: {topics: [crime]}\n",
            9,
            "rule 'bad': severity must be one of critical, high, medium, low, got 'urgent'",
        ),
        (
            OK + "  - name: bad\n    severity: low\n    when:\n      all:\n"
            "        - event_type: [Skirmish]\n",
            12,
            "unknown event type 'Skirmish'",
        ),
        (
            OK + "  - name: bad\n    severity: low\n    when: {min_killed: many}\n",
            10,
            "min_killed must be a whole number",
        ),
        (
            OK + "  - name: ok\n    severity: low\n    when: {topics: [crime]}\n",
            8,
            "rule 'ok' is defined twice",
        ),
        (OK + "  - severity: low\n    when: {topics: [crime]}\n", 8, "rule without a name"),
        (
            OK + "  - name: bad\n    severity: low\n    when: {sub_type: [Skirmish]}\n",
            10,
            "unknown sub-type 'Skirmish'",
        ),
        (
            OK + "  - name: bad\n    severity: low\n    when: {countries: [Mali]}\n",
            10,
            "'Mali' is not an ISO 3166-1 alpha-2 code",
        ),
        (
            OK + "  - name: bad\n    severity: low\n    when: {colour: red}\n",
            10,
            "unknown condition 'colour'",
        ),
        (
            OK + "  - name: bad\n    severity: low\n    when:\n      any: []\n",
            11,
            "any needs at least one condition",
        ),
        (
            OK + "  - name: bad\n    severity: low\n    when:\n"
            "      near: {lat: 95, lon: 0, radius_km: 5}\n",
            11,
            "lat must be a number",
        ),
        (
            OK + "  - name: bad\n    severity: low\n    when:\n"
            "      near: {place: Xyzzyville, radius_km: 5}\n",
            11,
            "no coordinates known for place 'Xyzzyville'",
        ),
        (
            OK + "  - name: bad\n    severity: high\n    max_severity: low\n"
            "    when: {topics: [crime]}\n",
            10,
            "max_severity is below severity",
        ),
        (
            OK + "  - name: bad\n    severity: low\n    when: {topics: [crime]}\n"
            "    severity: high\n",
            11,
            "duplicate key 'severity'",
        ),
        (
            OK + "  - name: bad\n    severity: low\n    when: {min_confidence: 2}\n",
            10,
            "min_confidence must be a number from 0 to 1",
        ),
        (
            OK + "  - name: bad\n    severity: low\n    when:\n"
            "      watchlist: {name: wl, most: 2}\n",
            11,
            "unknown key 'most'",
        ),
    ],
)
def test_broken_rule_files(tmp_path: Path, body: str, line: int, problem: str) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(HEAD + body, "utf-8")
    with pytest.raises(RuleError) as info:
        load_rules(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{path}:{line}: "), message
    assert problem in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ": the file is empty"),
        ("- just a list\n", ":1: a rules file must be a mapping"),
        ("version: 1\nrules: []\n", ":1: version 1 is not supported"),
        ("rules: []\n", ":1: no rules defined"),
        ("rules:\n  - {name: a, severity: low, when: {}}\n", ":2: rule 'a': when: empty condition"),
        ("colour: red\nrules: []\n", ":1: rules file: unknown key 'colour'"),
        ("watchlists:\n  w: {people: [X]}\nrules: []\n", ":2: watchlist 'w': unknown key 'people'"),
        ("severity:\n  killed:\n    - {at_least: 5}\nrules: []\n", ":3: severity: killed step"),
        ("great_powers:\n  countries: {Russia: {}}\nrules: []\n", ":2: great_powers: countries"),
        ("rules: {a: 1}\n", ":1: rules must be a list"),
        ("defaults: {min_conf: 1}\nrules: []\n", ":1: defaults: unknown key 'min_conf'"),
    ],
)
def test_file_level_problems(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(text, "utf-8")
    with pytest.raises(RuleError) as info:
        load_rules(path)
    assert str(info.value).startswith(f"{path}{expected}"), str(info.value)


def test_missing_and_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(RuleError, match=r"nope\.yaml: cannot read rules file"):
        load_rules(tmp_path / "nope.yaml")
    binary = tmp_path / "bin.yaml"
    binary.write_bytes(b"\xff\xfe rules")
    with pytest.raises(RuleError, match="UnicodeDecodeError"):
        load_rules(binary)


def test_the_packaged_file_loads() -> None:
    rules = load_rules()
    assert rules.source.endswith("rules.yaml") and len(rules) >= 9

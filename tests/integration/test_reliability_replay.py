"""The same input replayed from offset 0 gives the same alerts, ids and versions.

``wirewatch replay`` copies the clean run's ``articles.raw`` (the whole corpus, partition by
partition) into a fresh namespace and runs it again with a new consumer group and empty
state: a backlog, where the live run saw a trickle. The alerts must be the same.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from streams.brokers.process import BrokerProcess
from streams.replay import replay

from .faults import baseline
from .workload import corpus

pytestmark = [pytest.mark.integration, pytest.mark.reliability]


def test_replay_from_offset_zero_gives_the_same_alerts(
    broker: BrokerProcess, tmp_path_factory: pytest.TempPathFactory
) -> None:
    clean = baseline(broker, tmp_path_factory, corpus())
    expected = set(clean.observed.alert_messages)
    notes: list[str] = []
    settings = clean.settings.with_(data_dir=Path(tmp_path_factory.mktemp("replay")))
    result = replay(settings, notes.append, within=150)
    print("\n".join([*notes, result.describe()]))
    assert result.articles == len(clean.ids), "the replay did not copy every article"
    assert result.original == expected, "replay read other alerts than the clean run raised"
    assert result.replayed == expected, result.describe()
    assert len(expected) > 100

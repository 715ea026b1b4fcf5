from streams.spikes import SpikeRule, keys_for, load_spike_rules, observe

HOUR = 3600.0
RULE = SpikeRule(
    "spike",
    "country",
    HOUR,
    baseline_windows=24,
    factor=5,
    baseline_floor=1,
    min_articles=10,
    severity="medium",
)


def test_quiet_key_needs_min_articles_and_fires_once() -> None:
    counts: dict[str, dict[str, int]] = {}
    fired = [observe(counts, RULE, "ML", 10 * HOUR + i) for i in range(15)]
    spikes = [s for s in fired if s]
    assert len(spikes) == 1
    assert spikes[0].count == 10
    assert (
        spikes[0].reason()
        == "ML: 10.0× normal coverage in the last hour (10 articles vs 1.0 baseline)"
    )


def test_baseline_raises_the_bar() -> None:
    counts: dict[str, dict[str, int]] = {}
    for hour in range(24):  # 4 articles every hour for a day: baseline 4/h
        for i in range(4):
            assert observe(counts, RULE, "UA", hour * HOUR + i) is None
    fired = [observe(counts, RULE, "UA", 24 * HOUR + i) for i in range(25)]
    [spike] = [s for s in fired if s]
    assert spike.count == 20 and spike.baseline == 4.0
    assert spike.reason().startswith("UA: 5.0× normal coverage")


def test_counts_stay_bounded() -> None:
    counts: dict[str, dict[str, int]] = {}
    for hour in range(200):
        observe(counts, RULE, "ML", hour * HOUR)
    assert len(counts) == 1
    assert len(counts["spike|ML"]) <= RULE.baseline_windows + 1


def test_keys_and_packaged_rules() -> None:
    tagged = {
        "countries": ["ML", "RU", "ML"],
        "entities": [
            {"id": "x", "name": "Wagner Group", "type": "organization"},
            {"id": None, "name": "Someone Unlinked", "type": "person"},
            {"id": "Q1", "name": "Mali", "type": "country"},
        ],
    }
    rules = {r.by: r for r in load_spike_rules()}
    assert keys_for(rules["country"], tagged) == ["ML", "RU"]
    assert keys_for(rules["entity"], tagged) == ["Wagner Group"]

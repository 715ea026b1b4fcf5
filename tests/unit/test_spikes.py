from streams.spikes import SEEN_CAP, SEEN_SLACK, SpikeRule, keys_for, load_spike_rules, observe

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
    fired = [observe(counts, RULE, "ML", 10 * HOUR + i, f"a{i}") for i in range(15)]
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
            assert observe(counts, RULE, "UA", hour * HOUR + i, f"a{hour}-{i}") is None
    fired = [observe(counts, RULE, "UA", 24 * HOUR + i, f"b{i}") for i in range(25)]
    [spike] = [s for s in fired if s]
    assert spike.count == 20 and spike.baseline == 4.0
    assert spike.reason().startswith("UA: 5.0× normal coverage")


def test_counts_stay_bounded() -> None:
    counts: dict[str, dict[str, int]] = {}
    for hour in range(200):
        for i in range(SEEN_CAP + 50):
            observe(counts, RULE, "ML", hour * HOUR + i, f"a{hour}-{i}")
    assert len(counts) == 1
    entry = counts["spike|ML"]
    assert len(entry["n"]) <= RULE.baseline_windows + 1
    assert len(entry["seen"]) <= 2  # the latest two windows' ids
    assert all(SEEN_CAP <= len(ids) <= SEEN_CAP + SEEN_SLACK for ids in entry["seen"].values())


def test_a_repeat_of_any_of_the_latest_articles_counts_nothing() -> None:
    counts: dict[str, dict[str, int]] = {}
    total = SEEN_CAP + SEEN_SLACK + 7  # just past a trim
    for i in range(total):
        observe(counts, RULE, "ML", i, f"a{i}")
    before = counts["spike|ML"]["n"]
    for i in range(total - SEEN_CAP, total):
        observe(counts, RULE, "ML", i, f"a{i}")
    assert counts["spike|ML"]["n"] == before
    observe(counts, RULE, "ML", 0, "a0")  # trimmed long ago: counted again
    assert counts["spike|ML"]["n"] != before


def test_an_article_applied_again_is_not_counted_twice() -> None:
    """After a crash the story stage may apply an article again whose count landed."""
    counts: dict[str, dict[str, object]] = {}
    for i in range(8):
        assert observe(counts, RULE, "ML", HOUR + i, f"a{i}") is None
    for i in range(8):  # the same eight again: a quiet key stays quiet
        assert observe(counts, RULE, "ML", HOUR + i, f"a{i}") is None
    assert observe(counts, RULE, "ML", HOUR + 8, "a8") is None
    spike = observe(counts, RULE, "ML", HOUR + 9, "a9")
    assert spike is not None and spike.count == 10
    # The crossing article again: the same spike (its alert may not have landed), and the
    # next article is the 11th, not a second crossing.
    again = observe(counts, RULE, "ML", HOUR + 9, "a9")
    assert again is not None and (again.count, again.baseline) == (10, 1.0)
    assert observe(counts, RULE, "ML", HOUR + 10, "a10") is None
    assert counts["spike|ML"]["n"] == {"1": 11}


def test_reads_counts_kept_before_ids_were() -> None:
    counts: dict[str, dict[str, object]] = {"spike|ML": {"1": 9}}
    spike = observe(counts, RULE, "ML", HOUR + 30, "x")
    assert spike is not None and spike.count == 10


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

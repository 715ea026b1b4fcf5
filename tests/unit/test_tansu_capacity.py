from streams.brokers.tansu import (
    PARTITION_BATCHES_BEFORE_STALL,
    capacity_warning,
    soak_capacity_warning,
)
from streams.settings import Settings


def test_no_warning_while_a_partition_is_far_from_the_stall() -> None:
    assert capacity_warning(0, "wirewatch.articles.matched") is None
    assert capacity_warning(PARTITION_BATCHES_BEFORE_STALL // 2, "t") is None


def test_a_partition_near_the_stall_gets_one_line_naming_the_way_out() -> None:
    line = capacity_warning(PARTITION_BATCHES_BEFORE_STALL - 1000, "wirewatch.articles.matched")
    assert line is not None and "\n" not in line
    assert "wirewatch.articles.matched" in line and "13,000" in line
    assert "WIREWATCH_BROKER" in line


def _minutes(line: str) -> float:
    return float(line.split("after ~")[1].split(" min")[0])


def test_a_soak_that_would_pass_the_stall_is_told_when() -> None:
    line = soak_capacity_warning(10, 50, tick_s=Settings().story_tick_s)
    assert line is not None and "--broker kafka" in line
    assert 3.5 < _minutes(line) < 4.5  # 14,000 records at 50 articles + 10 ticks a second


def test_at_a_low_rate_the_story_stage_ticks_fill_the_partition() -> None:
    line = soak_capacity_warning(60, 2, tick_s=Settings().story_tick_s)
    assert line is not None, "12 records a second pass 14,000 in 20 minutes"
    assert 18 < _minutes(line) < 21


def test_a_soak_that_stays_below_the_stall_is_not_warned() -> None:
    assert soak_capacity_warning(3, 50, tick_s=Settings().story_tick_s) is None
    assert soak_capacity_warning(10, 0, tick_s=Settings().story_tick_s) is None

from streams.brokers.tansu import PARTITION_BATCHES_BEFORE_STALL, capacity_warning


def test_no_warning_while_a_partition_is_far_from_the_stall() -> None:
    assert capacity_warning(0, "wirewatch.articles.matched") is None
    assert capacity_warning(PARTITION_BATCHES_BEFORE_STALL // 2, "t") is None


def test_a_partition_near_the_stall_gets_one_line_naming_the_way_out() -> None:
    line = capacity_warning(PARTITION_BATCHES_BEFORE_STALL - 1000, "wirewatch.articles.matched")
    assert line is not None and "\n" not in line
    assert "wirewatch.articles.matched" in line and "13,000" in line
    assert "WIREWATCH_BROKER" in line

from streams.redelivery import RedeliveryGuard


def test_an_offset_seen_again_is_a_repeat_per_partition() -> None:
    guard = RedeliveryGuard()
    assert [guard.is_repeat("t", 0, o) for o in (0, 1, 2)] == [False, False, False]
    # faust seeks back to the committed offset 1 and delivers 1 and 2 again
    assert [guard.is_repeat("t", 0, o) for o in (1, 2, 3)] == [True, True, False]
    assert guard.is_repeat("t", 1, 0) is False  # another partition has its own offsets
    assert guard.is_repeat("u", 0, 0) is False


def test_a_stray_high_offset_does_not_hide_the_ones_before_it() -> None:
    guard = RedeliveryGuard()
    assert guard.is_repeat("t", 0, 9) is False  # prefetched, delivered before the seek
    assert [guard.is_repeat("t", 0, o) for o in range(5, 11)] == [False] * 4 + [True, False]


def test_memory_is_bounded_to_the_newest_offsets() -> None:
    guard = RedeliveryGuard(remembered=3)
    for offset in range(5):
        guard.is_repeat("t", 0, offset)
    assert guard.is_repeat("t", 0, 4) is True
    assert guard.is_repeat("t", 0, 0) is False  # forgotten

from streams.reorder import ReorderBuffer


def test_releases_in_event_time_order_once_every_partition_has_passed() -> None:
    buf: ReorderBuffer[str] = ReorderBuffer(idle=10.0, sources=2)
    buf.add("b", event_time=2.0, key="b", now=0.0, source=0)
    assert buf.release(now=0.1) == []  # partition 1 may still deliver something earlier
    buf.add("a", event_time=1.0, key="a", now=0.2, source=1)
    assert buf.release(now=0.2) == ["a"]  # "b" waits: partition 1 has only passed 1.0
    buf.add("c", event_time=3.0, key="c", now=0.3, source=1)
    assert buf.release(now=0.3) == ["b"]
    assert len(buf) == 1


def test_a_silent_partition_stops_holding_the_others_back() -> None:
    buf: ReorderBuffer[str] = ReorderBuffer(idle=1.0, sources=3)
    buf.add("x", event_time=5.0, key="x", now=0.0, source=0)
    assert buf.release(now=0.5) == []  # partitions 1 and 2 never spoke, but may yet
    assert buf.release(now=1.0) == ["x"]  # they stayed silent for the idle time


def test_a_backlog_drained_partition_by_partition_comes_out_in_order() -> None:
    # A replay: faust drains partition 0 first; partition 1 follows 0.5 s later, inside
    # the idle time, with earlier events. Order holds, whatever the bursts.
    buf: ReorderBuffer[int] = ReorderBuffer(idle=1.0, sources=2)
    out: list[int] = []
    for i, t in enumerate(range(0, 20, 2)):
        buf.add(t, event_time=float(t), key=str(t), now=i * 0.01, source=0)
        out += buf.release(now=i * 0.01)
    for i, t in enumerate(range(1, 20, 2)):
        buf.add(t, event_time=float(t), key=str(t), now=0.5 + i * 0.01, source=1)
        out += buf.release(now=0.5 + i * 0.01)
    out += buf.release(now=5.0)
    assert out == list(range(20))


def test_ties_on_event_time_break_by_key_and_drain_keeps_order() -> None:
    buf: ReorderBuffer[str] = ReorderBuffer(idle=0.0, sources=1)
    for key in ("z", "m", "a"):
        buf.add(key, event_time=5.0, key=key, now=0.0, source=0)
    assert buf.drain() == ["a", "m", "z"]


def test_a_silent_partition_with_work_upstream_still_holds_the_others_back() -> None:
    """After a restart: partition 1's articles are still in the upstream stages' backlog."""
    upstream = {1: True}
    buf: ReorderBuffer[str] = ReorderBuffer(
        idle=1.0, sources=2, busy=lambda s: upstream.get(s, False), busy_for=30.0
    )
    buf.add("late", event_time=5.0, key="late", now=0.0, source=0)
    assert buf.release(now=3.0) == []  # silent past the idle time, but not idle
    buf.add("early", event_time=2.0, key="early", now=3.5, source=1)
    assert buf.release(now=3.5) == ["early"]
    upstream[1] = False  # caught up: silence means idle again
    assert buf.release(now=5.0) == ["late"]


def test_busy_holds_back_only_so_long() -> None:
    buf: ReorderBuffer[str] = ReorderBuffer(idle=1.0, sources=2, busy=lambda s: True, busy_for=5.0)
    buf.add("x", event_time=5.0, key="x", now=0.0, source=0)
    assert buf.release(now=4.0) == []
    assert buf.release(now=6.0) == ["x"]  # partition 1 never came: a stale lag is no reason


def test_an_item_behind_one_released_is_late_by_its_event_time_gap() -> None:
    buf: ReorderBuffer[str] = ReorderBuffer(idle=1.0, sources=2)
    assert buf.late(1.0, "a") is None  # nothing released yet
    buf.add("b", event_time=5.0, key="b", now=0.0, source=0)
    assert buf.release(now=2.0) == ["b"]  # partition 1 stayed silent: idle
    assert buf.late(2.0, "a") == 3.0
    assert buf.late(5.0, "a") == 0.0  # a tie, but its key sorts first
    assert buf.late(5.0, "c") is None
    assert buf.late(6.0, "a") is None
    buf.add("a", event_time=2.0, key="a", now=2.1, source=1)
    assert buf.release(now=2.1) == ["a"]  # released at once, out of order
    assert buf.late(4.0, "x") == 1.0  # the latest released is still "b"


def test_a_hole_upstream_holds_everything_back_for_at_most_busy_for() -> None:
    hole = {1}
    buf: ReorderBuffer[str] = ReorderBuffer(
        idle=1.0, sources=2, busy_for=10.0, holed=lambda s: s in hole
    )
    buf.add("a", event_time=1.0, key="a", now=0.0, source=0)
    buf.add("b", event_time=2.0, key="b", now=0.0, source=1)
    buf.add("c", event_time=3.0, key="c", now=0.0, source=0)
    # Partition 1 has passed 2.0, but an article of its own before "b" was dropped upstream.
    assert buf.release(now=0.1) == []
    hole.clear()
    assert buf.release(now=0.2) == ["a", "b"]
    hole.add(0)
    buf.add("d", event_time=4.0, key="d", now=0.3, source=1)
    assert buf.release(now=5.0) == []
    # A hole never filled stops holding after busy_for (partition 0, silent, is idle by then).
    assert buf.release(now=15.1) == ["c", "d"]

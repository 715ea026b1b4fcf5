from streams.reorder import ReorderBuffer


def test_releases_in_event_time_order_after_the_hold() -> None:
    buf: ReorderBuffer[str] = ReorderBuffer(hold=0.1)
    buf.add("b", event_time=2.0, key="b", now=10.00)
    buf.add("a", event_time=1.0, key="a", now=10.05)  # arrived later, happened earlier
    assert buf.release(now=10.09) == []
    assert buf.release(now=10.10) == []  # "a" heads the queue and is still held
    assert buf.release(now=10.15) == ["a", "b"]
    assert len(buf) == 0


def test_ties_on_event_time_break_by_key() -> None:
    buf: ReorderBuffer[str] = ReorderBuffer(hold=0.0)
    for key in ("z", "m", "a"):
        buf.add(key, event_time=5.0, key=key, now=0.0)
    assert buf.release(now=0.0) == ["a", "m", "z"]


def test_drain_returns_everything_in_order() -> None:
    buf: ReorderBuffer[int] = ReorderBuffer(hold=60)
    buf.add(2, event_time=2, key="2", now=0)
    buf.add(1, event_time=1, key="1", now=0)
    assert buf.drain() == [1, 2]

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


def test_watermark_releases_before_the_hold_once_every_source_has_passed() -> None:
    buf: ReorderBuffer[str] = ReorderBuffer(hold=10.0, sources=2)
    buf.add("a", event_time=1.0, key="a", now=0.0, source=0)
    assert buf.release(now=0.0) == []  # source 1 not heard from: order not settled
    buf.add("c", event_time=3.0, key="c", now=0.0, source=0)
    buf.add("b", event_time=2.0, key="b", now=0.0, source=1)
    assert buf.watermark() == 2.0
    assert buf.release(now=0.0) == ["a", "b"]  # "c" may still be preceded from source 1
    buf.add("d", event_time=4.0, key="d", now=0.0, source=1)
    assert buf.release(now=0.0) == ["c"]
    assert buf.release(now=10.0) == ["d"]  # the hold still bounds the wait


def test_without_sources_only_the_hold_releases() -> None:
    buf: ReorderBuffer[str] = ReorderBuffer(hold=1.0)
    buf.add("a", event_time=1.0, key="a", now=0.0, source=0)
    assert buf.watermark() is None and buf.release(now=0.5) == []

from streams.acks import InOrderAcks


def test_items_are_released_in_arrival_order_only() -> None:
    acks: InOrderAcks[str] = InOrderAcks()
    held, tick, later = acks.add("article@0"), acks.add("tick@1"), acks.add("article@2")
    assert acks.done(tick) == []  # offset 0 is still held: acking 1 would let faust skip it
    assert acks.done(later) == []
    assert acks.done(held) == ["article@0", "tick@1", "article@2"]
    assert len(acks) == 0


def test_in_order_completion_releases_at_once() -> None:
    acks: InOrderAcks[int] = InOrderAcks()
    tickets = [acks.add(n) for n in range(3)]
    assert [acks.done(t) for t in tickets] == [[0], [1], [2]]


def test_a_gap_in_the_middle_holds_only_what_follows_it() -> None:
    acks: InOrderAcks[int] = InOrderAcks()
    a, b, c, d = (acks.add(n) for n in range(4))
    assert acks.done(a) == [0]
    assert acks.done(c) == [] and acks.done(d) == []
    assert len(acks) == 3
    assert acks.done(b) == [1, 2, 3]

from streams.alert.story_agent import holes_until_refilled
from streams.inflight import InFlight


def test_a_partition_stays_holed_until_its_refilled_article_is_read() -> None:
    now = [0.0]
    flight = InFlight("p.articles.matched", clock=lambda: now[0])
    hole = {0}
    holed = holes_until_refilled(lambda p: p in hole, flight)
    assert holed(0) and not holed(1)
    # The hole is read again: its article is sent here, then acked (the hole closes).
    flight.sent(0, b"refilled")
    hole.clear()
    assert holed(0), "its article is on its way"
    flight.sent(0, b"later")  # later sends do not prolong the hold
    flight.seen(0, b"refilled")
    assert not holed(0)
    assert not holed(0)


def test_a_refilled_article_never_read_here_stops_holding_after_the_in_flight_hold() -> None:
    now = [0.0]
    flight = InFlight("p.articles.matched", hold=5.0, clock=lambda: now[0])
    hole = {2}
    holed = holes_until_refilled(lambda p: p in hole, flight)
    assert holed(2)
    flight.sent(2, b"refilled")
    hole.clear()
    assert holed(2)
    now[0] = 6.0
    assert not holed(2)


def test_without_in_flight_tracking_a_filled_hole_holds_no_more() -> None:
    hole = {1}
    holed = holes_until_refilled(lambda p: p in hole, None)
    assert holed(1)
    hole.clear()
    assert not holed(1)

from prometheus_client import CollectorRegistry

from streams.metrics import Metrics


def test_bundle_registers_against_the_registry_it_is_given() -> None:
    registry = CollectorRegistry()
    m = Metrics(registry)
    m.processed.labels("tag").inc(3)
    m.dead_letters.labels("classify", "oversized").inc()
    m.end_to_end_seconds.observe(0.02)
    get = registry.get_sample_value
    assert get("wirewatch_articles_processed_total", {"stage": "tag"}) == 3
    assert get("wirewatch_dead_letters_total", {"stage": "classify", "reason": "oversized"}) == 1
    assert get("wirewatch_end_to_end_latency_seconds_bucket", {"le": "0.025"}) == 1
    assert get("wirewatch_end_to_end_latency_seconds_bucket", {"le": "0.01"}) == 0
    assert get("wirewatch_build_info", {"version": "0.1.0"}) == 1


def test_two_bundles_do_not_collide() -> None:
    Metrics(CollectorRegistry())
    Metrics(CollectorRegistry())

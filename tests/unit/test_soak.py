import pytest

from streams.bench.soak import slope_per_minute


def test_soak_slope_is_megabytes_a_minute() -> None:
    assert slope_per_minute([(t, 100 + t / 30) for t in range(0, 600, 10)]) == pytest.approx(2.0)
    assert slope_per_minute([(t, 200.0) for t in range(10)]) == 0.0
    assert slope_per_minute([(0, 1.0)]) == 0.0

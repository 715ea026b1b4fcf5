from pathlib import Path

import pytest

from streams.settings import Secret, Settings, SettingsError


def test_defaults_bind_metrics_to_loopback_and_need_no_broker() -> None:
    s = Settings.from_env({})
    assert s.broker is None
    assert (s.metrics_host, s.metrics_port) == ("127.0.0.1", 9464)
    assert s.processing_guarantee == "at_least_once"


def test_reads_prefixed_variables_with_types() -> None:
    s = Settings.from_env(
        {
            "WIREWATCH_BROKER": "kafka://a:9092;b:9093",
            "WIREWATCH_PARTITIONS": "12",
            "WIREWATCH_DATA_DIR": "/var/lib/ww",
            "WIREWATCH_TOPIC_PREFIX": "prod.",
            "OTHER": "ignored",
        }
    )
    assert s.bootstrap_servers == "a:9092,b:9093"
    assert s.faust_broker == ["kafka://a:9092", "kafka://b:9093"]
    assert s.partitions == 12
    assert s.data_dir == Path("/var/lib/ww")
    assert s.topic("alerts") == "prod.alerts"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"WIREWATCH_PARTITIONS": "many"}, "WIREWATCH_PARTITIONS must be an integer"),
        ({"WIREWATCH_PARTITIONS": "0"}, "WIREWATCH_PARTITIONS must be at least 1"),
        ({"WIREWATCH_METRICS_PORT": "70000"}, "WIREWATCH_METRICS_PORT must be 0..65535"),
        ({"WIREWATCH_PROCESSING_GUARANTEE": "maybe"}, "must be one of"),
        ({"WIREWATCH_TOPOLOGY": "star"}, "WIREWATCH_TOPOLOGY must be one of fused, chain"),
    ],
)
def test_bad_values_name_the_variable(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env(env)


def test_password_never_shows() -> None:
    s = Settings.from_env(
        {
            "WIREWATCH_SASL_PASSWORD": "hunter2",
            "WIREWATCH_BROKER": "h:1",
            "WIREWATCH_SASL_MECHANISM": "PLAIN",
        }
    )
    assert "hunter2" not in repr(s) and "hunter2" not in str(s.sasl_password)
    assert isinstance(s.sasl_password, Secret)
    assert s.kafka_client_params()["sasl_plain_password"] == "hunter2"


def test_to_env_round_trips_non_defaults() -> None:
    s = Settings(broker="h:1", partitions=3, topic_prefix="x.")
    env = s.to_env()
    assert env == {
        "WIREWATCH_BROKER": "h:1",
        "WIREWATCH_PARTITIONS": "3",
        "WIREWATCH_TOPIC_PREFIX": "x.",
    }
    assert Settings.from_env(env) == s

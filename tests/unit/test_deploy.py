"""deploy/ without servers: the compose file against the Compose Specification schema and the
shape a scaled-out stack needs; the dashboard, alert rules and k8s manifests against the
metrics and settings wirewatch really has, so neither side drifts unnoticed.

The Docker client here has no ``compose`` plugin and no engine, so ``docker compose config``
cannot run; the schema is vendored in tests/data (source in tests/data/README.md).
Prometheus itself (promtool, live queries) is exercised in
tests/integration/test_observability.py.
"""

from __future__ import annotations

import json
import re
from dataclasses import fields
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from prometheus_client import CollectorRegistry
from prometheus_client.metrics import MetricWrapperBase

from streams.metrics import Metrics
from streams.settings import PREFIX, Settings

from ..promql import (
    DEPLOY,
    Expr,
    alert_rules,
    dashboard_exprs,
    load_dashboard,
    metric_names,
    operands,
    panels,
)

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = DEPLOY / "docker-compose.yml"
SCHEMA = ROOT / "tests" / "data" / "compose-spec.schema.json"
_INTERPOLATION = re.compile(r"\$\{(\w+)(?::?-([^}]*))?\}")


def _compose_raw() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text())  # type: ignore[no-any-return]


def _interpolate(node: Any) -> Any:
    """``${VAR:-default}`` → default, as compose does with VAR unset."""
    if isinstance(node, dict):
        return {k: _interpolate(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_interpolate(v) for v in node]
    if isinstance(node, str):
        return _INTERPOLATION.sub(lambda m: m.group(2) or "", node)
    return node


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return _interpolate(_compose_raw())  # type: ignore[no-any-return]


def _known_metrics() -> dict[str, set[str]]:
    """Every sample name wirewatch can export, with its label names."""
    metrics = Metrics(CollectorRegistry())
    out: dict[str, set[str]] = {"up": {"job", "instance"}}
    for metric in vars(metrics).values():
        if not isinstance(metric, MetricWrapperBase):
            continue
        name, labels, kind = metric._name, set(metric._labelnames), metric._type
        if kind == "counter":
            out[f"{name}_total"] = labels
        elif kind == "histogram":
            out[f"{name}_bucket"] = labels | {"le"}
            out[f"{name}_count"] = out[f"{name}_sum"] = labels
        elif kind == "info":
            out[f"{name}_info"] = labels | {"version"}
        else:
            out[name] = labels
    return out


# --- compose ------------------------------------------------------------------------------


def test_compose_file_is_valid_against_the_compose_spec(compose: dict[str, Any]) -> None:
    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft7Validator.check_schema(schema)
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(compose), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


def test_the_schema_check_would_catch_a_mistake(compose: dict[str, Any]) -> None:
    broken = json.loads(json.dumps(compose))
    broken["services"]["worker"]["restart_policy"] = "always"  # not a service key
    schema = json.loads(SCHEMA.read_text())
    assert list(jsonschema.Draft7Validator(schema).iter_errors(broken))


def test_three_kraft_brokers_with_one_quorum(compose: dict[str, Any]) -> None:
    brokers = {n: s for n, s in compose["services"].items() if n.startswith("kafka-")}
    assert sorted(brokers) == ["kafka-1", "kafka-2", "kafka-3"]
    envs = [s["environment"] for s in brokers.values()]
    assert {e["KAFKA_NODE_ID"] for e in envs} == {1, 2, 3}
    assert len({e["CLUSTER_ID"] for e in envs}) == 1
    for name, env in zip(brokers, envs, strict=True):
        assert str(env["KAFKA_PROCESS_ROLES"]) == "broker,controller"
        assert env["KAFKA_ADVERTISED_LISTENERS"] == f"PLAINTEXT://{name}:9092"
        voters = env["KAFKA_CONTROLLER_QUORUM_VOTERS"].split(",")
        assert voters == [f"{n}@kafka-{n}:9093" for n in (1, 2, 3)]
        assert brokers[name]["image"].startswith("apache/kafka:4.")


def test_worker_scales_out_in_one_group(compose: dict[str, Any]) -> None:
    worker = compose["services"]["worker"]
    # --scale needs no fixed container name and no host port.
    assert "container_name" not in worker and "ports" not in worker
    env = worker["environment"]
    assert env["WIREWATCH_BROKER"] == "kafka-1:9092,kafka-2:9092,kafka-3:9092"
    assert env["WIREWATCH_METRICS_HOST"] == "0.0.0.0"
    assert env["WIREWATCH_REPLICATION_FACTOR"] == "3"
    assert env["WIREWATCH_PARTITIONS"] == "12"
    assert "${PARTITIONS:-12}" in COMPOSE.read_text()
    assert "${REPLICATION_FACTOR:-3}" in COMPOSE.read_text()
    assert worker["build"]["dockerfile"] == "deploy/Dockerfile"
    assert (COMPOSE.parent / worker["build"]["context"] / "deploy" / "Dockerfile").is_file()
    settings = {PREFIX + f.name.upper() for f in fields(Settings)}
    for service in ("worker", "seeder"):
        unknown = set(compose["services"][service]["environment"]) - settings
        assert not unknown, f"{service} sets variables wirewatch does not read: {unknown}"
    # Settings accepts them.
    Settings.from_env({k: str(v) for k, v in env.items()})


def test_seeder_is_a_one_shot_job_after_the_workers(compose: dict[str, Any]) -> None:
    seeder = compose["services"]["seeder"]
    assert seeder["restart"] == "no"
    assert seeder["command"][0] == "seed"
    assert seeder["depends_on"]["worker"]["condition"] == "service_healthy"


def test_every_dependency_and_mount_exists(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name, service in services.items():
        for dep in service.get("depends_on", []):
            assert dep in services, f"{name} depends on unknown service {dep}"
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("."):
                assert (COMPOSE.parent / source).exists(), f"{name} mounts missing {source}"
            else:
                assert source in compose["volumes"], f"{name} uses undeclared volume {source}"


def test_prometheus_finds_every_worker_replica_by_dns(compose: dict[str, Any]) -> None:
    config = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text())
    [job] = [j for j in config["scrape_configs"] if j["job_name"] == "wirewatch"]
    [sd] = job["dns_sd_configs"]
    assert sd["names"] == ["worker"] and sd["type"] == "A"
    assert str(sd["port"]) == compose["services"]["worker"]["environment"]["WIREWATCH_METRICS_PORT"]
    assert "./prometheus:/etc/prometheus:ro" in compose["services"]["prometheus"]["volumes"]
    for rule_file in config["rule_files"]:
        assert (DEPLOY / "prometheus" / rule_file.split("#")[0].strip()).is_file()


def test_grafana_is_provisioned_with_the_datasource_and_dashboard(
    compose: dict[str, Any],
) -> None:
    grafana = compose["services"]["grafana"]
    mounts = dict(v.rsplit(":", 1)[0].split(":", 1) for v in grafana["volumes"] if ":ro" in v)
    assert mounts["./grafana/provisioning"] == "/etc/grafana/provisioning"
    datasources = yaml.safe_load(
        (DEPLOY / "grafana/provisioning/datasources/prometheus.yml").read_text()
    )
    [source] = datasources["datasources"]
    assert source["type"] == "prometheus" and source["url"] == "http://prometheus:9090"
    providers = yaml.safe_load(
        (DEPLOY / "grafana/provisioning/dashboards/wirewatch.yml").read_text()
    )
    [provider] = providers["providers"]
    assert mounts["./grafana/dashboards"] == provider["options"]["path"]


# --- dashboard and alert rules --------------------------------------------------------------


def test_dashboard_reads_only_metrics_and_labels_wirewatch_has() -> None:
    known = _known_metrics()
    exprs = dashboard_exprs() + [Expr(r["alert"], r["expr"]) for r in alert_rules()]
    for item in exprs:
        names = item.metrics()
        assert names, f"{item.name} reads no wirewatch metric: {item.expr}"
        unknown = names - set(known)
        assert not unknown, f"{item.name}: unknown metrics {unknown}"
        labels = set().union(*(known[n] for n in names)) | {"job", "instance"}
        used = set(re.findall(r"\b(?:by|without)\s*\(([^)]*)\)", item.expr))
        used_labels = {lb.strip() for group in used for lb in group.split(",") if lb.strip()}
        used_labels |= set(re.findall(r"(\w+)\s*(?:=~|!~|!=|=)\s*\"", item.expr))
        assert used_labels <= labels, f"{item.name}: unknown labels {used_labels - labels}"


def test_dashboard_has_the_panels_the_issue_asks_for() -> None:
    dashboard = load_dashboard()
    by_title = {p["title"]: p for p in panels(dashboard)}
    exprs = " ".join(e.expr for e in dashboard_exprs())
    for metric in (
        "wirewatch_articles_processed_total",
        "wirewatch_end_to_end_latency_seconds_bucket",
        "wirewatch_stage_duration_seconds_bucket",
        "wirewatch_consumer_lag",
        "wirewatch_alerts_total",
        "wirewatch_dead_letters_total",
        "wirewatch_alerts_by_country_total",
    ):
        assert metric in exprs
    for q in ("0.5", "0.95", "0.99"):
        assert f"histogram_quantile({q}," in exprs
    assert "by (severity)" in exprs and "by (rule, severity)" in exprs
    [geomap] = [p for p in by_title.values() if p["type"] == "geomap"]
    [layer] = geomap["options"]["layers"]
    assert layer["location"] == {
        "mode": "lookup",
        "lookup": "country",
        "gazetteer": "public/gazetteer/countries.json",
    }
    assert "by (country)" in geomap["targets"][0]["expr"]


def test_dashboard_layout_is_well_formed() -> None:
    dashboard = load_dashboard()
    ids = [p["id"] for p in panels(dashboard)]
    assert len(ids) == len(set(ids))
    for panel in panels(dashboard):
        grid = panel["gridPos"]
        assert grid["x"] >= 0 and grid["x"] + grid["w"] <= 24, panel["title"]
        if panel["type"] != "row":
            assert panel["datasource"]["uid"] == "${datasource}", panel["title"]
            assert panel["targets"], panel["title"]
    names = {v["name"] for v in dashboard["templating"]["list"]}
    assert names == {"datasource", "job", "instance"}


def test_alert_rules_are_the_four_the_issue_names() -> None:
    rules = {r["alert"]: r for r in alert_rules()}
    assert set(rules) == {
        "WirewatchLagGrowing",
        "WirewatchDeadLetterRate",
        "WirewatchPipelineStalled",
        "WirewatchWorkerDown",
    }
    assert "up{" in rules["WirewatchWorkerDown"]["expr"]
    for rule in rules.values():
        assert rule["labels"]["severity"] in ("warning", "critical")
        assert rule["annotations"]["summary"]


@pytest.mark.parametrize(
    ("expr", "parts"),
    [
        ('up{job="w"} == 0', ['up{job="w"}']),
        ("sum(a) > 1000\nand\nsum(deriv(a[10m])) > 0", ["sum(a)", "sum(deriv(a[10m]))"]),
        ("sum(rate(d[5m])) / sum(rate(r[5m])) > 0.05", ["sum(rate(d[5m])) / sum(rate(r[5m]))"]),
        ('x{s="and"} or y', ['x{s="and"}', "y"]),
        ("sum by (band) (x) unless on() (y > 2)", ["sum by (band) (x)", "on() (y > 2)"]),
        ("histogram_quantile(0.9, x) >= bool 1e-3", ["histogram_quantile(0.9, x)"]),
    ],
)
def test_operands_drop_top_level_thresholds_only(expr: str, parts: list[str]) -> None:
    assert operands(expr) == parts


def test_metric_names_ignores_label_values() -> None:
    assert metric_names('up{job="wirewatch_x"} + wirewatch_a_total') == {"up", "wirewatch_a_total"}


# --- Kubernetes -----------------------------------------------------------------------------


def test_k8s_manifests_hold_a_worker_service_settings_and_a_seeder_job() -> None:
    docs = [
        d
        for path in sorted((DEPLOY / "k8s").glob("*.yaml"))
        if path.name != "kustomization.yaml"
        for d in yaml.safe_load_all(path.read_text())
        if d
    ]
    kinds = {(d["kind"], d["metadata"]["name"]) for d in docs}
    assert kinds == {
        ("ConfigMap", "wirewatch"),
        ("Deployment", "wirewatch-worker"),
        ("Service", "wirewatch-worker"),
        ("Job", "wirewatch-seeder"),
    }
    [config] = [d for d in docs if d["kind"] == "ConfigMap"]
    settings = {PREFIX + f.name.upper() for f in fields(Settings)}
    assert set(config["data"]) <= settings
    Settings.from_env(config["data"])
    [deployment] = [d for d in docs if d["kind"] == "Deployment"]
    [service] = [d for d in docs if d["kind"] == "Service"]
    pod = deployment["spec"]["template"]
    pod_labels = pod["metadata"]["labels"].items()
    assert deployment["spec"]["selector"]["matchLabels"].items() <= pod_labels
    assert service["spec"]["selector"].items() <= pod_labels
    [container] = pod["spec"]["containers"]
    assert container["ports"][0]["containerPort"] == int(config["data"]["WIREWATCH_METRICS_PORT"])
    kustomization = yaml.safe_load((DEPLOY / "k8s" / "kustomization.yaml").read_text())
    for resource in kustomization["resources"]:
        assert (DEPLOY / "k8s" / resource).is_file()

"""Observability on real servers: a worker on the real Apache Kafka broker, a real Prometheus
scraping it every second with the alerting rules loaded, and then

- every PromQL expression of the Grafana dashboard returns data (a non-empty result vector),
  with the dashboard variables set as Grafana sets them by default (see tests/promql.py);
- every alerting rule's measurements return data: each expression is split at its top-level
  ``and``/``or``/``unless`` and the trailing threshold comparison is dropped (``up == 0`` is
  asked as ``up``), because on a healthy pipeline the full alert expression is rightly empty;
- Prometheus loads and evaluates the rules without error, ``promtool check config`` and
  ``promtool check rules`` pass on deploy/prometheus/, and every dashboard expression parses;
- ``wirewatch report`` draws its PNG charts from this Prometheus.
"""

from __future__ import annotations

import asyncio
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from streams import topics
from streams.brokers.process import BrokerProcess
from streams.launcher import WorkerProcess
from streams.report import draw_report
from streams.seeder import publish, with_id
from streams.seeds import load_seed_dir
from streams.settings import Settings
from streams.watch import PipelineWatch

from ..promql import (
    ALERT_RULES,
    DEPLOY,
    JOB,
    Expr,
    alert_rules,
    dashboard_exprs,
    rule_operands,
)
from .conftest import fresh_settings
from .kafkaio import publish_raw
from .prometheus import PrometheusServer, promtool

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
REPEAT = 3  # copies of the seed articles per round


@dataclass
class Observed:
    settings: Settings
    prometheus: PrometheusServer
    exported: set[str]  # sample names the worker exports at the end of the run
    seconds: float


def _articles(round_: int) -> list[dict]:
    articles = load_seed_dir(SEEDS)
    if round_ > 1:  # same text (so stories grow and alerts are suppressed), new ids
        articles = [{**a, "id": f"{with_id(a)['id']}-round{round_}"} for a in articles]
    return articles


async def _round(settings: Settings, worker: WorkerProcess, round_: int) -> None:
    watch = PipelineWatch(settings)
    await watch.start()
    try:
        bad = f"not-json-{round_}"
        await publish_raw(settings, topics.RAW, [(bad.encode(), b"{this is not json")])
        ids = await publish(settings, _articles(round_), repeat=REPEAT)
        await watch.wait_for([*ids, bad], within=120, check=worker.check)
    finally:
        await watch.stop()


def _exported(port: int) -> set[str]:
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    return {s.name for f in text_string_to_metric_families(text) for s in f.samples}


@pytest.fixture(scope="module")
def observed(kafka: BrokerProcess, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Observed]:
    tmp = tmp_path_factory.mktemp("observability")
    started = time.monotonic()
    settings = fresh_settings(kafka, tmp)
    worker = WorkerProcess(settings, tmp / "worker.log").start()
    prometheus = PrometheusServer(
        tmp / "prometheus",
        [f"127.0.0.1:{settings.metrics_port}"],
        rule_files=[ALERT_RULES],
    )
    try:
        prometheus.start()
        # Two rounds a few scrapes apart, so counters rise between scrapes and rate() > 0.
        for round_ in (1, 2):
            asyncio.run(_round(settings, worker, round_))
            prometheus.wait_for_scrapes(JOB, samples=4 * round_)
        time.sleep(3)  # scrapes after the last article, and a rule evaluation on them
        yield Observed(
            settings, prometheus, _exported(settings.metrics_port), time.monotonic() - started
        )
    finally:
        prometheus.stop()
        assert worker.stop() is not None


def _assert_returns_data(observed: Observed, item: Expr) -> None:
    result = observed.prometheus.query(item.expr)
    if result:
        return
    missing = {m for m in item.metrics() if not any(s.startswith(m) for s in observed.exported)}
    pytest.fail(
        f"{item.name}: no data for {item.expr!r}"
        + (f" (the worker does not export {', '.join(sorted(missing))})" if missing else ""),
        pytrace=False,
    )


@pytest.mark.parametrize("item", dashboard_exprs(), ids=lambda e: e.name)
def test_dashboard_expression_returns_data(observed: Observed, item: Expr) -> None:
    _assert_returns_data(observed, item)


@pytest.mark.parametrize("item", rule_operands(), ids=lambda e: e.name)
def test_alert_rule_measurement_returns_data(observed: Observed, item: Expr) -> None:
    _assert_returns_data(observed, item)


def test_prometheus_loads_and_evaluates_the_alerting_rules(observed: Observed) -> None:
    groups = observed.prometheus.api("rules", type="alert")["groups"]
    loaded = {r["name"]: r for g in groups for r in g["rules"]}
    assert set(loaded) == {r["alert"] for r in alert_rules()}
    for name, rule in loaded.items():
        assert rule["health"] == "ok", f"{name}: {rule.get('lastError')}"
    # A healthy pipeline: the worker is up and nothing fires.
    firing = [a["labels"]["alertname"] for a in observed.prometheus.api("alerts")["alerts"]]
    assert "WirewatchWorkerDown" not in firing


def test_worker_is_up_and_every_stage_counted(observed: Observed) -> None:
    [up] = observed.prometheus.query(f'up{{job="{JOB}"}}')
    assert up["value"][1] == "1"
    stages = observed.prometheus.query(
        f'sum by (stage) (wirewatch_articles_processed_total{{job="{JOB}"}})'
    )
    assert {s["metric"]["stage"] for s in stages} >= {"classify", "tag", "alert"}


def test_promtool_checks_the_deploy_config_and_rules(tmp_path: Path) -> None:
    for config in ("prometheus.yml", "prometheus.local.yml"):
        result = promtool("check", "config", str(DEPLOY / "prometheus" / config))
        assert result.returncode == 0, result.stdout + result.stderr
    result = promtool("check", "rules", str(ALERT_RULES))
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SUCCESS: {len(alert_rules())} rules found" in result.stdout


def test_promtool_parses_every_dashboard_expression(tmp_path: Path) -> None:
    # promtool has no "check expression"; a recording rule per expression gets them parsed.
    rules = {
        "groups": [
            {
                "name": "dashboard",
                "rules": [
                    {"record": f"wirewatch:dashboard_{n}", "expr": e.expr}
                    for n, e in enumerate(dashboard_exprs())
                ],
            }
        ]
    }
    path = tmp_path / "dashboard-rules.yml"
    path.write_text(yaml.safe_dump(rules))
    result = promtool("check", "rules", str(path))
    assert result.returncode == 0, result.stdout + result.stderr


def test_report_draws_pngs_from_prometheus(observed: Observed, tmp_path: Path) -> None:
    minutes = max(1.0, observed.seconds / 60 + 0.5)
    paths = draw_report(observed.prometheus.url, tmp_path / "report", minutes)
    assert {p.name for p in paths} == {
        "throughput.png",
        "latency.png",
        "throughput-latency.png",
    }
    for path in paths:
        data = path.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n", path
        assert len(data) > 10_000, f"{path} is only {len(data)} bytes"

"""A real Prometheus server for tests: our own process on a free loopback port, scraping the
targets we give it every second, with the alerting rules loaded; stopped after.

The binaries come from Debian's ``prometheus`` package (``make system-deps`` installs it). The
package's systemd unit is irrelevant: there is no systemd here and we run our own process.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

import yaml

from streams.brokers.process import free_port, stop_group


class PrometheusError(RuntimeError):
    """Prometheus could not be found, started, or asked; the message says why."""


def find_binary(name: str) -> str:
    """``prometheus`` or ``promtool`` from PATH, else Debian's /usr/bin."""
    found = shutil.which(name)
    if found:
        return found
    debian = Path("/usr/bin") / name
    if debian.is_file() and os.access(debian, os.X_OK):
        return str(debian)
    raise PrometheusError(
        f"{name} is not installed: `make system-deps` installs it (Debian package prometheus)"
    )


def promtool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [find_binary("promtool"), *args], capture_output=True, text=True, timeout=60, check=False
    )


class PrometheusServer:
    """``PrometheusServer(workdir, targets=[...], rule_files=[...]).start()``; a context manager.

    Writes ``prometheus.yml`` into ``workdir`` (one job, ``job_name``, static targets, scraped
    and evaluated every ``interval``), keeps its TSDB and log there too.
    """

    def __init__(
        self,
        workdir: Path,
        targets: Sequence[str],
        *,
        rule_files: Sequence[Path] = (),
        job_name: str = "wirewatch",
        interval: str = "1s",
    ) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.config_path = workdir / "prometheus.yml"
        self.log_path = workdir / "prometheus.log"
        self.config: dict[str, Any] = {
            "global": {"scrape_interval": interval, "evaluation_interval": interval},
            "rule_files": [str(p.resolve()) for p in rule_files],
            "scrape_configs": [
                {"job_name": job_name, "static_configs": [{"targets": list(targets)}]}
            ],
        }
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    def start(self, timeout: float = 60.0) -> PrometheusServer:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.config_path.write_text(yaml.safe_dump(self.config, sort_keys=False))
        self._log = self.log_path.open("ab")
        self._proc = subprocess.Popen(
            [
                find_binary("prometheus"),
                f"--config.file={self.config_path}",
                f"--web.listen-address=127.0.0.1:{self.port}",
                f"--storage.tsdb.path={self.workdir / 'data'}",
                "--storage.tsdb.retention.time=1h",
            ],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise PrometheusError(
                    f"prometheus exited with code {self._proc.returncode} during start-up: "
                    f"{self.last_log_line()}"
                )
            with (
                contextlib.suppress(OSError),
                urllib.request.urlopen(f"{self.url}/-/ready", timeout=1) as response,
            ):
                if response.status == 200:
                    return self
            time.sleep(0.2)
        self.stop()
        raise PrometheusError(f"prometheus was not ready on {self.url} within {timeout:.0f}s")

    def last_log_line(self) -> str:
        with contextlib.suppress(OSError):
            lines = self.log_path.read_text(errors="replace").splitlines()
            if lines:
                return lines[-1][-300:]
        return f"(no output; see {self.log_path})"

    def api(self, path: str, **params: Any) -> Any:
        """GET ``/api/v1/<path>``; the ``data`` of a successful answer."""
        query = urllib.parse.urlencode(params)
        url = f"{self.url}/api/v1/{path}" + (f"?{query}" if query else "")
        try:
            with urllib.request.urlopen(url, timeout=15) as response:
                body = json.load(response)
        except urllib.error.HTTPError as exc:
            raise PrometheusError(
                f"{path} {params}: HTTP {exc.code}: {exc.read().decode(errors='replace')[:300]}"
            ) from None
        if body.get("status") != "success":
            raise PrometheusError(f"{path} {params}: {body.get('error')}")
        return body["data"]

    def query(self, expr: str) -> list[dict[str, Any]]:
        """An instant query; its result vector (empty when the expression has no data)."""
        data = self.api("query", query=expr)
        if data["resultType"] != "vector":
            raise PrometheusError(f"{expr!r} gives a {data['resultType']}, not a vector")
        return list(data["result"])

    def wait_for_scrapes(self, job: str, samples: int, timeout: float = 60.0) -> None:
        """Block until ``up{job}`` has ``samples`` points in the TSDB for every target."""
        deadline = time.monotonic() + timeout
        expr = f'min(count_over_time(up{{job="{job}"}}[5m]))'
        while time.monotonic() < deadline:
            result = self.query(expr)
            if result and float(result[0]["value"][1]) >= samples:
                return
            time.sleep(0.5)
        raise PrometheusError(f"prometheus did not scrape {job} {samples} times in {timeout}s")

    def stop(self, timeout: float = 20.0) -> None:
        proc, self._proc = self._proc, None
        stop_group(proc, timeout)
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> PrometheusServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

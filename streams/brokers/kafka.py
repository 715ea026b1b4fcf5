"""A real single-node Apache Kafka broker in KRaft mode, run from its Maven Central jars.

The jars are resolved once by Maven into a cache folder (git-ignored); each broker gets
its own log directory, formatted on first start and kept across restarts.
"""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import uuid
from importlib.resources import files
from pathlib import Path

from .process import BrokerError, BrokerProcess, free_port

DEFAULT_VERSION = "4.2.1"


def default_cache() -> Path:
    return Path(os.environ.get("WIREWATCH_CACHE", ".cache")).resolve()


def resolve_jars(version: str = DEFAULT_VERSION, cache: Path | None = None) -> Path:
    """Return a folder holding every jar the broker needs, downloading them on first use."""
    libs = (cache or default_cache()) / "kafka" / version / "libs"
    done = libs / ".complete"
    if done.exists():
        return libs
    if shutil.which("mvn") is None:
        raise BrokerError("Apache Kafka jars are not cached and Maven (mvn) is not installed")
    if shutil.which("java") is None:
        raise BrokerError("Apache Kafka needs Java 17+, and no java is on PATH")
    pom = files("streams.brokers").joinpath("kafka-pom.xml")
    shutil.rmtree(libs, ignore_errors=True)
    libs.mkdir(parents=True)
    result = subprocess.run(
        [
            "mvn",
            "-q",
            "-B",
            "-f",
            str(pom),
            "dependency:copy-dependencies",
            f"-DoutputDirectory={libs}",
            "-DincludeScope=runtime",
            f"-Dkafka.version={version}",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        tail = (result.stdout + result.stderr).strip().splitlines()[-1:] or ["no output"]
        raise BrokerError(f"Maven could not resolve Apache Kafka {version}: {tail[0]}")
    done.touch()
    return libs


class KafkaBroker(BrokerProcess):
    """``KafkaBroker(log_dir=...)``: formats the log directory once, then runs ``kafka.Kafka``."""

    name = "Apache Kafka"

    def __init__(
        self,
        log_dir: Path,
        version: str = DEFAULT_VERSION,
        host: str = "127.0.0.1",
        port: int | None = None,
        cache: Path | None = None,
        heap: str = "512m",
    ):
        super().__init__(host, port, log=log_dir / "broker.log")
        self.version = version
        self.log_dir = log_dir
        self.controller_port = free_port(host)
        self.cache = cache
        self.heap = heap
        self._libs: Path | None = None

    @property
    def properties_path(self) -> Path:
        return self.log_dir / "server.properties"

    def _java(self, main: str, *args: str) -> list[str]:
        assert self._libs is not None
        log4j = files("streams.brokers").joinpath("kafka-log4j2.yaml")
        return [
            "java",
            f"-Xmx{self.heap}",
            "-Xms128m",
            f"-Dlog4j2.configurationFile={log4j}",
            "-cp",
            f"{self._libs}/*",
            main,
            *args,
        ]

    def prepare(self) -> None:
        self._libs = resolve_jars(self.version, self.cache)
        data = self.log_dir / "data"
        if (data / "meta.properties").exists():
            return  # a restart keeps its log and its ports
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.properties_path.write_text(self._properties(data))
        # Kafka's own Uuid.randomUuid() never starts with '-': the storage tool's
        # argument parser takes such an id for an option (1 start in 64 failed).
        cluster_id = "-"
        while cluster_id.startswith("-"):
            cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        result = subprocess.run(
            self._java(
                "kafka.tools.StorageTool",
                "format",
                "--standalone",
                "-t",
                cluster_id,
                "-c",
                str(self.properties_path),
            ),
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise BrokerError(f"formatting the Kafka log directory failed: {result.stderr[-300:]}")

    def _properties(self, data: Path) -> str:
        h, p, c = self.host, self.port, self.controller_port
        return "\n".join(
            [
                "process.roles=broker,controller",
                "node.id=1",
                f"controller.quorum.bootstrap.servers={h}:{c}",
                f"listeners=PLAINTEXT://{h}:{p},CONTROLLER://{h}:{c}",
                f"advertised.listeners=PLAINTEXT://{h}:{p}",
                "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
                f"log.dirs={data}",
                "num.partitions=1",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=6",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "auto.create.topics.enable=false",
                "",
            ]
        )

    def command(self) -> list[str]:
        return self._java("kafka.Kafka", str(self.properties_path))

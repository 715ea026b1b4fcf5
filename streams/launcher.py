"""Start what a pipeline needs on this machine: the embedded broker when none is configured,
and a worker process; stop them in reverse order."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from .brokers.process import BrokerError, BrokerProcess, stop_group
from .brokers.tansu import TansuBroker
from .settings import Settings
from .topics import ensure_topics

Say = Callable[[str], None]


class WorkerError(RuntimeError):
    """The worker process stopped on its own; the message quotes its last log line."""


class WorkerProcess:
    """``wirewatch worker`` as a child process, its output in a log file."""

    def __init__(
        self,
        settings: Settings,
        log_path: Path,
        env: dict[str, str] | None = None,
        args: tuple[str, ...] = (),
    ):
        self.settings = settings
        self.log_path = log_path
        self.env = env
        self.args = args
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> WorkerProcess:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        env = {**(os.environ if self.env is None else self.env), **self.settings.to_env()}
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "streams", "worker", *self.args],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    def check(self) -> None:
        if self.proc is not None and self.proc.poll() is not None:
            raise WorkerError(
                f"the worker exited with code {self.proc.returncode}: {self.last_log_line()}"
            )

    def last_log_line(self) -> str:
        with contextlib.suppress(OSError):
            lines = [ln for ln in self.log_path.read_text(errors="replace").splitlines() if ln]
            if lines:
                return lines[-1][:300]  # an error line starts with what matters
        return f"(no output; see {self.log_path})"

    def signal(self, sig: int) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)

    def stop(self, timeout: float = 30.0) -> int | None:
        """SIGTERM (faust commits and flushes), then SIGKILL after ``timeout``."""
        return stop_group(self.proc, timeout)


class LocalPipeline:
    """Context manager: broker (embedded when ``settings.broker`` is unset) + one worker."""

    def __init__(self, settings: Settings, say: Say, log_dir: Path | None = None):
        self.settings = settings
        self.say = say
        self.log_dir = log_dir or settings.data_dir / "logs"
        self.broker: BrokerProcess | None = None
        self.worker: WorkerProcess | None = None

    def __enter__(self) -> LocalPipeline:
        try:
            if not self.settings.broker:
                self.say("starting the embedded broker (Tansu, in memory) …")
                broker = self.broker = TansuBroker(log=self.log_dir / "tansu.log").start()
                self.settings = self.settings.with_(broker=broker.bootstrap)
                self.say(f"embedded broker listening on {broker.bootstrap}")
            created = asyncio.run(_ensure(self.settings))
            if created:
                self.say(f"created topics: {', '.join(created)}")
            self.worker = WorkerProcess(self.settings, self.log_dir / "worker.log").start()
            self.say(
                f"worker started (pid {self.worker.proc.pid if self.worker.proc else '?'}); "
                f"metrics on http://{self.settings.metrics_host}:{self.settings.metrics_port}"
                f"/metrics; logs in {self.log_dir}"
            )
        except BaseException:
            self.close()
            raise
        return self

    def close(self) -> None:
        if self.worker is not None:
            self.say("stopping the worker …")
            self.worker.stop()
            self.worker = None
        if self.broker is not None:
            self.say("stopping the embedded broker …")
            self.broker.stop()
            self.broker = None

    def __exit__(self, *exc: object) -> None:
        self.close()


async def _ensure(settings: Settings) -> list[str]:
    deadline = time.monotonic() + 30
    while True:
        try:
            return await ensure_topics(settings)
        except Exception as exc:
            if time.monotonic() > deadline:
                raise BrokerError(
                    f"cannot reach Kafka at {settings.bootstrap_servers}: {exc}"
                ) from None
            await asyncio.sleep(0.5)

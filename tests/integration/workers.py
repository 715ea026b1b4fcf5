"""A worker the reliability tests can kill and restart (one consumer group and state over
successive processes), and its resident memory sampled."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

from streams.launcher import WorkerProcess
from streams.settings import Settings


class Worker:
    """One logical worker (one consumer group, one state) over successive processes."""

    def __init__(self, settings: Settings, log_dir: Path, env: dict[str, str] | None = None):
        self.settings, self.log_dir, self.env = settings, log_dir, env
        self.incarnations: list[WorkerProcess] = []
        self.started_at = 0.0  # wall-clock start of the current process
        self.starts: list[float] = []  # and of every process so far

    @property
    def current(self) -> WorkerProcess:
        return self.incarnations[-1]

    @property
    def pid(self) -> int:
        assert self.current.proc is not None
        return self.current.proc.pid

    def start(self) -> Worker:
        log = self.log_dir / f"worker-{len(self.incarnations) + 1}.log"
        self.started_at = time.time()
        self.starts.append(round(self.started_at, 3))
        self.incarnations.append(WorkerProcess(self.settings, log, env=self.env).start())
        return self

    def kill(self, sig: int = signal.SIGKILL, timeout: float = 20.0) -> int:
        """Send ``sig`` and wait for the exit code; SIGKILL and fail when it takes too long."""
        proc = self.current.proc
        assert proc is not None and proc.poll() is None, "the worker is not running"
        self.current.signal(sig)
        try:
            return proc.wait(timeout)
        except Exception:
            self.current.signal(signal.SIGKILL)
            proc.wait()
            raise AssertionError(
                f"the worker took over {timeout:.0f}s to stop on {signal.Signals(sig).name}; "
                f"its log ends:\n{self.log_tail(6)}"
            ) from None

    def check(self) -> None:
        self.current.check()

    def stop(self) -> int | None:
        return self.current.stop(timeout=20) if self.incarnations else None

    def lines_with(self, text: str) -> list[str]:
        """Every log line of every process so far that holds ``text``."""
        return [
            line[:400]
            for p in self.incarnations
            if p.log_path.exists()
            for line in p.log_path.read_text(errors="replace").splitlines()
            if text in line
        ]

    def log_tail(self, lines: int = 15) -> str:
        text = "".join(
            p.log_path.read_text(errors="replace") for p in self.incarnations if p.log_path.exists()
        )
        kept = [ln[:400] for ln in text.splitlines() if "producer buffer full" not in ln]
        return "\n".join(kept[-lines:])


class RssSampler:
    """Samples a process's resident set (VmRSS) in a thread until stopped."""

    def __init__(self, pid: int, every: float = 0.1) -> None:
        self.pid, self.every = pid, every
        self.samples: list[int] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            rss = rss_kib(self.pid)
            if rss is None:
                return
            self.samples.append(rss)
            self._stop.wait(self.every)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)

    @property
    def peak_mib(self) -> float:
        return max(self.samples, default=0) / 1024


def rss_kib(pid: int) -> int | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return None


def env_with(**extra: str) -> dict[str, str]:
    return {**os.environ, **extra}

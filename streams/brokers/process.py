"""Start a broker as a child process, wait until it accepts connections, stop it cleanly."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import IO


class BrokerError(RuntimeError):
    """A broker could not be started; the message says why in one line."""


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def port_open(host: str, port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.5):
        return True
    return False


def stop_group(proc: subprocess.Popen[bytes] | None, timeout: float = 20.0) -> int | None:
    """SIGTERM the child's process group, SIGKILL it after ``timeout``; return the exit code."""
    if proc is None:
        return None
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    return proc.returncode


class BrokerProcess:
    """A broker child process listening on ``host:port``; a context manager."""

    name = "broker"

    def __init__(self, host: str = "127.0.0.1", port: int | None = None, log: Path | None = None):
        self.host = host
        self.port = port or free_port(host)
        self.log_path = log
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def bootstrap(self) -> str:
        return f"{self.host}:{self.port}"

    def command(self) -> list[str]:
        raise NotImplementedError

    def prepare(self) -> None:
        """Work before the first start (downloads, formatting)."""

    def start(self, timeout: float = 60.0) -> BrokerProcess:
        self.prepare()
        out: int | IO[bytes] = subprocess.DEVNULL
        if self.log_path is not None:
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            self._log = out = self.log_path.open("ab")
        # Own process group: a Ctrl-C in the terminal reaches us, and we stop the broker in order.
        self._proc = subprocess.Popen(
            self.command(), stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise BrokerError(
                    f"{self.name} exited with code {self._proc.returncode} during start-up"
                    + (f"; see {self.log_path}" if self.log_path else "")
                )
            if port_open(self.host, self.port):
                return self
            time.sleep(0.1)
        self.stop()
        raise BrokerError(f"{self.name} did not listen on {self.bootstrap} within {timeout:.0f}s")

    def stop(self, timeout: float = 20.0) -> None:
        proc, self._proc = self._proc, None
        stop_group(proc, timeout)
        if self._log is not None:
            self._log.close()
            self._log = None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def __enter__(self) -> BrokerProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

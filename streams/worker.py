"""``wirewatch worker``: create the topics, serve metrics, run the faust agents until stopped."""

from __future__ import annotations

import asyncio
import logging
import signal

from faust import Worker

from . import memtrace
from .app import create_app
from .metrics import Metrics
from .settings import Settings
from .topics import ensure_topics
from .transactions import check_broker_has_transactions

log = logging.getLogger(__name__)


class _Worker(Worker):
    """faust's Worker; on SIGTERM/SIGINT the offsets faust dropped are read again and the
    story stage drains its reorder buffer, before faust's own stop."""

    async def _stop_on_signal(self, sig: signal.Signals) -> None:  # mode.Worker's hook
        settle = getattr(self.app, "wirewatch_settle", None)
        if settle is not None:
            await settle()
        drain = getattr(self.app, "wirewatch_drain", None)
        if drain is not None:
            await drain()
        await super()._stop_on_signal(sig)


def run_worker(settings: Settings, passthrough: bool = False) -> None:
    if settings.processing_guarantee == "exactly_once":
        asyncio.run(check_broker_has_transactions(settings))
    if settings.debug_trace_memory_s > 0:
        memtrace.Tracer(settings.debug_trace_memory_s)  # a daemon thread, to the end
    settings.data_dir.mkdir(parents=True, exist_ok=True)  # faust keeps table state under it
    asyncio.run(ensure_topics(settings))
    metrics = Metrics()
    port = metrics.serve(settings.metrics_host, settings.metrics_port)
    log.warning("metrics on http://%s:%d/metrics", settings.metrics_host, port)
    app = create_app(settings, metrics=metrics, passthrough=passthrough)
    # faust's Worker handles SIGINT/SIGTERM: agents stop, offsets commit, the producer flushes.
    worker = _Worker(app, loglevel=settings.log_level, quiet=True)
    # faust's terminal spinner sets the root logger to DEBUG so that it spins on every log
    # call: every debug line of aiokafka and faust gets formatted (~9% of the CPU) and the
    # log fills with terminal escapes. We have no terminal to spin on.
    worker.spinner = None
    worker.execute_from_commandline()

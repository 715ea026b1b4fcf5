"""``wirewatch worker``: create the topics, serve metrics, run the faust agents until stopped."""

from __future__ import annotations

import asyncio
import logging

from faust import Worker

from .app import create_app
from .metrics import Metrics
from .settings import Settings
from .topics import ensure_topics

log = logging.getLogger(__name__)


def run_worker(settings: Settings, passthrough: bool = False) -> None:
    settings.data_dir.mkdir(parents=True, exist_ok=True)  # faust keeps table state under it
    asyncio.run(ensure_topics(settings))
    metrics = Metrics()
    port = metrics.serve(settings.metrics_host, settings.metrics_port)
    log.warning("metrics on http://%s:%d/metrics", settings.metrics_host, port)
    app = create_app(settings, metrics=metrics, passthrough=passthrough)
    # faust's Worker handles SIGINT/SIGTERM: agents stop, offsets commit, the producer flushes.
    worker = Worker(app, loglevel=settings.log_level, quiet=True)
    # faust's terminal spinner sets the root logger to DEBUG so that it spins on every log
    # call: every debug line of aiokafka and faust gets formatted (~9% of the CPU) and the
    # log fills with terminal escapes. We have no terminal to spin on.
    worker.spinner = None
    worker.execute_from_commandline()

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


def run_worker(settings: Settings) -> None:
    asyncio.run(ensure_topics(settings))
    metrics = Metrics()
    port = metrics.serve(settings.metrics_host, settings.metrics_port)
    log.warning("metrics on http://%s:%d/metrics", settings.metrics_host, port)
    app = create_app(settings, metrics=metrics)
    # faust's Worker handles SIGINT/SIGTERM: agents stop, offsets commit, the producer flushes.
    Worker(app, loglevel=settings.log_level, quiet=True).execute_from_commandline()

"""The ``wirewatch`` command line."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from pathlib import Path
from typing import Any

import orjson

from . import __version__, topics

EPILOG = """\
settings come from WIREWATCH_* environment variables (see README): WIREWATCH_BROKER
(host:port[,host:port]; unset = `run` starts an embedded broker), WIREWATCH_METRICS_PORT
(9464), WIREWATCH_TOPIC_PREFIX, WIREWATCH_PARTITIONS, WIREWATCH_MAX_ARTICLE_BYTES, ...
"""


def say(message: str) -> None:
    print(f"wirewatch: {message}", file=sys.stderr, flush=True)


def default_seeds_dir() -> Path:
    here = Path("seeds")
    return here if here.is_dir() else Path(__file__).resolve().parent.parent / "seeds"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wirewatch",
        description="News articles in, analyst alerts out: a Kafka-native stream processor.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"wirewatch {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser(
        "run",
        help="start broker (if none configured), worker, seeder and alert printer",
        description="Everything a newcomer needs: an embedded broker when WIREWATCH_BROKER is "
        "unset, the worker, the seed articles, and the alerts as they come. Ctrl-C stops all.",
    )
    run.add_argument(
        "--once", action="store_true", help="exit 0 once every seed article has passed every stage"
    )
    run.add_argument(
        "--format",
        choices=["auto", "table", "jsonl"],
        default="auto",
        help="alerts as a table (default on a terminal) or JSON lines",
    )
    run.add_argument("--seeds", type=Path, default=None, help="seed folder (default: seeds/)")
    run.add_argument(
        "--timeout",
        type=float,
        default=120.0,
        help="with --once: give up after this many seconds (default 120)",
    )

    sub.add_parser(
        "worker",
        help="run the stream agents (classify, tag, alert) until stopped",
        description="Run the faust worker. SIGINT/SIGTERM stop it cleanly.",
    )

    seed = sub.add_parser(
        "seed",
        help="publish articles to articles.raw",
        description="Publish the seed articles (or a JSON-lines file).",
    )
    seed.add_argument("--file", type=Path, help="JSON lines, one article a line ('body' required)")
    seed.add_argument("--seeds", type=Path, default=None, help="seed folder (default: seeds/)")
    seed.add_argument("--repeat", type=int, default=1, help="publish everything N times")
    seed.add_argument("--rate", type=float, default=None, help="at most R articles per second")

    alerts = sub.add_parser(
        "alerts",
        help="read the alerts topic (now, or --follow what comes)",
        description="Print the alerts on the alerts topic and exit, or with --follow print new "
        "alerts as they come until Ctrl-C (add --from-beginning to start with the old ones). "
        "--webhook posts each one as JSON (Slack-compatible) with retries and backoff.",
    )
    alerts.add_argument("--follow", "-f", action="store_true", help="keep printing new alerts")
    alerts.add_argument(
        "--from-beginning",
        action="store_true",
        help="with --follow: start with the alerts already on the topic",
    )
    alerts.add_argument("--format", choices=["auto", "table", "jsonl"], default="auto")
    alerts.add_argument(
        "--min-severity",
        choices=["low", "medium", "high", "critical"],
        default="low",
        help="only alerts at this severity or above",
    )
    alerts.add_argument("--webhook", metavar="URL", help="also POST each alert to this URL")

    replay = sub.add_parser(
        "replay",
        help="re-run the seed topic in a fresh consumer group and compare the alerts",
        description="Copy articles.raw into a fresh namespace, process it with a new consumer "
        "group and empty state, and compare its alerts with the alerts topic by (id, version). "
        "Exit 0 when they match. Without WIREWATCH_BROKER, first runs the seeds on an "
        "embedded broker.",
    )
    replay.add_argument("--timeout", type=float, default=180.0, help="seconds (default 180)")
    replay.add_argument("--keep", action="store_true", help="keep the replay's topics")

    analyze = sub.add_parser(
        "analyze",
        help="tag articles offline (no Kafka) and show which rules would fire",
        description="Read articles as JSON lines ({id,title,body,source,url,published_at}, only "
        "body required) and print one tagged record per article with the alert rules that fire. "
        "With no FILE, analyse the seed articles.",
    )
    analyze.add_argument("file", nargs="?", help="JSON-lines file, or - for standard input")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from .alert.rules import RuleError
    from .brokers.process import BrokerError
    from .launcher import WorkerError
    from .seeder import InputError
    from .settings import Settings, SettingsError

    # Ctrl-C and SIGTERM take the same orderly path out.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        settings = Settings.from_env()
        logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
        handler = {
            "run": cmd_run,
            "worker": cmd_worker,
            "seed": cmd_seed,
            "analyze": cmd_analyze,
            "alerts": cmd_alerts,
            "replay": cmd_replay,
        }[args.command]
        return handler(settings, args)
    except KeyboardInterrupt:
        say("stopped")
        return 130
    except (SettingsError, RuleError, BrokerError, InputError, WorkerError, TimeoutError) as exc:
        say(f"error: {exc}")
        return 2
    except Exception as exc:
        from aiokafka.errors import KafkaError

        if isinstance(exc, KafkaError):
            say(f"error: Kafka: {exc}")
            return 2
        raise


def cmd_worker(settings: Any, args: argparse.Namespace) -> int:
    from .worker import run_worker

    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # faust installs its own handlers
    run_worker(settings)
    return 0


def _seed_articles(seeds: Path | None) -> list[dict[str, Any]]:
    from .seeder import InputError
    from .seeds import load_seed_dir

    folder = seeds or default_seeds_dir()
    if not folder.is_dir():
        raise InputError(f"{folder}: no such seed folder")
    articles = load_seed_dir(folder)
    if not articles:
        raise InputError(f"{folder}: no seed articles (*.txt) found")
    return articles


def cmd_seed(settings: Any, args: argparse.Namespace) -> int:
    from .seeder import InputError, publish, read_jsonl

    if args.repeat < 1:
        raise InputError("--repeat must be at least 1")
    if not settings.broker:
        raise InputError("WIREWATCH_BROKER is not set (host:port of a Kafka broker)")
    articles = list(read_jsonl(args.file)) if args.file else _seed_articles(args.seeds)

    def progress(done: int, total: int | None) -> None:
        say(f"published {done:,}/{total:,} articles")

    ids = asyncio.run(
        publish(settings, articles, repeat=args.repeat, rate=args.rate, progress=progress)
    )
    say(f"published {len(ids):,} articles to {settings.topic(topics.RAW)}")
    return 0


def cmd_analyze(settings: Any, args: argparse.Namespace) -> int:
    from .alert.rules import load_rules
    from .analysis import analyze
    from .seeder import InputError, read_jsonl

    rules = load_rules(settings.rules)
    if args.file is None:
        articles: Any = _seed_articles(None)
    elif args.file == "-":
        articles = read_jsonl("<stdin>", sys.stdin)
    else:
        articles = read_jsonl(args.file)
    out = sys.stdout
    try:
        for article in articles:
            out.write(orjson.dumps(analyze(article, rules)).decode() + "\n")
    except InputError:
        out.flush()
        raise
    return 0


def cmd_run(settings: Any, args: argparse.Namespace) -> int:
    from .launcher import LocalPipeline
    from .printer import AlertPrinter

    articles = _seed_articles(args.seeds)
    fmt = args.format
    if fmt == "auto":
        fmt = "table" if sys.stdout.isatty() else "jsonl"
    printer = AlertPrinter(sys.stdout, fmt)
    with LocalPipeline(settings, say) as pipeline:
        return asyncio.run(_run(pipeline, articles, printer, args))


async def _run(
    pipeline: Any, articles: list[dict[str, Any]], printer: Any, args: argparse.Namespace
) -> int:
    from .seeder import publish
    from .watch import PipelineWatch

    settings = pipeline.settings
    watch = PipelineWatch(settings)
    await watch.start()
    try:
        ids = await publish(settings, articles)
        say(f"seeded {len(ids)} articles to {settings.topic(topics.RAW)}")

        def progress(done: int, total: int) -> None:
            say(f"{done}/{total} articles through every stage")

        timeout = args.timeout if args.once else 3600 * 24 * 365
        await watch.wait_for(
            ids,
            within=timeout,
            on_alert=printer.print,
            check=pipeline.worker.check,
            progress=progress,
        )
        say(f"{len(watch.alerts)} alerts raised")
        if args.once:
            return 0
        say("following alerts; Ctrl-C to stop")
        while True:
            pipeline.worker.check()
            await watch.poll(printer.print, timeout_ms=1000)
    finally:
        await watch.stop()


def _need_broker(settings: Any) -> None:
    from .seeder import InputError

    if not settings.broker:
        raise InputError("WIREWATCH_BROKER is not set (host:port of a Kafka broker)")


def cmd_alerts(settings: Any, args: argparse.Namespace) -> int:
    import aiohttp

    from .alert.follow import read_alerts
    from .alert.webhook import WebhookSink
    from .printer import AlertPrinter

    _need_broker(settings)
    fmt = args.format if args.format != "auto" else ("table" if sys.stdout.isatty() else "jsonl")
    printer = AlertPrinter(sys.stdout, fmt)
    sink = WebhookSink(args.webhook) if args.webhook else None

    async def go() -> int:
        async with aiohttp.ClientSession() as session:

            async def on_alert(alert: dict[str, Any]) -> None:
                printer.print(alert)
                if sink is not None:
                    await sink.post(session, alert)

            return await read_alerts(
                settings,
                on_alert,
                follow=args.follow,
                from_beginning=args.from_beginning,
                min_severity=args.min_severity,
            )

    count = asyncio.run(go())
    say(f"{count} alerts")
    return 0


def cmd_replay(settings: Any, args: argparse.Namespace) -> int:
    from .launcher import LocalPipeline
    from .replay import replay
    from .seeder import publish
    from .watch import PipelineWatch

    if settings.broker:
        result = replay(settings, say, within=args.timeout, keep=args.keep)
    else:
        with LocalPipeline(settings, say) as pipeline:
            live = pipeline.settings

            async def first_run() -> None:
                watch = PipelineWatch(live)
                await watch.start()
                try:
                    ids = await publish(live, _seed_articles(None))
                    assert pipeline.worker is not None
                    await watch.wait_for(ids, within=args.timeout, check=pipeline.worker.check)
                    say(f"first run: {len(ids)} articles, {len(watch.alerts)} alert messages")
                finally:
                    await watch.stop()

            asyncio.run(first_run())
            result = replay(live, say, within=args.timeout, keep=args.keep)
    say(result.describe())
    return 0 if result.matches else 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

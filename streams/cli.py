"""The ``wirewatch`` command line."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from . import topics
from .cliargs import build_parser, default_seeds_dir

if TYPE_CHECKING:
    from .brokers.process import BrokerProcess


def say(message: str) -> None:
    print(f"wirewatch: {message}", file=sys.stderr, flush=True)


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
            "eval": cmd_eval,
            "alerts": cmd_alerts,
            "rules": cmd_rules,
            "report": cmd_report,
            "bench": cmd_bench,
            "soak": cmd_soak,
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
    run_worker(settings, passthrough=args.passthrough)
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


def cmd_eval(settings: Any, args: argparse.Namespace) -> int:
    """Issue 3: per-field figures of the NLP against the labelled set."""
    from .evalreport import errors, table
    from .evaluate import GOALS, EvalError, evaluate, load_items
    from .seeder import InputError

    try:
        items = load_items(args.files)
    except (OSError, EvalError) as exc:
        raise InputError(str(exc)) from None
    splits = [args.split] if args.split else ["all", "dev", "test"]
    shown = [i for i in items if args.split in (None, "all") or i["split"] == args.split]
    report, results = evaluate(shown)
    listed_split = "test" if args.split == "test" else "dev"
    listed = [r for r in results if r.item["split"] == listed_split]
    if args.format == "json":
        payload: dict[str, Any] = {s: report[s] for s in splits}
        if args.errors:
            payload["errors"] = [{"id": r.item.get("id"), **r.errors} for r in listed if r.errors]
        sys.stdout.write(orjson.dumps(payload).decode() + "\n")
    else:
        print(table(report, splits))
        if args.errors:
            print(errors(listed))
    overall = report.get("all") or {}
    missed = [k for k, goal in GOALS.items() if k in overall and overall[k] < goal]
    return 1 if missed and args.split in (None, "all") else 0


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
    from .brokers.tansu import capacity_warning
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
        warned = False
        while True:
            pipeline.worker.check()
            await watch.poll(printer.print, timeout_ms=1000)
            # Only the embedded broker (started by the pipeline itself) has this limit.
            if pipeline.broker is not None and not warned:
                line = capacity_warning(watch.matched_records(), settings.topic(topics.MATCHED))
                if line is not None:
                    say(line)
                    warned = True
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


def cmd_rules(settings: Any, args: argparse.Namespace) -> int:
    from .alert.cli_rules import cmd_rules_check, cmd_rules_publish

    if args.rules_command == "check":
        return cmd_rules_check(args.file)
    _need_broker(settings)
    return cmd_rules_publish(settings, args.file)


def cmd_report(settings: Any, args: argparse.Namespace) -> int:
    from .report import cmd_report as draw

    return draw(args.prometheus, args.out, args.minutes)


def _start_broker(name: str, work: Path) -> BrokerProcess | None:
    """Start the broker a benchmark asked for ("embedded" Tansu, "kafka"), or None for the
    configured one ("external")."""
    from .brokers.kafka import KafkaBroker
    from .brokers.tansu import TansuBroker

    server: BrokerProcess | None = None
    if name == "embedded":
        server = TansuBroker(log=work / "tansu.log")
    elif name == "kafka":
        server = KafkaBroker(work / "kafka")
    if server is not None:
        say(f"starting {server.name} …")
        server.start(timeout=120)
    return server


def cmd_bench(settings: Any, args: argparse.Namespace) -> int:
    import tempfile

    from .bench.pipeline import bench
    from .bench.report import goal_lines, write

    brokers = [args.broker] if args.broker in ("embedded", "kafka") else ["embedded", "kafka"]
    if args.broker is None:
        brokers = ["external" if settings.broker else "embedded"]
    results: dict[str, Any] = {}
    work = Path(tempfile.mkdtemp(prefix="wirewatch-bench-"))
    for name in brokers:
        server = _start_broker(name, work)
        try:
            base = settings.with_(broker=server.bootstrap) if server else settings
            say(f"bench on {name}: {args.articles:,} articles, modes {args.modes}")
            results[name] = bench(
                base,
                args.articles,
                default_seeds_dir(),
                work / name,
                say,
                workers=args.workers,
                modes=args.modes,
            )
            results[name]["broker"] = name
        finally:
            if server is not None:
                server.stop()
    if args.out:
        for path in write(results, args.out):
            say(f"wrote {path}")
    if args.format == "json":
        only = next(iter(results.values())) if len(results) == 1 else results
        print(orjson.dumps(only).decode())
    else:
        for name, r in results.items():
            print(f"{name}: " + ", ".join(f"{k}={v}" for k, v in r.items() if k != "modes"))
            print("\n".join(goal_lines(r)))
    return 0


def cmd_soak(settings: Any, args: argparse.Namespace) -> int:
    import tempfile

    from .bench.soak import soak, summary, write
    from .brokers.tansu import soak_capacity_warning

    name = args.broker or ("external" if settings.broker else "embedded")
    work = Path(tempfile.mkdtemp(prefix="wirewatch-soak-"))
    server = _start_broker(name, work)
    try:
        base = settings.with_(broker=server.bootstrap) if server else settings
        say(f"soak on {name}: {args.minutes:g} min at {args.rate:g} articles/s")
        tick_s = base.story_tick_s
        if name == "embedded" and (line := soak_capacity_warning(args.minutes, args.rate, tick_s)):
            say(line)
        result = soak(base, args.minutes, args.rate, default_seeds_dir(), work, say)
    finally:
        if server is not None:
            server.stop()
    if args.out:
        for path in write(result, name, args.out):
            say(f"wrote {path}")
    s = summary(result)
    if args.format == "json":
        print(orjson.dumps({"broker": name, **s}).decode())
    else:
        print(f"{name}: " + ", ".join(f"{k}={v}" for k, v in s.items()))
    return 0 if result.came_through == result.published else 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

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

    worker = sub.add_parser(
        "worker",
        help="run the stream agents (classify, tag, alert, story) until stopped",
        description="Run the faust worker. SIGINT/SIGTERM stop it cleanly. Start one per core "
        "or host: workers with the same WIREWATCH_APP_ID share the partitions.",
    )
    worker.add_argument(
        "--passthrough",
        action="store_true",
        help="same topology, no NLP or rules (what `wirewatch bench` calls P)",
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

    rules = sub.add_parser(
        "rules",
        help="check a rule file, or publish it to the rules topic (hot reload)",
        description="Rules are YAML (docs/rules.md). `check` validates a file and prints one "
        "line; `publish` validates it and writes it to the compacted rules topic, from which "
        "every running worker reloads it (a broken file is refused before publishing).",
    )
    rules_sub = rules.add_subparsers(dest="rules_command", required=True, metavar="ACTION")
    rules_sub.add_parser("check", help="validate a rule file").add_argument("file", type=Path)
    rules_sub.add_parser("publish", help="validate and publish to the rules topic").add_argument(
        "file", type=Path
    )

    report = sub.add_parser(
        "report",
        help="PNG charts of throughput and latency from Prometheus",
        description="Draw throughput per stage and end-to-end latency (p50/p95/p99) of the last "
        "MINUTES from Prometheus's HTTP API into OUT (throughput.png, latency.png, "
        "throughput-latency.png).",
    )
    report.add_argument(
        "--prometheus",
        default="http://127.0.0.1:9090",
        help="Prometheus base URL (default http://127.0.0.1:9090)",
    )
    report.add_argument(
        "--out",
        type=Path,
        default=Path(".wirewatch/report"),
        help="output folder (default .wirewatch/report)",
    )
    report.add_argument(
        "--minutes", type=float, default=15.0, help="window ending now (default 15)"
    )

    bench = sub.add_parser(
        "bench",
        help="throughput, latency and memory: full pipeline vs pass-through vs raw relay",
        description="On one broker and one deterministic synthetic corpus, measure (R) a raw "
        "aiokafka relay, (P) the faust chain with pass-through stages and (F) the full pipeline: "
        "the maximum rate (a backlog drained), publish→done latency at half that rate, and peak "
        "RSS. --broker embedded starts Tansu, kafka starts Apache Kafka from the Maven jars; "
        "with WIREWATCH_BROKER set, that broker is used.",
    )
    bench.add_argument("--articles", type=int, default=20000, help="corpus size (default 20000)")
    bench.add_argument(
        "--broker",
        choices=["embedded", "kafka", "both"],
        default=None,
        help="default: WIREWATCH_BROKER if set, else embedded",
    )
    bench.add_argument("--workers", type=int, default=1, help="worker processes for P and F")
    bench.add_argument("--modes", default="RPF", help="which of R, P, F to run (default RPF)")
    bench.add_argument("--format", choices=["text", "json"], default="text")
    bench.add_argument(
        "--out", type=Path, default=None, help="write JSON, markdown and a PNG chart to this folder"
    )

    analyze = sub.add_parser(
        "analyze",
        help="tag articles offline (no Kafka) and show which rules would fire",
        description="Read articles as JSON lines ({id,title,body,source,url,published_at}, only "
        "body required) and print one tagged record per article with the alert rules that fire. "
        "With no FILE, analyse the seed articles.",
    )
    analyze.add_argument("file", nargs="?", help="JSON-lines file, or - for standard input")

    # --- issue 3 (NLP evaluation) ---
    evaluate = sub.add_parser(
        "eval",
        help="score the analysis against labelled articles (tests/eval/*.jsonl)",
        description="Run clean, classify and tag on each labelled article and print event-type "
        "accuracy, conflict F1, per-field precision/recall/F1 and killed exact match for the "
        "all, dev and test splits. Exits 1 when a goal on the full set is missed.",
    )
    evaluate.add_argument("files", nargs="+", metavar="FILE", help="labelled JSON-lines files")
    evaluate.add_argument("--split", choices=["all", "dev", "test"], default=None,
                          help="report one split only (default: all three)")  # fmt: skip
    evaluate.add_argument("--format", choices=["table", "json"], default="table")
    evaluate.add_argument(
        "--errors",
        action="store_true",
        help="list the errors per article of the dev split (of the test split only with "
        "--split test: it is held out for reporting, not tuning)",
    )
    # --- end issue 3 ---
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
            "eval": cmd_eval,
            "alerts": cmd_alerts,
            "rules": cmd_rules,
            "report": cmd_report,
            "bench": cmd_bench,
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


def cmd_rules(settings: Any, args: argparse.Namespace) -> int:
    from .alert.cli_rules import cmd_rules_check, cmd_rules_publish

    if args.rules_command == "check":
        return cmd_rules_check(args.file)
    _need_broker(settings)
    return cmd_rules_publish(settings, args.file)


def cmd_report(settings: Any, args: argparse.Namespace) -> int:
    from .report import cmd_report as draw

    return draw(args.prometheus, args.out, args.minutes)


def cmd_bench(settings: Any, args: argparse.Namespace) -> int:
    import tempfile

    from .bench.pipeline import bench
    from .bench.report import goal_lines, write
    from .brokers.kafka import KafkaBroker
    from .brokers.process import BrokerProcess
    from .brokers.tansu import TansuBroker

    brokers = [args.broker] if args.broker in ("embedded", "kafka") else ["embedded", "kafka"]
    if args.broker is None:
        brokers = ["external" if settings.broker else "embedded"]
    results: dict[str, Any] = {}
    work = Path(tempfile.mkdtemp(prefix="wirewatch-bench-"))
    for name in brokers:
        server: BrokerProcess | None = None
        if name == "embedded":
            server = TansuBroker(log=work / "tansu.log")
        elif name == "kafka":
            server = KafkaBroker(work / "kafka")
        if server is not None:
            say(f"starting {server.name} …")
            server.start(timeout=120)
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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

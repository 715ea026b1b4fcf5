"""The ``wirewatch`` command line's arguments: every command, its options and its help."""

from __future__ import annotations

import argparse
from pathlib import Path

from . import __version__

EPILOG = """\
settings come from WIREWATCH_* environment variables (see README): WIREWATCH_BROKER
(host:port[,host:port]; unset = `run` starts an embedded broker), WIREWATCH_METRICS_PORT
(9464), WIREWATCH_TOPIC_PREFIX, WIREWATCH_PARTITIONS, WIREWATCH_MAX_ARTICLE_BYTES, ...
"""


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

    soak = sub.add_parser(
        "soak",
        help="run the full pipeline at a steady rate for minutes and watch its memory",
        description="Start a worker, publish the synthetic corpus at --rate articles/s for "
        "--minutes, sample the worker's RSS every second and report it at the start and end, "
        "its peak, and its slope over the second half (a leak shows as a slope), and how many "
        "articles came through. Progress goes to stderr once a minute. --broker as for bench.",
    )
    soak.add_argument("--minutes", type=float, default=10.0, help="how long (default 10)")
    soak.add_argument("--rate", type=float, default=50.0, help="articles/s (default 50)")
    soak.add_argument("--broker", choices=["embedded", "kafka"], default=None,
                      help="default: WIREWATCH_BROKER if set, else embedded")  # fmt: skip
    soak.add_argument("--format", choices=["text", "json"], default="text")
    soak.add_argument(
        "--out", type=Path, default=None, help="write JSON, markdown and a PNG plot here"
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

"""NLP throughput on one core, offline: clean + classify + tag over the seed articles.

``python -m streams.bench.nlp [--seconds S] [--format json]`` loads the knowledge base once
(reported as start-up), then runs the seed articles round-robin for S seconds through the
same functions the stream agents call (``classify_record`` then ``tag_record``, which
clean, classify and tag), and reports articles/s, per-seed mean milliseconds, p50/p99
per-article latency and peak RSS. Every article is re-analysed from its raw text: nothing
is cached between articles.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import orjson

from streams.analysis import classify_record, tag_record
from streams.seeds import load_seed_dir

GOAL_PER_SECOND = 1000.0


def _seeds_dir() -> Path:
    here = Path("seeds")
    return here if here.is_dir() else Path(__file__).resolve().parents[2] / "seeds"


def _peak_rss_mib() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def run(seconds: float) -> dict[str, Any]:
    articles = load_seed_dir(_seeds_dir())
    # As the seeder publishes them: with their content-derived ids (deriving an id when a
    # producer sends none costs another ~0.1 ms, in streams/ids.py).
    fields = ("id", "title", "body", "source", "url", "published_at")
    raws = [{k: a[k] for k in fields} for a in articles]
    started = time.perf_counter()
    tag_record(classify_record(raws[0]))  # knowledge base, automata, taxonomy
    startup = time.perf_counter() - started
    per_seed: list[list[float]] = [[] for _ in raws]
    latencies: list[float] = []
    cpu0, wall0 = time.process_time(), time.perf_counter()
    deadline = wall0 + seconds
    n = 0
    while time.perf_counter() < deadline:
        i = n % len(raws)
        t0 = time.perf_counter()
        tag_record(classify_record(raws[i]))
        elapsed = time.perf_counter() - t0
        per_seed[i].append(elapsed)
        latencies.append(elapsed)
        n += 1
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    latencies.sort()
    return {
        "articles": n,
        "seconds": round(wall, 3),
        "articles_per_second": round(n / wall, 1),
        "articles_per_cpu_second": round(n / cpu, 1) if cpu else None,
        "p50_ms": round(1000 * latencies[len(latencies) // 2], 3),
        "p99_ms": round(1000 * latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))], 3),
        "per_seed_ms": [
            {
                "title": a["title"][:60],
                "chars": len(a["title"]) + len(a["body"]),
                "mean_ms": round(1000 * statistics.fmean(t), 3) if t else None,
            }
            for a, t in zip(articles, per_seed, strict=True)
        ],
        "startup_seconds": round(startup, 3),
        "peak_rss_mib": round(_peak_rss_mib(), 1),
        "goal_articles_per_second": GOAL_PER_SECOND,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m streams.bench.nlp", description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0, help="how long to run (5)")
    parser.add_argument("--format", choices=["text", "json"], default="text")
    args = parser.parse_args(argv)
    result = run(args.seconds)
    if args.format == "json":
        print(orjson.dumps(result).decode())
        return 0
    print(f"clean + classify + tag, one process, {result['seconds']} s, offline")
    print(f"  start-up (knowledge base, automata): {result['startup_seconds']:.3f} s")
    print(f"  articles:             {result['articles']}")
    print(f"  articles/s (wall):    {result['articles_per_second']:.0f}")
    print(f"  articles/s (CPU):     {result['articles_per_cpu_second']:.0f}")
    print(f"  latency p50 / p99:    {result['p50_ms']:.3f} / {result['p99_ms']:.3f} ms")
    for seed in result["per_seed_ms"]:
        print(f"  {seed['mean_ms']:7.3f} ms  {seed['chars']:5d} chars  {seed['title']}")
    print(f"  peak RSS:             {result['peak_rss_mib']:.1f} MiB")
    verdict = "meets" if result["articles_per_second"] >= GOAL_PER_SECOND else "misses"
    print(f"  goal {GOAL_PER_SECOND:.0f} articles/s: {verdict}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

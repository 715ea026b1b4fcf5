"""Write the benchmark report: one JSON per broker, a markdown table and a PNG chart."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

GOALS = {"full_articles_per_s": 1000.0, "ratio_f_p": 0.5, "p99_ms": 100.0, "worker_rss_mb": 250.0}


def goal_lines(result: dict[str, Any]) -> list[str]:
    """Each goal with the measured figure, and by how much it is missed."""
    lines = []
    for key, goal in GOALS.items():
        value = result.get(key)
        if value is None:
            continue
        higher_is_better = key in ("full_articles_per_s", "ratio_f_p")
        met = value >= goal if higher_is_better else value <= goal
        verdict = "met" if met else (f"missed by {abs(value - goal) / goal:.0%}")
        sign = "≥" if higher_is_better else "≤"
        lines.append(f"| {key} | {sign} {goal:g} | {value:g} | {verdict} |")
    return lines


def markdown(results: dict[str, dict[str, Any]]) -> str:
    out = ["# wirewatch benchmark", ""]
    for broker, r in results.items():
        out += [
            f"## {broker} ({r['articles']:,} articles, {r['workers']} worker process(es))",
            "",
            "| mode | articles/s | latency p50 / p95 / p99 at half rate (ms) | peak RSS (MB) |",
            "| --- | ---: | ---: | ---: |",
        ]
        for mode, m in r["modes"].items():
            out.append(
                f"| {mode} | {m['articles_per_s']:,.0f} | {m['p50_ms']:.0f} / "
                f"{m['p95_ms']:.0f} / {m['p99_ms']:.0f} at {m['half_rate']:,.0f}/s | "
                f"{m['peak_rss_mb']:.0f} |"
            )
        for mode, m in r["modes"].items():
            if m.get("story_p50_ms") is not None:
                out.append(
                    f"\n{mode}: of that latency, the story stage (alert stage's stamp → done, "
                    f"its event-time reordering included) took p50 {m['story_p50_ms']:.0f} / "
                    f"p95 {m['story_p95_ms']:.0f} ms."
                )
        ratios = [
            f"F/P = {r['ratio_f_p']:.2f}" if "ratio_f_p" in r else "",
            f"P/R = {r['ratio_p_r']:.2f}" if "ratio_p_r" in r else "",
        ]
        out += [
            "",
            "Ratios: " + ", ".join(x for x in ratios if x),
            "",
            "| goal | target | measured | verdict |",
            "| --- | --- | --- | --- |",
            *goal_lines(r),
            "",
        ]
    return "\n".join(out)


def chart(results: dict[str, dict[str, Any]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    width = 0.8 / max(1, len(results))
    for i, (broker, r) in enumerate(results.items()):
        modes = list(r["modes"])
        xs = [j + i * width for j in range(len(modes))]
        left.bar(xs, [r["modes"][m]["articles_per_s"] for m in modes], width, label=broker)
        right.bar(xs, [r["modes"][m]["p99_ms"] for m in modes], width, label=broker)
        left.set_xticks([j + width * (len(results) - 1) / 2 for j in range(len(modes))], modes)
        right.set_xticks([j + width * (len(results) - 1) / 2 for j in range(len(modes))], modes)
    left.set_title("maximum rate (articles/s)")
    left.axhline(GOALS["full_articles_per_s"], color="grey", linestyle="--", linewidth=1)
    right.set_title("publish→done p99 at half rate (ms)")
    right.axhline(GOALS["p99_ms"], color="grey", linestyle="--", linewidth=1)
    right.set_yscale("log")
    for ax in (left, right):
        ax.legend()
    fig.suptitle("R: raw aiokafka relay   P: faust chain, pass-through   F: full pipeline")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write(results: dict[str, dict[str, Any]], out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for broker, r in results.items():
        path = out / f"bench-{broker}.json"
        path.write_bytes(orjson.dumps(r, option=orjson.OPT_INDENT_2))
        written.append(path)
    (out / "report.md").write_text(markdown(results))
    chart(results, out / "bench.png")
    return [*written, out / "report.md", out / "bench.png"]

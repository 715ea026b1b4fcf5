"""A deterministic synthetic corpus: the seed articles with names, places and numbers varied.

Article ``i`` is always the same text (a ``random.Random(i)`` decides every swap), so runs
and machines compare; every article differs, so the NLP does real work and stories form.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml

from ..seeds import load_seed_dir

_NUMBER = re.compile(r"\b\d{1,3}\b")


@cache
def _variation() -> dict[str, Any]:
    doc: dict[str, Any] = yaml.safe_load(
        files("streams.bench").joinpath("variation.yaml").read_text()
    )
    return doc


def vary(article: dict[str, Any], i: int) -> dict[str, Any]:
    rng = random.Random(i)
    data = _variation()
    swaps = {**data["places"], **data["persons"]}
    chosen = {word: rng.choice(options) for word, options in sorted(swaps.items())}
    pattern = re.compile("|".join(re.escape(w) for w in sorted(chosen, key=len, reverse=True)))

    def swap(text: str) -> str:
        text = pattern.sub(lambda m: chosen[m.group(0)], text)
        return _NUMBER.sub(lambda m: str(rng.choice(data["numbers"])), text)

    return {
        "id": f"bench-{i:06d}",
        "title": swap(article["title"] or ""),
        "body": swap(article["body"]),
        "source": article.get("source"),
    }


def corpus(n: int, seeds: Path) -> Iterator[dict[str, Any]]:
    base = load_seed_dir(seeds)
    for i in range(n):
        yield vary(base[i % len(base)], i)

"""Parse scraped seed pages into raw article records.

A page holds a main article (title = its first headline-like line) and, optionally,
"related" articles, each introduced by three lines: outlet, age ("23 minutes ago"),
"- Outlet"; then a title line and the body.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from streams.ids import article_id
from streams.text.clean import clean_lines, clean_text

_AGE = re.compile(
    r"(?:\d+|an?|one)\s+(?:seconds?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?)\s+ago"
    r"|just now|yesterday",
    re.IGNORECASE,
)
_MAX_TITLE_CHARS = 200
_MAX_TITLE_WORDS = 30


def _headers(lines: list[str]) -> list[tuple[int, str]]:
    """(index, outlet) of each related-article header block."""
    found = []
    for i in range(len(lines) - 2):
        outlet, age, dash = (line.strip() for line in lines[i : i + 3])
        if outlet and _AGE.fullmatch(age) and dash.startswith("- ") and len(dash) > 2:
            found.append((i, dash[2:].strip() or outlet))
    return found


def _looks_like_title(line: str) -> bool:
    return (
        len(line) <= _MAX_TITLE_CHARS
        and len(line.split()) <= _MAX_TITLE_WORDS
        and not line.endswith((".", "!", "?", ":"))
    )


def _pick_title(lines: list[str]) -> str | None:
    """A headline: a short line repeated near the top, else the first short line."""
    head = lines[:8]
    for line in head:
        if _looks_like_title(line) and head.count(line) > 1:
            return line
    return next((line for line in head[:3] if _looks_like_title(line)), None)


def _article(title: str, text: str, source: str | None, seed_file: str) -> dict[str, Any] | None:
    body = clean_text(text, title=title)
    if not body:
        return None
    return {
        "id": article_id(title, body),
        "title": title,
        "body": body,
        "source": source,
        "url": None,
        "published_at": None,
        "seed_file": seed_file,
    }


def parse_seed_page(text: str, seed_file: str) -> list[dict[str, Any]]:
    """Raw article dicts from one scraped page, in page order."""
    seed_file = Path(seed_file).name
    lines = text.splitlines()
    headers = _headers(lines)
    bounds = [0, *(i for i, _ in headers), len(lines)]
    sources: list[str | None] = [None, *(outlet for _, outlet in headers)]
    articles = []
    for n, source in enumerate(sources):
        start, end = bounds[n], bounds[n + 1]
        if source is not None:
            start += 3  # skip the outlet / age / "- outlet" header
        segment = clean_lines("\n".join(lines[start:end]))
        # A related article's title is its first line; the main one has to be found.
        title = _pick_title(segment) if source is None else next(iter(segment), None)
        if title is None:
            continue
        article = _article(title, "\n".join(segment), source, seed_file)
        if article is not None:
            articles.append(article)
    return articles


def load_seed_dir(path: str | Path) -> list[dict[str, Any]]:
    """Every article of every ``*.txt`` page under ``path``, files sorted by name."""
    articles: list[dict[str, Any]] = []
    for file in sorted(Path(path).glob("*.txt")):
        articles.extend(parse_seed_page(file.read_text("utf-8"), file.name))
    return articles

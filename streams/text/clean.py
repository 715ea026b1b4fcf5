"""Text hygiene for scraped articles: unicode, markup, page chrome, duplicates, sentences."""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache
from importlib import resources

from streams.ids import normalise_for_id

_SCRIPT = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_BLOCK_TAG = re.compile(r"<\s*(?:br|/p|/div|/li|/h[1-6]|p|div|li|h[1-6])\b[^>]*>", re.IGNORECASE)
_TAG = re.compile(r"<[!/]?[A-Za-z][^<>]{0,500}>")
_SPACES = re.compile(r"[ \t\f\v]+")
# Typographic quotes become ASCII so every downstream pattern sees one spelling.
_QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "‛": "'", "“": '"', "”": '"', "„": '"'})


@lru_cache(maxsize=1)
def _invisible() -> re.Pattern[str]:
    """Every control (Cc, but tab and newline) and format (Cf) character in the BMP."""
    chars = (chr(c) for c in range(0x10000) if c not in (9, 10))
    invisible = "".join(ch for ch in chars if unicodedata.category(ch) in ("Cc", "Cf"))
    return re.compile(f"[{re.escape(invisible)}]")


@lru_cache(maxsize=1)
def _boilerplate() -> tuple[frozenset[str], tuple[re.Pattern[str], ...]]:
    text = resources.files("streams.text").joinpath("boilerplate.txt").read_text("utf-8")
    plain: set[str] = set()
    patterns: list[re.Pattern[str]] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("re:"):
            patterns.append(re.compile(line[3:].strip(), re.IGNORECASE))
        else:
            plain.add(_SPACES.sub(" ", line).casefold())
    return frozenset(plain), tuple(patterns)


def is_boilerplate(line: str) -> bool:
    """True when ``line`` (already whitespace-normalised) is known page chrome."""
    plain, patterns = _boilerplate()
    return line.casefold() in plain or any(p.fullmatch(line) for p in patterns)


def _normalise(text: str) -> str:
    text = _SCRIPT.sub(" ", text)
    text = _BLOCK_TAG.sub("\n", text)
    text = html.unescape(_TAG.sub(" ", text))
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n")
    # Control and format characters (zero-width spaces, soft hyphens) carry no text.
    return _invisible().sub("", text)


def clean_lines(text: str) -> list[str]:
    """Normalised, non-empty, non-boilerplate lines of ``text`` (duplicates kept)."""
    lines = (_SPACES.sub(" ", line).strip() for line in _normalise(text).split("\n"))
    return [line for line in lines if line and not is_boilerplate(line)]


def clean_text(text: str, title: str | None = None) -> str:
    """Clean article text; paragraphs come back separated by a blank line.

    Repeated paragraphs (compared case-, accent- and punctuation-insensitively) keep their
    first occurrence; lines repeating ``title`` are dropped since the title travels apart.
    """
    seen: set[str] = set()
    if title:
        seen.add(normalise_for_id(title))
    kept: list[str] = []
    for line in clean_lines(text):
        key = normalise_for_id(line)
        if key in seen:
            continue
        if key:
            seen.add(key)
        kept.append(line)
    return "\n\n".join(kept)


# Words whose trailing period does not end a sentence.
# fmt: off
_ABBREVIATIONS = frozenset((
    "mr", "mrs", "ms", "dr", "prof", "sen", "rep", "gov", "gen", "lt", "col", "maj", "capt",
    "sgt", "cpl", "adm", "cmdr", "brig", "pres", "st", "jr", "sr", "rev", "hon", "fr", "no",
    "nos", "vs", "etc", "al", "approx", "dept", "est", "inc", "ltd", "co", "corp", "jan",
    "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "mt", "ft",
    "e.g", "i.e",
))
# fmt: on
_BOUNDARY = re.compile(r"[.!?]+['\")\]]*\s+(?=['\"(\[]?[A-Z0-9])")
_ACRONYM = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]$")  # U.S / U.N / e.g


# After "U.S." these words almost always open a new sentence.
# fmt: off
_OPENERS = frozenset((
    "He", "She", "It", "They", "We", "The", "But", "This", "That", "In", "On", "A", "An",
    "His", "Her", "Their",
))
# fmt: on


def _no_break(chunk: str, following: str) -> bool:
    """True when the period ending ``chunk`` belongs to an abbreviation or initial."""
    words = chunk.split()
    if not words:
        return False
    token = words[-1].lstrip("'\"([")[:-1]
    if token.casefold() in _ABBREVIATIONS:
        return True
    if _ACRONYM.fullmatch(token):
        next_word = following.split(maxsplit=1)[0].strip("'\"([") if following.strip() else ""
        return next_word not in _OPENERS
    return len(token) == 1 and token.isupper()  # an initial: "John F. Kennedy"


def split_sentences(text: str) -> list[str]:
    """Split into sentences; every line break ends one, abbreviations and initials do not."""
    sentences: list[str] = []
    for paragraph in text.split("\n"):
        paragraph = paragraph.strip()
        start = 0
        for match in _BOUNDARY.finditer(paragraph):
            if match.group().startswith(".") and _no_break(
                paragraph[start : match.start() + 1], paragraph[match.end() :]
            ):
                continue
            sentences.append(paragraph[start : match.end()].strip())
            start = match.end()
        if paragraph[start:].strip():
            sentences.append(paragraph[start:].strip())
    return sentences

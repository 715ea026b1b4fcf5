"""Text hygiene for scraped articles: unicode, markup, page chrome, duplicates, sentences.

Everything here runs on every article, so each step is a C-level string or regex operation
over the whole text, and the costly ones are skipped when the text cannot need them.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache
from importlib import resources

_SCRIPT = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_BLOCK_TAG = re.compile(r"<\s*(?:br|/p|/div|/li|/h[1-6]|p|div|li|h[1-6])\b[^>]*>", re.IGNORECASE)
_TAG = re.compile(r"<[!/]?[A-Za-z][^<>]{0,500}>")
# Runs of spaces; other blanks become spaces first. (A regex over every blank costs more
# than the rest of cleaning, so plain string replacement does the common case.)
_SPACES = re.compile(r"  +")
# ASCII control characters but tab and newline, deleted with bytes.translate.
_ASCII_CONTROL = bytes((*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F))
# Typographic quotes become ASCII so every downstream pattern sees one spelling.
_QUOTES = (("‘", "'"), ("’", "'"), ("‚", "'"), ("‛", "'"), ("“", '"'), ("”", '"'), ("„", '"'))
# ASCII punctuation, deleted from line keys with bytes.translate (a C loop, unlike a regex).
_PUNCT = bytes(c for c in range(128) if not chr(c).isalnum() and chr(c) not in " \t\n")
# Line keys: ASCII lower-cased, tab and newline as spaces (as bytes.split() takes them).
_KEY_BYTES = bytes(c | 0x20 if 65 <= c <= 90 else 32 if c in (9, 10) else c for c in range(256))
# Every byte but those that open an astral character in UTF-8 (F0-F4).
_NOT_ASTRAL_LEAD = bytes(c for c in range(256) if not 0xF0 <= c <= 0xF4)


def _has_astral(text: str) -> bool:
    """True when ``text`` has a character beyond the BMP: two C passes over its UTF-8
    bytes, where a regex class scan costs ~100 instructions a character."""
    return bool(text.encode("utf-8", "surrogatepass").translate(None, _NOT_ASTRAL_LEAD))


@lru_cache(maxsize=1)
def _invisible() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Every control (Cc, but tab and newline) and format (Cf) character: those of the
    BMP and plane 1, and the tag characters of plane 14 (U+E0000-E0FFF), which can hide
    text from a reader; no other plane has any. Two patterns: sre matches a BMP class
    against a bitmap, but a class with astral characters by scanning its ranges, ~35x
    slower, so the astral one runs only on text that has astral characters."""
    codes = [*range(0x20000), *range(0xE0000, 0xE1000)]
    chars = (chr(c) for c in codes if c not in (9, 10))
    invisible = [ch for ch in chars if unicodedata.category(ch) in ("Cc", "Cf")]
    bmp = "".join(ch for ch in invisible if ch <= "\uffff")
    astral = "".join(ch for ch in invisible if ch > "\uffff")
    return re.compile(f"[{re.escape(bmp)}]"), re.compile(f"[{re.escape(astral)}]")


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
            plain.add(" ".join(line.split()).casefold())
    return frozenset(plain), tuple(patterns)


# Page chrome is short; a long line is prose and skips the pattern checks.
_MAX_CHROME_CHARS = 200


def is_boilerplate(line: str) -> bool:
    """True when ``line`` (already whitespace-normalised) is known page chrome."""
    if len(line) > _MAX_CHROME_CHARS:
        return False
    plain, patterns = _boilerplate()
    return line.casefold() in plain or any(p.fullmatch(line) for p in patterns)


# Past this many non-ASCII characters, a text's are not looked at one by one.
_FEW_NON_ASCII = 64
# ASCII but its control characters (tab and line break aside): deleted, they leave those.
_VISIBLE_ASCII = bytes(c for c in range(128) if c in (9, 10) or 32 <= c < 127)


def _may_hide(text: str) -> bool:
    """False when ``text`` has no control or format character (tab and line break aside).
    Both are non-printable: the ASCII ones show in the bytes of an ASCII encoding, and the
    few non-ASCII characters are found among its "?" (a C search each), where the class
    regexes cost ~100 instructions a character and str.isprintable() ~25."""
    data = text.encode("ascii", "replace")
    if data.translate(None, _VISIBLE_ASCII):
        return True
    seen = 0
    at = data.find(b"?")
    while at >= 0:
        ch = text[at]
        if ch != "?":
            if not ch.isprintable():
                return True
            seen += 1
            if seen > _FEW_NON_ASCII:  # mostly non-ASCII: one C pass over all of it
                return not text.replace("\n", "").replace("\t", "").isprintable()
        at = data.find(b"?", at + 1)
    return False


def _normalise(text: str) -> str:
    # Entities first: escaped markup (&lt;script&gt;) must not come back as markup after
    # the tags are gone.
    if "&" in text:
        text = html.unescape(text)
    if "<" in text:
        text = _SCRIPT.sub(" ", text)
        text = _BLOCK_TAG.sub("\n", text)
        text = _TAG.sub(" ", text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.isascii():
        return text.encode("ascii").translate(None, _ASCII_CONTROL).decode("ascii")
    text = unicodedata.normalize("NFKC", text).replace("\u2028", "\n")
    for typographic, plain in _QUOTES:
        if typographic in text:
            text = text.replace(typographic, plain)
    # Control and format characters (zero-width spaces, soft hyphens) carry no text.
    if not _may_hide(text):
        return text
    bmp, astral = _invisible()
    text = bmp.sub("", text)
    return astral.sub("", text) if _has_astral(text) else text


def _decomposed_ascii(line: str) -> bytes:
    """``unicodedata.normalize("NFKD", line).encode("ascii", "ignore")``. NFKD decomposes
    each character apart (its reordering moves combining marks only, never ASCII), so only
    the few non-ASCII characters of a line need it, found among the "?" of an encoding."""
    data = line.encode("ascii", "replace")
    if line.isascii():
        return data
    parts: list[bytes] = []
    last = 0
    at = data.find(b"?")
    while at >= 0:
        ch = line[at]
        if ch != "?":
            if len(parts) > 2 * _FEW_NON_ASCII:
                return unicodedata.normalize("NFKD", line).encode("ascii", "ignore")
            parts.append(data[last:at])
            parts.append(unicodedata.normalize("NFKD", ch).encode("ascii", "ignore"))
            last = at + 1
        at = data.find(b"?", at + 1)
    parts.append(data[last:])
    return b"".join(parts)


def line_key(line: str) -> str:
    """Case-, accent-, punctuation- and whitespace-insensitive form of a line."""
    # Lower-cased after the encoding, in the same C pass as the punctuation goes: no
    # character left by NFKD lower-cases to ASCII, so this is line.lower() on what is kept.
    data = _decomposed_ascii(line).translate(_KEY_BYTES, _PUNCT)
    # b" ".join(data.split()), as only letters, digits and spaces are left; replace() is a
    # C pass per doubling of the longest run, where split() builds an object a word.
    while b"  " in data:
        data = data.replace(b"  ", b" ")
    return data.strip(b" ").decode("ascii")


def clean_lines(text: str) -> list[str]:
    """Normalised, non-empty, non-boilerplate lines of ``text`` (duplicates kept)."""
    text = _normalise(text)
    for blank in "\t\f\v":
        if blank in text:
            text = text.replace(blank, " ")
    if "  " in text:
        text = _SPACES.sub(" ", text)
    lines = (line.strip() for line in text.split("\n"))
    return [line for line in lines if line and not is_boilerplate(line)]


def clean_text(text: str, title: str | None = None) -> str:
    """Clean article text; paragraphs come back separated by a blank line.

    Repeated paragraphs (compared case-, accent- and punctuation-insensitively) keep their
    first occurrence; lines repeating ``title`` are dropped since the title travels apart.
    """
    seen: set[str] = set()
    if title:
        seen.add(line_key(title))
    kept: list[str] = []
    for line in clean_lines(text):
        key = line_key(line)
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
    "e.g", "i.e", "gov", "lt.-gen", "maj.-gen", "brig.-gen",
))
# After "U.S." these words almost always open a new sentence.
_OPENERS = frozenset((
    "He", "She", "It", "They", "We", "The", "But", "This", "That", "In", "On", "A", "An",
    "His", "Her", "Their",
))
# fmt: on
# A sentence ends at end punctuation (plus closing quotes) and a blank before a capital or
# digit, or at a line break. One cheap pattern finds the candidates over the whole text (a
# pattern with the look-ahead in it costs five times more), then a few checks per candidate.
_CANDIDATE = re.compile(r"[.!?\n][.!?]*['\")\]]*[ \t]*")
_SWALLOWED = ".!?'\")] \t"  # what a candidate takes after its first character
_ACRONYM = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]$")  # U.S / U.N / e.g


def _no_break(text: str, start: int, dot: int, following: int) -> bool:
    """True when the period at ``dot`` belongs to an abbreviation or an initial."""
    space = max(text.rfind(" ", start, dot), text.rfind("\n", start, dot))
    token = text[space + 1 : dot].lstrip("'\"([")
    if token.casefold() in _ABBREVIATIONS:
        return True
    if "." in token and _ACRONYM.fullmatch(token):  # (the test spares most words the regex)
        gap = text.find(" ", following)
        next_word = text[following : gap if gap > 0 else len(text)].strip("'\"([")
        return next_word not in _OPENERS
    return len(token) == 1 and token.isupper()  # an initial: "John F. Kennedy"


def _opens_sentence(text: str, at: int) -> bool:
    if at < len(text) and text[at] in "'\"([":
        at += 1
    return at < len(text) and ("A" <= text[at] <= "Z" or "0" <= text[at] <= "9")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of each sentence in ``text``, surrounding blanks excluded."""
    return list(_spans(text))


# The classifier and the tagger split the same article text one after the other: keep the
# last two results (a memo of the article at hand, not a store of past ones).
@lru_cache(maxsize=2)
def _spans(text: str) -> tuple[tuple[int, int], ...]:
    spans: list[tuple[int, int]] = []
    start = 0
    for cut, end in _candidates(text):
        mark = text[cut]
        if mark != "\n":
            if text[end - 1] not in " \t" or not _opens_sentence(text, end):
                continue
            if mark == "." and _no_break(text, start, cut, end):
                continue
        _add(text, start, end, spans)
        start = end
    _add(text, start, len(text), spans)
    return tuple(spans)


def _candidates(text: str) -> list[tuple[int, int]]:
    """The (start, end) of each ``_CANDIDATE.finditer(text)`` match. sre scans for a class
    at ~100 instructions a character; str.find jumps to each mark, and the rest of the
    match (greedy, never backtracking) is a few character tests."""
    marks = []
    for ch in ".!?\n":
        at = text.find(ch)
        while at >= 0:
            marks.append(at)
            at = text.find(ch, at + 1)
    marks.sort()
    out = []
    n, end = len(text), 0
    for cut in marks:
        if cut < end:  # taken by the match before
            continue
        end = cut + 1
        while end < n and text[end] in ".!?":
            end += 1
        while end < n and text[end] in "'\")]":
            end += 1
        while end < n and text[end] in " \t":
            end += 1
        out.append((cut, end))
    return out


def _add(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))


def tail_spans(text: str, tail: str) -> list[tuple[int, int]]:
    """``sentence_spans(tail)``, taken from the split of ``text`` when ``tail`` ends it
    after a line break (the body after the title): one split serves both."""
    at = len(text) - len(tail)
    # A line break always ends a sentence and nothing before it reaches past it, so the
    # text's split resumes at ``at`` as a split of ``tail`` alone would, unless the break
    # would swallow what opens ``tail`` (closing marks, blanks), or a period comes before
    # any blank (_no_break then reads the token back to the start of its text).
    dot = tail.find(".")
    if (
        at > 0
        and text[at - 1] == "\n"
        and tail[:1] not in _SWALLOWED
        and (dot < 0 or tail.find(" ", 0, dot) >= 0 or tail.find("\n", 0, dot) >= 0)
        and text.endswith(tail)
    ):
        return [(a - at, b - at) for a, b in _spans(text) if a >= at]
    return list(_spans(tail))


def split_sentences(text: str) -> list[str]:
    """Split into sentences; every line break ends one, abbreviations and initials do not."""
    return [text[a:b] for a, b in sentence_spans(text)]

"""One-pass multi-phrase scanning: an Aho-Corasick automaton over a word-normalised text.

Every keyword cue of the classifier is a *term*: a phrase matched as whole words ("gun
battle"), or as a word prefix when it ends with ``*`` ("abduct*" finds "abducted",
"abductions"). Phrases are compiled once into one automaton and the text is scanned once,
however many terms there are; callers then reason over term ids.

The scanned text is lower-cased with every character that is not an ASCII letter or digit
turned into a space, and keys carry their spaces (" gun battle " for a word, " abduct" for a
prefix): the automaton itself then enforces word boundaries, so no hit inside a word ("war"
in "toward") ever reaches Python. Offsets are unchanged, so hits index the original text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from itertools import product
from typing import Any

import ahocorasick

# bytes.translate table: ASCII letters and digits lower-cased, everything else a space.
_WORD_BYTES = bytes(
    (c | 0x20) if chr(c).isalpha() and c < 128 else c if chr(c).isdigit() and c < 128 else 32
    for c in range(256)
)


class Hit:
    """A phrase found: where (start, end) and its term id. A class mypyc compiles: built
    and read natively, where a tuple's ints are boxed, then unboxed at every read."""

    def __init__(self, start: int, end: int, term: int) -> None:
        self.start = start
        self.end = end
        self.term = term

    def __repr__(self) -> str:
        return f"Hit({self.start}, {self.end}, {self.term})"


class Openings:
    """A finite set of openings, for ``text.startswith(openings, at)``: the text's next few
    characters looked up, then its head of each length the openings sharing them have."""

    def __init__(self, openings: Sequence[str]) -> None:
        self.openings = frozenset(openings)
        self.head = min((len(o) for o in self.openings), default=0)
        groups: dict[str, list[str]] = {}
        for opening in sorted(self.openings):
            groups.setdefault(opening[: self.head], []).append(opening)
        self._groups = {
            head: (frozenset(group), sorted({len(o) for o in group}))
            for head, group in groups.items()
        }

    def opens(self, text: str, at: int = 0) -> bool:
        """Whether ``text[at:]`` starts with one of the openings."""
        n = len(text)
        group = self._groups.get(text[at : at + self.head]) if n - at >= self.head else None
        if group is None:
            return False
        openings, lengths = group
        for length in lengths:
            if at + length > n:
                return False
            if text[at : at + length] in openings:
                return True
        return False


def plain_case(text: str) -> bool:
    """True when ``text.lower()`` may stand in for a case-blind regex: same length, and
    IGNORECASE folds nothing that lower() keeps. Not so with "ı" or "ſ" (IGNORECASE matches
    them to "i" and "s") or "İ" (lower() makes two characters of it)."""
    return text.isascii() or not any(c in text for c in "İıſ")


class Leads:
    """A case-blind pattern every match of which opens with one of ``leads`` (lower case),
    tried only where those open in the lower-cased text: a search tries a pattern at every
    character (~1,000 instructions a character for the long alternations here)."""

    def __init__(self, pattern: re.Pattern[str], leads: tuple[str, ...]) -> None:
        assert pattern.flags & re.IGNORECASE
        self.pattern = pattern
        self.leads = leads

    def _places(self, low: str) -> list[int]:
        places: list[int] = []
        for lead in self.leads:
            at = low.find(lead)
            while at >= 0:
                places.append(at)
                at = low.find(lead, at + 1)
        places.sort()
        return places

    def search(self, text: str, low: str | None = None) -> bool:
        """Whether the pattern matches in ``text``; ``low``: its lower() if known."""
        if low is None:
            if not plain_case(text):
                return self.pattern.search(text) is not None
            low = text.lower()
        match = self.pattern.match
        return any(match(text, at) is not None for at in self._places(low))

    def finditer(self, text: str, low: str | None = None) -> list[re.Match[str]]:
        """``list(pattern.finditer(text))``; ``low``: its lower() if known."""
        if low is None:
            if not plain_case(text):
                return list(self.pattern.finditer(text))
            low = text.lower()
        out: list[re.Match[str]] = []
        end = 0
        for at in self._places(low):
            if at >= end and (m := self.pattern.match(text, at)) is not None:
                out.append(m)
                end = m.end()
        return out


def forms(*parts: str | Sequence[str]) -> tuple[str, ...]:
    """Every string made of one item of each part (a string is one item), in order: the
    finite language of a pattern such as ``(?:near|outside)(?: the)? ``, for endswith()."""
    items = [(part,) if isinstance(part, str) else part for part in parts]
    return tuple("".join(p) for p in product(*items))


class Endings:
    """A finite set of endings, for ``text.endswith(endings)`` or, with ``line_end``, for
    ``re.search("(?:...)$", text)`` with the pattern whose language it is ("$" also matches
    before a final line break). A search tries the pattern at every character, endswith()
    compares every ending in turn: this looks the text's last few characters up, then its
    tail of each length the endings sharing them have."""

    def __init__(self, endings: Sequence[str], line_end: bool = True) -> None:
        self.endings = frozenset(endings)
        self.line_end = line_end
        self.tail = min((len(e) for e in self.endings), default=0)
        groups: dict[str, list[str]] = {}
        for ending in sorted(self.endings):
            groups.setdefault(ending[-self.tail :], []).append(ending)
        self._groups = {
            tail: (frozenset(group), sorted({len(e) for e in group}))
            for tail, group in groups.items()
        }

    def ends(self, text: str) -> bool:
        """Whether ``text`` ends with one of the endings."""
        return self._ends(text, len(text)) or (
            self.line_end and text[-1:] == "\n" and self._ends(text, len(text) - 1)
        )

    def _ends(self, text: str, n: int) -> bool:
        group = self._groups.get(text[n - self.tail : n]) if n >= self.tail else None
        if group is None:
            return False
        endings, lengths = group
        for length in lengths:
            if length > n:
                return False
            if text[n - length : n] in endings:
                return True
        return False


def lower_same_length(text: str) -> str:
    """Lower-case ``text`` without changing its length, so offsets map back to it."""
    low = text.lower()
    if len(low) == len(text):
        return low
    # A few characters grow when lower-cased ("İ"): keep those as they are.
    return "".join(c if len(c := ch.lower()) == 1 else ch for ch in text)


def ascii_fold(text: str) -> str:
    """``text`` without its accents and anything else not ASCII ("Goïta" -> "Goita")."""
    if text.isascii():
        return text
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def ascii_letters(text: str) -> bytes:
    """``text`` as ASCII, same length: each non-ASCII letter or digit \\x01 ("ï" in "Goïta"),
    any other non-ASCII character ("—", "’") a blank."""
    data = text.encode("ascii", "replace")  # a "?" for each non-ASCII character
    if text.isascii():
        return data
    # The few non-ASCII characters, found among the "?" with a C search each (where an
    # error handler would be a Python call with an exception object per run of them).
    out = bytearray(data)
    at = data.find(b"?")
    while at >= 0:
        ch = text[at]
        if ch != "?":
            out[at] = 1 if ch.isalnum() else 32
        at = data.find(b"?", at + 1)
    return bytes(out)


def words_only(text: str) -> str:
    """``text`` lower-cased, non-alphanumerics (and non-ASCII) as spaces; same length."""
    data = text.encode("ascii", "replace").translate(_WORD_BYTES)
    return data.decode("ascii")


def _key(phrase: str) -> str:
    return " ".join(words_only(phrase.rstrip("*")).split())


class PhraseSet:
    """A set of case-insensitive phrases with ids."""

    def __init__(self) -> None:
        self._ids: dict[tuple[str, bool], int] = {}
        self._automaton: Any = None

    def add(self, phrase: str) -> int:
        """The id of ``phrase`` (case, punctuation and spacing ignored), adding it if new."""
        key = (_key(phrase), phrase.strip().endswith("*"))
        if not key[0]:
            raise ValueError(f"empty phrase {phrase!r}")
        if self._automaton is not None and key not in self._ids:
            raise RuntimeError("phrase set already compiled")
        return self._ids.setdefault(key, len(self._ids))

    def __len__(self) -> int:
        return len(self._ids)

    def compile(self) -> None:
        automaton = ahocorasick.Automaton()
        # A word key " attack " and a prefix key " attack" are distinct automaton keys.
        for (key, prefix), term in self._ids.items():
            text = f" {key}" if prefix else f" {key} "
            # The value tells how far back the match starts and where the word ends.
            automaton.add_word(text, (len(key) + (0 if prefix else 1), 0 if prefix else 1, term))
        automaton.make_automaton()
        self._automaton = automaton

    def scan(self, text: str) -> list[Hit]:
        """Hits of the phrases in ``text`` (any case), in order of their end."""
        if self._automaton is None:
            self.compile()
        # The padding spaces make the first and last words matchable; they shift offsets
        # by one, which ``last - length`` absorbs.
        padded = f" {words_only(text)} "
        # (Typed, so that mypyc unpacks tuples and subtracts natively.)
        found: list[tuple[int, tuple[int, int, int]]] = list(self._automaton.iter(padded))
        return [Hit(last - back, last - trail, term) for last, (back, trail, term) in found]

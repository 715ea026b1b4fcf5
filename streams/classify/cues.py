"""Keyword cues compiled for one Aho-Corasick pass, evaluated per sentence.

A cue is written in the taxonomy as a string of alternative phrases, ``"clash* | gun
battle*"`` (whole words; ``*`` allows any word ending), or as ``{near: [A, N, B]}``: a
phrase of A followed, in the same sentence, by a phrase of B at most N words later. Either
form takes an optional ``weight``. The text is scanned once; a sentence's cues are then
looked up from the terms found in it, so sentences with no term cost nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from streams.text.scan import Hit, PhraseSet


@dataclass(frozen=True)
class Cue:
    label: Any  # what the cue stands for: (event type, sub-type), a topic, a dampener
    weight: float
    first: frozenset[int]
    gap: int = -1  # -1: a plain cue; else the most words between ``first`` and ``then``
    then: frozenset[int] = frozenset()
    # ``first`` and ``then`` as bytes indexed by term id, 1 for a member: testing a hit's
    # term boxes and hashes no int.
    first_mask: bytes = field(init=False, repr=False, compare=False)
    then_mask: bytes = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "first_mask", _mask(self.first))
        object.__setattr__(self, "then_mask", _mask(self.then))


def _mask(terms: frozenset[int]) -> bytes:
    out = bytearray(max(terms, default=-1) + 1)
    for term in terms:
        out[term] = 1
    return bytes(out)


def _has(mask: bytes, term: int) -> bool:
    return term < len(mask) and mask[term] == 1


def alternatives_of(phrases: PhraseSet, alternatives: str) -> frozenset[int]:
    """The term ids of ``a | b | c``, each added to ``phrases``."""
    words = [p.strip() for p in str(alternatives).split("|")]
    if not all(words):
        raise ValueError(f"empty alternative in cue {alternatives!r}")
    return frozenset(phrases.add(p) for p in words)


def parse_cue(phrases: PhraseSet, spec: Any, label: Any, weight: float) -> Cue:
    """A cue from its taxonomy form (see the module docstring)."""
    if isinstance(spec, str):
        return Cue(label, weight, alternatives_of(phrases, spec))
    if not isinstance(spec, dict):
        raise ValueError(f"cue must be a string or a mapping, not {spec!r}")
    weight = float(spec.get("weight", weight))
    if "near" in spec:
        first, gap, then = spec["near"]
        return Cue(
            label, weight, alternatives_of(phrases, first), int(gap), alternatives_of(phrases, then)
        )
    if "any" in spec:
        return Cue(label, weight, alternatives_of(phrases, spec["any"]))
    raise ValueError(f"cue mapping needs 'any' or 'near': {spec!r}")


class CueIndex:
    """Cues indexed by their first terms, so only cues with a chance are evaluated."""

    def __init__(self, cues: Iterable[Cue]) -> None:
        self.cues = tuple(cues)
        # The cues each term opens, indexed by term id (a list: no int is boxed or hashed).
        size = max((t + 1 for cue in self.cues for t in cue.first), default=0)
        by_term: list[list[int]] = [[] for _ in range(size)]
        for n, cue in enumerate(self.cues):
            for term in cue.first:
                by_term[term].append(n)
        self._by_term = by_term

    def matches(self, text: str, hits: list[Hit]) -> list[Cue]:
        """Cues satisfied by ``hits`` (the hits of one sentence of ``text``), in list order."""
        candidates: list[int] = []
        by_term = self._by_term
        size = len(by_term)
        for hit in hits:
            if hit.term < size:
                candidates += by_term[hit.term]
        if not candidates:
            return []
        candidates.sort()
        out = []
        last = -1
        for n in candidates:
            if n != last:  # (a cue two terms open is listed twice)
                last = n
                cue = self.cues[n]
                if cue.gap < 0 or _near(text, hits, cue):
                    out.append(cue)
        return out


def _near(text: str, hits: list[Hit], cue: Cue) -> bool:
    # The B phrases first: with none (the usual case) no A phrase need be looked at.
    then = cue.then_mask
    b_starts = [hit.start for hit in hits if _has(then, hit.term)]
    if not b_starts:
        return False
    spaces = cue.gap + 1  # N words between two phrases means N + 1 spaces
    first = cue.first_mask
    for hit in hits:
        if _has(first, hit.term):
            a_end = hit.end
            for b_start in b_starts:
                if b_start >= a_end and text.count(" ", a_end, b_start) <= spaces:
                    return True
    return False


def by_sentence(hits: list[Hit], spans: list[tuple[int, int]]) -> list[list[Hit]]:
    """The hits falling in each sentence span (hits and spans both in text order)."""
    out: list[list[Hit]] = [[] for _ in spans]
    if not spans:
        return out
    i, n = 0, len(spans)
    low, high = spans[0]
    # By start (a hit's order in its sentence's list does not matter).
    for hit in sorted(hits, key=_start):
        start = hit.start
        while high <= start:
            i += 1
            if i == n:
                return out
            low, high = spans[i]
        if start >= low and hit.end <= high:
            out[i].append(hit)
    return out


def _start(hit: Hit) -> int:
    return hit.start

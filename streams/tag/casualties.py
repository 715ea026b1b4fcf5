"""Fatality and injury figures from one sentence, following ACLED's conventions.

ACLED codes the lowest credible figure: "at least two" is 2, "over 30" is 30, "dozens" is 12,
"tens" 10, "hundreds" 100; vague words ("several", "many") leave the figure unknown. A
figure that a party to the fighting claims about its enemy ("the rebels said they killed
dozens") is kept apart as a claim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_WORDS = {
    "one": 1, "a": 1, "an": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "a dozen": 12, "dozen": 12,
    "dozens": 12, "tens": 10, "scores": 20, "hundreds": 100, "a hundred": 100,
    "thousands": 1000,
}  # fmt: skip
_VAGUE = ("several", "many", "numerous", "some", "a few", "few", "a number")
_NUMBER = r"\d{1,3}(?:,\d{3})+|\d+|" + "|".join(
    sorted((re.escape(w) for w in (*_WORDS, *_VAGUE)), key=len, reverse=True)
)
_QUALIFIER = (
    r"(?:at least|more than|over|nearly|almost|around|about|some|up to|as many as|roughly|"
    r"approximately|an estimated|upwards of|fewer than|less than)"
)
# A quantity, possibly qualified, quoted ('dozens') or a range ("10 to 15": lowest kept).
_QTY = (
    rf"(?:{_QUALIFIER}\s+)?['\"]?(?P<num>{_NUMBER})(?!\w|,\d)['\"]?"
    rf"(?:\s*(?:-|to|and|or)\s*(?:{_NUMBER}))?"
)
_GAP = r"(?:[\s,]+(?!and\b|but\b)[\w'-]+){0,4}?[\s,]+"
_DEATH = (
    r"(?:(?:were|was|have been|had been|are|reportedly|were reportedly|being)\s+)*"
    r"(?:killed|dead|died|lost their lives|perished|slain|shot dead|massacred)\b"
)
_HURT = r"(?:(?:were|was|have been|had been|are|reportedly)\s+)*(?:wounded|injured|hurt)\b"


def _patterns(after_verb: str, before_verb: str) -> tuple[re.Pattern[str], ...]:
    return tuple(
        re.compile(p, re.IGNORECASE)
        for p in (
            rf"\b(?:{after_verb})\s+{_QTY}",  # "killing at least two civilians"
            rf"\b{_QTY}{_GAP}{before_verb}",  # "over 30 soldiers reportedly lost their lives"
            rf"\b{_QTY}\s+{before_verb}",  # "12 dead"
        )
    )


_KILLED = (
    *_patterns(r"killing|killed|kills|kill", _DEATH),
    re.compile(rf"\b(?:death toll|toll)\b(?:\s+\w+){{0,3}}?\s+(?:to|at|of)\s+{_QTY}", re.I),
    re.compile(rf"\bdeaths? of\s+{_QTY}", re.IGNORECASE),
    re.compile(rf"\b{_QTY}\s+(?:deaths|fatalities|bodies)\b", re.IGNORECASE),
)
_WOUNDED = (
    *_patterns(r"wounding|injuring|wounded|injured|injures|wounds", _HURT),
    re.compile(rf"\b{_QTY}\s+(?:injuries|casualties were injuries)\b", re.IGNORECASE),
)
_CLAIM = (
    re.compile(r"\b(?:claim(?:s|ed|ing)?|boast(?:s|ed|ing)?|tout(?:s|ed|ing)?)\b", re.I),
    re.compile(
        r"\b(?:report(?:s|ed)?|sa(?:id|ys)|announc(?:ed|es)|stat(?:ed|es)|suggest(?:s|ed|ing))"
        r"\s+(?:that\s+)?(?:they|it|we)\s+(?:had\s+|have\s+)?"
        r"(?:killed|eliminated|neutrali[sz]ed|destroyed)\b",
        re.IGNORECASE,
    ),
)


# Cheap test first: most sentences mention no death or injury at all.
_ANY = re.compile(
    r"kill|dead|died|death|lives|perish|slain|massacre|toll|fatalit|bodies|wound|injur|hurt",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Casualties:
    """Figures from one sentence; ``None`` when absent or too vague to count."""

    killed: int | None = None
    wounded: int | None = None
    claimed: bool = False


def _value(word: str) -> int | None:
    word = word.lower()
    if word[0].isdigit():
        value = int(word.replace(",", ""))
        # A bare 19xx/20xx is far more often a year ("in 2015 rebels killed") than a toll.
        return None if "," not in word and 1900 <= value <= 2099 else value
    return _WORDS.get(word)  # vague words map to None


def _lowest(patterns: tuple[re.Pattern[str], ...], sentence: str) -> int | None:
    figures = [
        value
        for pattern in patterns
        for match in pattern.finditer(sentence)
        if (value := _value(match.group("num"))) is not None
    ]
    return min(figures) if figures else None


def is_claim(sentence: str) -> bool:
    """True when the sentence reports a party's own claim of kills."""
    return any(p.search(sentence) for p in _CLAIM)


def extract_casualties(sentence: str) -> Casualties:
    """Killed and wounded in ``sentence`` (lowest credible figure), and whether claimed."""
    if not _ANY.search(sentence):
        return Casualties()
    killed = _lowest(_KILLED, sentence)
    wounded = _lowest(_WOUNDED, sentence)
    claimed = (killed is not None or wounded is not None) and is_claim(sentence)
    return Casualties(killed, wounded, claimed)

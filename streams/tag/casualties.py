"""Fatality and injury figures from one sentence, following ACLED's conventions.

ACLED codes the lowest credible figure: "at least two" is 2, "over 30" is 30, "dozens" is 12,
"tens" 10, "hundreds" 100; vague words ("several", "many") leave the figure unknown. A
figure that a party to the fighting claims about its enemy ("the rebels said they killed
dozens") is kept apart as a claim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from streams.tag.quantities import (
    DEATH,
    DEATH_OR_INJURY,
    DIGIT,
    GAP,
    HURT,
    NUMBER_WORDS,
    QTY,
    STARTERS,
    WORDS,
)
from streams.text.scan import Leads, ascii_letters, plain_case

# A pattern with the words one of which the (lower-cased) sentence must contain for it to
# match: a substring test skips most regex searches.
Cued = tuple[tuple[str, ...], re.Pattern[str]]
_DEATH_WORDS = ("killed", "dead", "died", "lives", "perished", "slain", "massacred")
_HURT_WORDS = ("wounded", "injured", "hurt")


def _patterns(after_verb: str, leads: tuple[str, ...]) -> tuple[Leads, ...]:
    return (
        # "killing at least two civilians"
        Leads(re.compile(rf"\b(?:{after_verb})['\"]?\s+{QTY}", re.IGNORECASE), leads),
    )


def _anchored(before_verb: str, needs: tuple[str, ...]) -> tuple[Cued, ...]:
    """Patterns that open with the quantity: tried only where a quantity starts (a regex
    that opens with a long alternation costs 80 us per sentence when searched)."""
    return tuple(
        (needs, re.compile(p, re.IGNORECASE))
        for p in (
            rf"{QTY}{GAP}{before_verb}",  # "over 30 soldiers reportedly lost their lives"
            rf"{QTY}\s+{before_verb}",  # "12 dead"
        )
    )


_KILLED = (
    *_patterns(
        r"killing|killed|kills|kill|executed|executing|massacred|massacring|slaughtered|"
        r"slaughtering|beheaded|beheading|murdered|murdering|gunned down|shot dead",
        ("kill", "execut", "massacr", "slaughter", "behead", "murder", "gunned down", "shot dead"),
    ),
    Leads(
        re.compile(
            rf"\b(?:death toll|toll)\b(?:\s+\w+){{0,3}}?\s+"
            r"(?:to|at|of|from|exceeded|reached|surpassed|passed|stood at|climbed to)"
            rf"\s+{QTY}",
            re.I,
        ),
        ("death toll", "toll"),
    ),
    Leads(re.compile(rf"\b(?:deaths?|bodies) of\s+{QTY}", re.IGNORECASE), ("death", "bodies")),
    # "claimed the lives of 16", "claims 16 lives"
    Leads(
        re.compile(rf"\bclaim(?:s|ed|ing)?\s+(?:the\s+lives\s+of\s+)?{QTY}", re.IGNORECASE),
        ("claim",),
    ),
)
_KILLED_AT = (
    *_anchored(DEATH, _DEATH_WORDS),
    (
        ("deaths", "fatalities", "bodies"),
        re.compile(rf"{QTY}\s+(?:deaths|fatalities|bodies)\b", re.IGNORECASE),
    ),
)
_WOUNDED = _patterns(r"wounding|injuring|wounded|injured|injures|wounds", ("wound", "injur"))
_WOUNDED_AT = (
    *_anchored(HURT, _HURT_WORDS),
    (
        ("injuries",),
        re.compile(rf"{QTY}\s+(?:injuries|casualties were injuries)\b", re.IGNORECASE),
    ),
)
# A figure one side gives about the other's losses. "Claims" by witnesses, relatives or
# officials about victims, and claims of responsibility, are not such claims.
_CLAIM_WORD = Leads(
    re.compile(
        r"\b(?:claim(?:s|ed|ing)?|boast(?:s|ed|ing)?|tout(?:s|ed|ing)?)\b"
        r"(?! responsibility| the lives| (?:at least |more than |over )?\S+ lives)",
        re.I,
    ),
    ("claim", "boast", "tout"),
)
_VICTIM_SIDE = Leads(
    re.compile(
        r"\b(?:locals?|witness(?:es)?|residents?|relatives|survivors|activists|medics|doctors|"
        r"hospital|rights groups?|monitor|testimon(?:y|ies))\b",
        re.IGNORECASE,
    ),
    (
        *("local", "witness", "resident", "relatives", "survivors", "activists", "medics"),
        *("doctors", "hospital", "rights group", "monitor", "testimon"),
    ),
)
_CLAIM_NEEDS = ("killed", "eliminated", "neutrali", "destroyed")
_CLAIM = (
    # A party reporting what its own side did to the enemy: "the army said its troops killed".
    Leads(
        re.compile(
            r"\b(?:report(?:s|ed)?|sa(?:id|ys)|announc(?:ed|es)|stat(?:ed|es)|suggest(?:s|ed|ing)|"
            r"claim(?:s|ed)?)\b[^.;]{0,60}?\b(?:they|it|we|its (?:troops|forces|fighters|soldiers|"
            r"men|units)|their (?:fighters|forces|troops)|our (?:forces|troops|fighters))\s+"
            r"(?:had\s+|have\s+|has\s+)?(?:killed|eliminated|neutrali[sz]ed|destroyed)\b",
            re.IGNORECASE,
        ),
        ("report", "said", "says", "announc", "stat", "suggest", "claim"),
    ),
)


# A toll for a whole war or period, not for one event.
_CUMULATIVE = Leads(
    re.compile(
        r"\b(?:since (?:the (?:war|conflict|fighting|start|beginning)|(?:19|20)\d\d|last|early|"
        r"late|january|february|march|april|may|june|july|august|september|october|november|"
        r"december)|growing (?:list|number|toll)|so far|"
        r"so far this year|this year alone|in total|overall|cumulative|the war has killed|"
        r"conflict has killed|fighting has killed|war that has killed|have been killed in the war|"
        r"death toll (?:in|of|from) the (?:war|conflict))\b",
        re.IGNORECASE,
    ),
    (
        *("since ", "growing ", "so far", "this year alone", "in total", "overall", "cumulative"),
        *("the war has killed", "conflict has killed", "fighting has killed"),
        *("war that has killed", "have been killed in the war", "death toll "),
    ),
)


# Not frozen: a dataclass's generated __init__ runs interpreted (~2 us with frozen's
# object.__setattr__); this one mypyc compiles. The fields are never reassigned.
@dataclass(init=False, unsafe_hash=True)
class Casualties:
    """Figures from one sentence; ``None`` when absent or too vague to count."""

    killed: int | None
    wounded: int | None
    claimed: bool

    def __init__(
        self, killed: int | None = None, wounded: int | None = None, claimed: bool = False
    ) -> None:
        self.killed = killed
        self.wounded = wounded
        self.claimed = claimed


# Most sentences have no figure: one shared (frozen) answer saves building one each time.
_NO_FIGURES = Casualties()


def _value(word: str) -> int | None:
    word = word.lower()
    if word[0].isdigit():
        value = int(word.replace(",", ""))
        # A bare 19xx/20xx is far more often a year ("in 2015 rebels killed") than a toll.
        return None if "," not in word and 1900 <= value <= 2099 else value
    return WORDS.get(word)  # vague words map to None


# TOKEN's runs of [\w-] (\w: a letter, digit or "_"), in the ASCII form of a sentence where
# non-ASCII letters and digits are \x01: anything else a blank.
_RUN_BYTES = bytes(
    c if (c < 128 and (chr(c).isalnum() or chr(c) in "_-")) or c == 1 else 32 for c in range(256)
)


def _starts(sentence: str) -> list[int]:
    r"""Offsets where a quantity may start: of each word (``TOKEN``, with its opening
    quote) that begins with a digit or is a starter. (The runs are cut by C passes over
    the bytes, where sre would test each character against \w in the Unicode tables.)"""
    out = []
    at = 0
    for run in ascii_letters(sentence).translate(_RUN_BYTES).split(b" "):
        if run:
            word = sentence[at : at + len(run)].lower()
            if word[:1].isdigit() or word in STARTERS:
                out.append(at - 1 if at and sentence[at - 1] in "'\"" else at)
        at += len(run) + 1
    return out


_SUBSET = (
    "including ",
    "among them ",
    "of them ",
    "of whom ",
    "among whom ",
    "including at least ",
)


def _lowest(
    patterns: tuple[Leads, ...],
    anchored: tuple[Cued, ...],
    sentence: str,
    starts: list[int],
    low: str | None,
) -> int | None:
    """``low``: the lower-cased sentence when ``plain_case``, else None (every pattern
    runs)."""
    matches: list[re.Match[str]] = []
    for pattern in patterns:
        matches += pattern.finditer(sentence, low)
    matches += [
        m
        for needs, pattern in anchored
        if low is None or any(w in low for w in needs)
        for at in starts
        if (m := pattern.match(sentence, at))
    ]
    # "15 people, including two children, were killed": the part is not the toll.
    figures = [
        v
        for m in matches
        if (v := _value(m.group("num"))) is not None
        and not sentence[max(0, m.start("num") - 16) : m.start("num")].endswith(_SUBSET)
    ]
    return min(figures) if figures else None


def is_cumulative(sentence: str) -> bool:
    """True when the sentence's toll covers a war or a period rather than one event."""
    return _CUMULATIVE.search(sentence)


def is_claim(sentence: str) -> bool:
    """True when the sentence reports a party's own claim of kills."""
    low = sentence.lower() if plain_case(sentence) else None
    if (low is None or any(w in low for w in _CLAIM_NEEDS)) and any(
        p.search(sentence, low) for p in _CLAIM
    ):
        return True
    return _CLAIM_WORD.search(sentence, low) and not _VICTIM_SIDE.search(sentence, low)


def extract_casualties(sentence: str) -> Casualties:
    """Killed and wounded in ``sentence`` (lowest credible figure), and whether claimed."""
    low = sentence.lower()
    if not any(w in low for w in DEATH_OR_INJURY):
        return _NO_FIGURES
    if not DIGIT.search(sentence) and not any(w in low for w in NUMBER_WORDS):
        return _NO_FIGURES
    starts = _starts(sentence)
    plain_low = low if plain_case(sentence) else None
    killed = _lowest(_KILLED, _KILLED_AT, sentence, starts, plain_low)
    wounded = _lowest(_WOUNDED, _WOUNDED_AT, sentence, starts, plain_low)
    claimed = (killed is not None or wounded is not None) and is_claim(sentence)
    return Casualties(killed, wounded, claimed)

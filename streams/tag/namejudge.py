"""How a capitalised span is judged: person, organisation, place or nothing.

The rules look at the span's own words (given names, organisation head words, titles) and
at a few characters around it ("spokesman X", "X said", "the village of X", "X district").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from streams.tag.lexicon import Lexicon, load_lexicon
from streams.text.scan import Endings, Openings, ascii_fold, forms

# Arabic articles glued to the next part of a name: "Abbas al-Obaidi", "Abu Mahdi al-Muhandis".
GLUED_ARTICLES = r"(?:al|el|ad|as|ash|an|ar|az)-"
POSSESSIVE = re.compile(r"['’]s?$|-(?:[a-z][\w]*)$")
_LINK_WORDS = frozenset(("of", "the", "for", "and", "&"))
_SAID = ("said", "says", "told", "added", "wrote", "stated", "explained", "noted", "warned")
_SAID_PREFIXES = tuple(f" {w}" for w in _SAID) + tuple(f", {w}" for w in _SAID)
# Right before a name of unknown kind: a place, even when it opens with a given name.
_AT_PLACE = (" in ", " at ", " near ", " outside ")
_SAID_BEFORE = tuple(f"{w} " for w in ("said", "according to", "told", "says", "asked"))
_MEDIA_HEADS = frozenset(
    (
        "Radio",
        "Times",
        "News",
        "Express",
        "Post",
        "Herald",
        "Tribune",
        "Journal",
        "Gazette",
        "TV",
        "Television",
        "Broadcasting",
        "Press",
        "Agency",
    )
)
_ROLES = (
    "member|mother|father|son|daughter|wife|husband|brother|sister|resident|survivor|victim|"
    "farmer|trader|driver|worker|owner|head|chair|chairperson|lecturer|fellow|candidate|"
    "deputy|aide|representative|coordinator|founder|president|minister"
)
# The only words stripped from the front of an organisation's name: sentence openers.
_ORG_OPENERS = frozenset(
    (
        "The",
        "A",
        "An",
        "In",
        "On",
        "At",
        "For",
        "From",
        "But",
        "And",
        "Or",
        "By",
        "With",
        "To",
        "Of",
        "After",
        "Before",
        "While",
        "When",
        "As",
        "Former",
        "Then",
        "Its",
        "Their",
        "His",
        "Her",
        "Our",
        "Both",
        "Meanwhile",
        "However",
        "According",
        "Under",
        "Over",
        "Since",
    )
)
LEGAL_SUFFIX = re.compile(r",?\s+(?:Inc\.?|Ltd\.?|LLC|PLC|plc|Corp\.?|Co\.|S\.A\.|AG|GmbH)$")
_BASED = re.compile(r"^[\w'’]+-(?:based|led|backed|run|funded|owned|aligned|affiliated|born)$")
_LIST_CUE = Endings(
    forms(
        (
            *("villages", "towns", "localities", "areas", "communities", "districts"),
            *("neighbourhoods", "neighborhoods", "camps"),
        ),
        (" of", " including", " such as", " like"),
        " ",
    )
)


def _list_cue(before: str) -> bool:
    """``before`` (lower-cased) ends by introducing a list of places."""
    return _LIST_CUE.ends(before)


# Not frozen: a dataclass's generated __init__ runs interpreted (~2 us with frozen's
# object.__setattr__); this one mypyc compiles. The fields are never reassigned.
@dataclass(init=False, unsafe_hash=True)
class Name:
    text: str
    type: str  # person / organization / location / media
    start: int
    end: int

    def __init__(self, text: str, type: str, start: int, end: int) -> None:
        self.text = text
        self.type = type
        self.start = start
        self.end = end


@lru_cache(maxsize=4)
def _apposition(titles: frozenset[str]) -> re.Pattern[str]:
    words = "|".join(sorted({re.escape(t.lower()) for t in titles}, key=len, reverse=True))
    return re.compile(
        rf", (?:who\b|aged\b|\d+,|(?:a|an|the|his|her|its)\s(?:[\w'-]+\s){{0,4}}?"
        rf"(?:{words}|{_ROLES})\b)",
        re.IGNORECASE,
    )


_OF_AFTER_ACRONYM = re.compile(r" \([A-Z]{2,8}\) of (?:the )?[A-Z][\w'’-]*(?: [A-Z][\w'’-]*){0,3}")


@lru_cache(maxsize=1)
def _org_apposition() -> re.Pattern[str]:
    """An apposition such as ", the group that ...": up to two words (no "of": "a member
    of the group") before the noun."""
    nouns = "|".join(re.escape(n) for n in load_lexicon().org_appositives)
    return re.compile(rf", (?:a|an|the) (?:(?!of\b)[\w'-]+ ){{0,2}}?(?:{nouns})\b")


@dataclass(frozen=True)
class _Words:
    """Everything find_names needs that depends only on the lexicon and the titles."""

    titles: frozenset[str]
    lower_titles: Endings
    place_before: Endings
    place_after: Openings  # after a name: " village", " State"
    place_ending: Endings  # the same, ending a name: "Borno State"


@lru_cache(maxsize=4)
def _words_for(titles: frozenset[str]) -> _Words:
    lex = load_lexicon()
    place_after = [f" {cue}" for cue in lex.place_after]
    return _Words(
        frozenset({*titles, *(t[:1].upper() + t[1:] for t in titles)}),
        # "Gen. X Y": a full stop ends a span, so a dotted title is only ever before one.
        Endings(
            [f"{t.lower()} " for t in titles if t[:1].islower() or t.endswith(".")],
            line_end=False,
        ),
        Endings([f"{cue} " for cue in lex.place_before], line_end=False),
        Openings(place_after),
        Endings(place_after, line_end=False),
    )


class Judge:
    def __init__(self, text: str, titles: frozenset[str]) -> None:
        self.text = text
        self.lex: Lexicon = load_lexicon()
        words = _words_for(titles)
        self.titles = words.titles
        self.lower_titles = words.lower_titles
        self.apposition = _apposition(titles)
        self.place_before = words.place_before
        self.place_after = words.place_after
        self.place_ending = words.place_ending

    def strip(
        self, words: list[tuple[str, int]], org: bool = False
    ) -> tuple[list[tuple[str, int]], bool]:
        """Leading words that are not part of a name (and whether a title was among them)."""
        titled = False
        stop = _ORG_OPENERS if org else self.lex.non_name
        while words and (
            words[0][0] in stop
            or words[0][0] in self.titles
            or words[0][0] in _LINK_WORDS
            or ("-" in words[0][0] and _BASED.match(words[0][0]))
        ):
            titled = titled or words[0][0] in self.titles
            words = words[1:]
        while words and words[-1][0] in _LINK_WORDS:
            words = words[:-1]
        return words, titled

    def org(self, words: list[tuple[str, int]]) -> tuple[int, str] | None:
        """(words in the organisation's name, kind) when the run names an organisation."""
        tokens = [w for w, _ in words]
        heads = [i for i, t in enumerate(tokens) if i > 0 and t in self.lex.org_heads]
        if len(tokens) > 2 and tokens[0] in self.lex.org_openers and tokens[1] == "of":
            heads.append(len(tokens) - 1)
        if not heads:
            return None
        last = max(heads)
        # "Merseyside Police Assistant Chief Constable Alex Goss": the name ends at its head
        # unless "of"/"for" carries it on.
        size = len(tokens) if any(t in ("of", "for") for t in tokens[last:]) else last + 1
        kind = "media" if any(t in _MEDIA_HEADS for t in tokens[:size]) else "organization"
        return size, kind

    def org_after(self, end: int) -> bool:
        """An apposition after ``text[:end]`` says an organisation ends there."""
        return _org_apposition().match(self.text, end, end + 60) is not None

    def of_after_acronym(self, end: int) -> int:
        """Where "Electoral Commission (EC) of Ghana" ends, given the end of its head part
        (``end`` itself when no "(ACRONYM) of Name" follows)."""
        found = _OF_AFTER_ACRONYM.match(self.text, end)
        return found.end() if found else end

    def place_context(self, start: int, end: int) -> bool:
        """Words around ``text[start:end]`` that make it a place."""
        text = self.text
        before = text[max(0, start - 40) : start].lower()
        return (
            self.place_before.ends(before)
            or self.place_after.opens(text, end)
            or before.endswith(" called ")
            or _list_cue(before)
        )

    def is_first_name(self, word: str) -> bool:
        return word in self.lex.given_names or ascii_fold(word) in self.lex.given_names

    def kind(
        self, words: list[tuple[str, int]], titled: bool
    ) -> tuple[str, list[tuple[str, int]]] | None:
        """The type of the name in ``words`` and its words (a person may sit at the end of a
        longer run: "EC Chairperson Jean Mensa", "Following Mekhi Mews")."""
        text = self.text
        tokens = [w for w, _ in words]
        start, end = words[0][1], words[-1][1] + len(words[-1][0])
        before = text[max(0, start - 40) : start].lower()
        after = text[end : end + 40]
        if self.place_before.ends(before) or self.place_after.opens(after):
            return "location", words
        if len(tokens) > 1 and self.place_ending.ends(f" {' '.join(tokens[1:])}"):
            return "location", words  # "Bukkuyum Local Government Area", "Borno State"
        if _list_cue(before) or (len(tokens) <= 2 and before.endswith(" called ")):
            return "location", words
        if not titled and self.lower_titles.endings:
            titled = self.lower_titles.ends(before)
        plain = 2 <= len(tokens) <= 4 and not any(
            t in _LINK_WORDS or (t.isupper() and len(t) > 1) for t in tokens
        )  # "PREMIUM TIMES": a masthead, not a person
        if plain and not titled and before.endswith(_AT_PLACE) and after[:1] not in "'’":
            return "location", words  # "killed in Mai Tsebri", "storm Nacho Junction at"
        if plain and (titled or self.is_first_name(tokens[0])):
            return "person", words
        inner = self._inner_person(words)
        if inner is not None and inner is not words:
            # "Abdiqadir Mohamed Nor, the governor": an unknown given name before a known
            # one, the whole span cued as a person.
            if (
                len(inner) == len(words) - 1
                and plain
                and self._whole_name(tokens[0])
                and self._person_cue(end, before, after)
            ):
                return "person", words
            return "person", inner
        if not plain:
            return None
        if self._person_cue(end, before, after):
            return "person", words
        return None

    def _person_cue(self, end: int, before: str, after: str) -> bool:
        """ "X Y said", "told X Y", "X Y, the governor of ..." """
        if after.lower().startswith(_SAID_PREFIXES) or before.endswith(_SAID_BEFORE):
            return True
        if after.startswith(" who "):  # "a cameo from Kieron Pollard who smashed"
            return True
        return (
            after.startswith(", ") and self.apposition.match(self.text, end, end + 80) is not None
        )

    def _whole_name(self, word: str) -> bool:
        """Whether ``word``, before a given name, can open the name itself: not an English
        sentence opener ("Following Mekhi Mews", "Speaking", "Earlier", "Armed")."""
        if word in self.lex.non_name or word in _ORG_OPENERS or not word.isalpha():
            return False
        return not word.endswith(("ing", "ly", "ed", "er"))

    def _inner_person(self, words: list[tuple[str, int]]) -> list[tuple[str, int]] | None:
        """The words after the last title, or from the first given name, when that leaves
        a 2-5 word name with no capitalised-only word."""
        tokens = [w for w, _ in words]
        cut = max((i + 1 for i, t in enumerate(tokens) if t in self.titles), default=0)
        if cut == 0:
            cut = next((i for i, t in enumerate(tokens) if self.is_first_name(t)), -1)
            if cut <= 0:
                return None
        rest = words[cut:]
        names = [w for w, _ in rest if w not in ("bin", "ibn", "al", "de", "van", "von", "da")]
        if not 2 <= len(names) <= 4 or any(w in _LINK_WORDS or w.isupper() for w in names):
            return None
        return rest

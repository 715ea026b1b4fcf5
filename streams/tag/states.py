"""State labels: "Military Forces of X", "Police Forces of X", "Government of X".

Every reference to a country's armed forces, police or national executive is written under
one of three labels per country (tests/eval/GUIDELINES.md, organizations rule 2). The words
and verbs are data (states.yaml); this module holds the small rules that read them: how a
country's title is written in a label, which role a KB kind or a found name stands for, and
whether a country named as a sentence's subject is the doer of an act.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from streams.tag.data import read_data
from streams.tag.records import Record

if TYPE_CHECKING:  # (the gazetteer imports the knowledge base, which imports this module)
    from streams.tag.gazetteer import Match

ROLES = ("military", "police", "government")


@dataclass(frozen=True)
class StateWords:
    labels: dict[str, str]  # role -> "Military Forces of {state}"
    kinds: dict[str, str]  # role -> the kind the label carries
    the_words: frozenset[str]
    the_titles: frozenset[str]
    alone: dict[str, tuple[str, ...]]  # role -> words naming the body by themselves
    tied: dict[str, tuple[str, ...]]  # role -> words naming it only with a country
    not_national: frozenset[str]
    armed_verbs: frozenset[str]
    other_verbs: frozenset[str]


@lru_cache(maxsize=1)
def load_states() -> StateWords:
    data = read_data("states.yaml")
    return StateWords(
        labels=dict(data["labels"]),
        kinds=dict(data["kinds"]),
        the_words=frozenset(data["the_words"]),
        the_titles=frozenset(data["the_titles"]),
        alone={r: tuple(data[r]["alone"]) for r in ROLES},
        tied={r: tuple(data[r]["tied"]) for r in ROLES},
        not_national=frozenset(data["not_national"]),
        armed_verbs=frozenset(data["doer_verbs"]["armed"]),
        other_verbs=frozenset(data["doer_verbs"]["other"]),
    )


def state_title(title: str, the_words: frozenset[str], the_titles: frozenset[str]) -> str:
    """A country's Wikipedia title as a label writes it: "the United States", "Mali"."""
    if title.startswith("The "):
        return title
    if title in the_titles or any(w in the_words for w in title.split()):
        return f"the {title}"
    return title


def state_label(role: str, title: str) -> str:
    """ "Military Forces of Mali" for ("military", "Mali")."""
    words = load_states()
    return words.labels[role].format(state=state_title(title, words.the_words, words.the_titles))


def role_of_kind(kind: str | None) -> str | None:
    """The role of a knowledge-base kind written "state/ROLE", else None."""
    if kind is None or not kind.startswith("state/"):
        return None
    role = kind[6:]
    if role not in ROLES:
        raise ValueError(f"kind {kind!r}: the role must be one of {', '.join(ROLES)}")
    return role


# Found names (not in the knowledge base) that are a state body under a name of their own:
# a police force at any level ("Merseyside Police", "Lagos State Police Command"), a
# numbered or regional unit ("Eighth Division", "Eastern Command"), a ministry.
_POLICE_NAME = re.compile(r"\b(?:Police|Gendarmerie)\b(?: (?:Force|Service|Command|Department))?$")
_UNIT_NAME = re.compile(
    r"^(?:(?:[0-9]+(?:st|nd|rd|th)?|First|Second|Third|Fourth|Fifth|Sixth|Seventh|Eighth|"
    r"Ninth|Tenth|Eleventh|Twelfth|[A-Z][a-z]+teenth|Twentieth|Thirtieth)(?: [A-Z][a-z]+)* "
    r"(?:Division|Brigade|Battalion|Regiment|Corps|Command|Brigade Command|Military Region)|"
    r"(?:Northern|Southern|Eastern|Western|Central) (?:Command|Military Region|Corps))"
    r"(?: of (?:the )?[A-Z].*)?$"
)
_MINISTRY_NAME = re.compile(r"^(?:Ministry|Ministries) (?:of|for) |^Federal Ministry ")


def role_of_name(name: str) -> str | None:
    """The state role a found organisation's name stands for, if any."""
    if _POLICE_NAME.search(name):
        return "police"
    if _UNIT_NAME.match(name):
        return "military"
    if _MINISTRY_NAME.match(name):
        return "government"
    return None


# Words between a subject and its verb: "Russia has also launched", "Qatar has been hosting".
_AUXILIARIES = frozenset(
    (
        *("also", "already", "now", "then", "still", "not", "reportedly", "allegedly"),
        *("has", "have", "had", "is", "are", "was", "were", "been", "be", "last", "this"),
        *("week", "month", "year", "earlier", "later", "recently", "previously", "today"),
        *("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    )
)
_PROGRESSIVE = frozenset(("been", "is", "are", "was", "were"))
_NOT_SUBJECT = frozenset(
    (
        *("in", "on", "of", "to", "from", "with", "against", "for", "into", "at", "over"),
        *("near", "across", "toward", "towards", "between", "about", "like", "than", "via"),
        *("the", "a", "an", "through", "under", "inside", "outside", "within", "around"),
    )
)
_WORD = re.compile(r"[A-Za-z]+")
_NAME = r"[A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*)*"
# The rest of a list of names after the first: "Russia and the United States are ..."
_MORE_NAMES = re.compile(rf"(?:(?:,| and|, and) (?:the )?{_NAME})+")
# The start of the list ending right before a name: "by Turkey, the EU and (the US)".
_NAMES_BEFORE = re.compile(rf"(?:{_NAME}(?:, and |, | and )(?:the )?)+$")
# An agent after "by" is the doer: "recognised by the US", "its purchase by the United States".
_BY = re.compile(r"\bby (?:the )?$")
# ... when the agent is the country itself, not "by the US military", "by Yemen's Houthis".
_AGENT_ENDS = re.compile(
    r"\s*(?:[.,;:)\n]|$| (?:in|on|at|and|or|to|for|since|after|before|last|this|during|over|"
    r"with|as|until|[0-9]))"
)
_ARMED_BEFORE = re.compile(r"\b(?:killed|attack|attacked|strike|struck|shelling|bombing|shot)\b")


def _verb_role(words: StateWords, after: list[str]) -> str | None:
    """The role of the act whose verb opens ``after`` (auxiliaries and adverbs skipped)."""
    progressive = False
    for word in after[:5]:
        if word in words.armed_verbs:
            return "military"
        if word in words.other_verbs:
            return "government"
        if progressive and len(word) > 4 and word.endswith("ing"):
            return "government"  # "has been hosting", "are discussing"
        if word not in _AUXILIARIES:
            return None
        progressive = progressive or word in _PROGRESSIVE
    return None


_LISTED = (", ", " and ", ", the ", " and the ")
_AGENT = ("by ", "by the ")


def _head(text: str, start: int) -> str:
    """The text before a name, a list of names it closes left out ("by Turkey, the EU
    and (the US)", "Russia and (the United States)")."""
    head = text[max(0, start - 80) : start]
    if head.endswith(_LISTED):
        names = _NAMES_BEFORE.search(head)
        if names is not None and " and " in names.group():
            return head[: names.start()]
    return head


def doer_role(text: str, start: int, end: int) -> str | None:
    """The role of a country (or capital) named at ``text[start:end]`` as the doer of an
    act: "military" for an armed act ("Russia launched 40 drones"), "government" for any
    other ("Chad announced", "Kyiv would have to", "recognised by the US"), else None
    ("sanctions on Russia")."""
    if text[end : end + 1] == "." and "." in text[start:end]:
        end += 1  # "The U.S. has carried out": the abbreviation's last dot
    near = text[max(0, start - 10) : start]
    head = _head(text, start) if near.endswith(_LISTED) or near.endswith(_AGENT) else near
    if head.endswith(_AGENT) and _BY.search(head):
        if not _AGENT_ENDS.match(text, end):
            return None  # "by the US military", "by Yemen's Houthis"
        return "military" if _ARMED_BEFORE.search(head[-40:]) else "government"
    if text[end : end + 1] != " ":
        return None  # "Russia's", "Mali-based", "Russia," ...
    if head.endswith(" "):
        cut = head.rfind(" ", 0, len(head) - 1)
        last = head[cut + 1 : -1] if cut >= 0 else head[:-1]
        if last.lower() in _NOT_SUBJECT:
            return None
    rest = text[end : end + 120]
    if rest.startswith((", ", " and ")) and (more := _MORE_NAMES.match(rest)) is not None:
        rest = rest[more.end() :]
    return _verb_role(load_states(), _WORD.findall(rest[:48]))


def is_capital(record: Record, capitals: dict[str, str]) -> bool:
    return record.type == "location" and capitals.get(record.name) == record.country_code


def doers(
    text: str,
    matches: list[Match],
    states: dict[tuple[str, str], Record],
    capitals: dict[str, str],
) -> list[tuple[int, int, Record]]:
    """State labels for countries and capitals named as the doer of an act: (start, end,
    label) over the country's or capital's own span."""
    out: list[tuple[int, int, Record]] = []
    for m in matches:
        record = m.record
        code = record.country_code
        if m.demonym or code is None:
            continue
        if record.type != "country" and not is_capital(record, capitals):
            continue
        role = doer_role(text, m.start, m.end)
        label = states.get((code, role)) if role else None
        if label is not None:
            out.append((m.start, m.end, label))
    return out


def found_body(
    role: str,
    inside: list[Match],
    states: dict[tuple[str, str], Record],
    country: str | None,
) -> Record | None:
    """The state label of a found organisation's name of state ``role`` ("Merseyside
    Police" -> Police Forces of the United Kingdom): of the country named inside it
    (``inside``: the gazetteer's matches in the name), else of ``country``, the one the
    article is about."""
    code = next((m.record.country_code for m in inside if m.record.country_code), country)
    return states.get((code, role)) if code else None


@lru_cache(maxsize=1)
def _label_prefixes() -> tuple[str, ...]:
    return tuple(label.split("{")[0] for label in load_states().labels.values())


def is_state_label(name: str) -> bool:
    """ "Government of Mali": a country's institution, no more particular than the country."""
    return name.startswith(_label_prefixes())

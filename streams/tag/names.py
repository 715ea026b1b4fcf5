"""Names that are not in the knowledge base: people, organisations and places found from
capitalised spans and the words around them ("spokesman X Y", "X Y said", "the village of
X", "X district", "Merseyside Police"). They are reported unlinked (no id).

One regex pass finds every capitalised span; each span is then judged by set look-ups on
its own words and a few characters of context, so the cost grows with the number of names,
not with the size of the lexicon.
"""

from __future__ import annotations

import re

from streams.tag.gazetteer import Match
from streams.tag.namejudge import GLUED_ARTICLES, LEGAL_SUFFIX, POSSESSIVE, Judge, Name
from streams.tag.quantities import trie

# A capitalised word (or an initial, "F."), and lower-case particles inside names.
# (One leading character class: a pattern opening with an alternation is three times slower.)
# Possessive and atomic: nothing after a word or a particle could match once it gave some
# back (a particle needs its blank, a word its capital), so sre need keep no way back.
_WORD = r"[A-ZÀ-ÞĀ-Ž](?:\.(?:[A-Z]\.)*+|[\w'’]*+(?:-[A-ZÀ-Þa-z][\w'’]*+)*+)"
# fmt: off
_PARTICLE = trie([
    "of", "the", "for", "and", "de", "del", "della", "da", "do", "dos", "das", "du", "al", "el",
    "bin", "ibn", "van", "von", "der", "den", "la", "le", "wa", "&",
])
# fmt: on
# No look-behind (it doubles the cost): a span glued to a word ("pro-Russian") is skipped
# in Python instead.
_SPAN = re.compile(rf"{_WORD}(?>[ ](?:{_PARTICLE}[ ])*+(?:{GLUED_ARTICLES})?+{_WORD})*+")


def _words(match: re.Match[str]) -> list[tuple[str, int]]:
    out, at = [], match.start()
    for word in match.group().split(" "):
        out.append((word, at))
        at += len(word) + 1
    return out


def _split(words: list[tuple[str, int]], sep: frozenset[str]) -> list[list[tuple[str, int]]]:
    runs: list[list[tuple[str, int]]] = [[]]
    for w in words:
        if w[0] in sep:
            runs.append([])
        else:
            runs[-1].append(w)
    return [r for r in runs if r]


def _title_case_end(text: str) -> int:
    """End of a Title Case headline at the top of ``text`` (0 if none): every word of such
    a headline is capitalised, so capitals there say nothing about names."""
    end = text.find("\n")
    head = text[: end if end >= 0 else len(text)].split()
    capitalised = sum(1 for w in head if w[:1].isupper())
    return end if len(head) >= 4 and capitalised >= 0.7 * len(head) else 0


def _owner(near: list[Match], at: int, end: int) -> str | None:
    """The type of the linked mention owning ``text[at:end]``: that of its first character
    a mention covers, people and organisations winning over what they cover (the places
    and countries in "Rwanda Meteorology Agency"); the last one given among equals."""
    first = end
    for m in near:
        if m.start < end and m.end > at:
            first = min(first, max(m.start, at))
    if first == end:
        return None
    kind: str | None = None
    named = False  # whether ``kind`` is a person or an organisation
    for m in near:
        if m.start <= first < m.end:
            k = m.record.type
            person = k in ("person", "organization")
            if person or not named:
                kind, named = k, person
    return kind


def _first(mention: Match) -> int:
    return mention.start


def _ordered(mentions: list[Match]) -> bool:
    return all(mentions[i].start <= mentions[i + 1].start for i in range(len(mentions) - 1))


def find_names(text: str, taken: list[Match], titles: frozenset[str]) -> list[Name]:
    """Unlinked names in ``text``. ``taken`` are the linked mentions: a person or
    organisation cuts a span; a country or place may sit inside an organisation's name
    ("Rwanda Meteorology Agency") but not inside a person's."""
    judge = Judge(text, titles)
    non_name = judge.lex.non_name
    found: list[Name] = []
    # The mentions by start (the gazetteer's order already), walked along with the spans:
    # ``linked`` is the end of the last one opening where a span does.
    by_start = taken if _ordered(taken) else sorted(taken, key=_first)
    j, n = 0, len(by_start)
    for match in _SPAN.finditer(text, _title_case_end(text)):
        start, end = match.span()
        while j < n and by_start[j].start < start:
            j += 1
        linked = -1
        k = j
        while k < n and by_start[k].start == start:
            linked = by_start[k].end
            k += 1
        # The commonest verdicts first: most spans are a linked name ("Mali's").
        if linked >= end - 2 or end - start < 3:
            continue
        group = match.group()
        if group in non_name:
            continue
        if start and (text[start - 1].isalnum() or text[start - 1] in "'’-"):
            continue
        if " " not in group and not judge.place_context(start, end):
            continue  # one word alone is a name only as a place ("the village of Mbuhi")
        words = _words(match)
        word, at = words[-1]
        if "'" in word or "’" in word or "-" in word:
            words[-1] = (POSSESSIVE.sub("", word), at)
        near = [m for m in taken if m.start < end and m.end > start]
        marks = [_owner(near, at, at + len(w)) for w, at in words]
        if all(marks):
            continue
        segment: list[tuple[str, int]] = []
        free: list[tuple[str, int]] = []
        for (word, at), mark in [*zip(words, marks, strict=True), (("", -1), "person")]:
            if mark in ("person", "organization"):
                if segment:  # (an empty one yields nothing)
                    found.extend(_segment(judge, segment, free))
                    segment, free = [], []
            else:
                segment.append((word, at))
                if mark is None:
                    free.append((word, at))
    return found


def _segment(
    judge: Judge,
    words: list[tuple[str, int]],
    free: list[tuple[str, int]],
) -> list[Name]:
    org_words, _ = judge.strip(words, org=True)
    words, titled = judge.strip(words)
    if org_words and judge.org(org_words) is not None:
        words = org_words
    if not words:
        return []
    kept = set(free)
    out: list[Name] = []
    tokens = [w for w, _ in words]
    if "of" in tokens[2:] and (titled or judge.is_first_name(tokens[0])):
        # "Ali Hassan of the German Press Agency": a person, then where they work.
        at = tokens.index("of", 2)
        person = judge.kind(words[:at], True)
        if person is not None and person[0] == "person":
            part = person[1]
            start, end = part[0][1], part[-1][1] + len(part[-1][0])
            out.append(Name(" ".join(w for w, _ in part), "person", start, end))
            words, titled = judge.strip(words[at + 1 :])
            if not words:
                return out
    org = judge.org(words)
    if org is not None:
        size, kind = org
        name_words = words[:size]
        start, end = name_words[0][1], name_words[-1][1] + len(name_words[-1][0])
        if any(w in kept for w in name_words):  # not wholly a linked place
            name = LEGAL_SUFFIX.sub("", judge.text[start:end])
            stop = start + len(name)
            if stop == end and (longer := judge.of_after_acronym(end)) > end:
                # "Electoral Commission (EC) of Ghana": the name goes on after its acronym.
                rest = judge.text[judge.text.index(") of ", end) + 2 : longer]
                name, stop = f"{name} {rest}", longer
            out.append(Name(name, kind, start, stop))
        words, titled = judge.strip(words[size:])
        if not words:
            return out
    last = words[-1][1] + len(words[-1][0])
    if (
        2 <= len(words) <= 5
        and not titled
        and not judge.is_first_name(words[0][0])
        and any(w in kept for w in words)
        and judge.org_after(last)
    ):  # "Hami Nepal, the group that ...": a country inside does not cut it
        start = words[0][1]
        return [*out, Name(judge.text[start:last], "organization", start, last)]
    runs = [words]
    if any(w not in kept for w in words):
        # A place inside: a titled name keeps it ("Superintendent Mohan Chandra Regmi",
        # Mohan being a town too); anything else is judged around it.
        whole = judge.kind(words, True) if titled else None
        if whole is None or whole[0] != "person":
            runs = _split_at_gaps(words, [w for w in words if w in kept])
    for run in runs:
        for part in _split(run, frozenset(("and", "&"))) if len(run) > 1 else [run]:
            part, _ = judge.strip(part)
            if not part:
                continue
            found = judge.kind(part, titled)
            if found is not None:
                kind, part = found
                start, end = part[0][1], part[-1][1] + len(part[-1][0])
                out.append(Name(" ".join(w for w, _ in part), kind, start, end))
    return out


def _split_at_gaps(
    words: list[tuple[str, int]], free: list[tuple[str, int]]
) -> list[list[tuple[str, int]]]:
    keep = set(free)
    runs: list[list[tuple[str, int]]] = [[]]
    for w in words:
        if w in keep:
            runs[-1].append(w)
        else:
            runs.append([])
    return [r for r in runs if r]

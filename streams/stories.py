"""Stories: articles (or events inside them) about the same real-world development.

Two units join one story when, within the story window, they are near-duplicates
(MinHash over word shingles) or report the same event: compatible event types and the
same place, or the same country and largely the same actors. Story ids come from the
first unit, so they are stable as long as units are processed in the same order (the
story stage sees to that).
"""

from __future__ import annotations

import zlib
from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from .ids import short_hash
from .tag.states import is_state_label

NUM_PERM = 64
BANDS, ROWS = 16, 4  # LSH: candidates at Jaccard ≈ (1/16)^(1/4) = 0.5 and above
SHINGLE = 5
MAX_WORDS = 400  # the lead is enough to tell a near-duplicate, and bounds the cost
INDEX_CAP = 20  # story ids kept per index key: bounded state, newest first
# Article ids kept per story (the newest); the count goes on. A big story stays a small value
# in the changelogged table and in every alert message.
MEMBERS_CAP = 200


@dataclass(frozen=True)
class StoryParams:
    window: float = 72 * 3600.0
    near_duplicate: float = 0.5
    actor_overlap: float = 0.5
    min_shared_actors: int = 3


@dataclass(frozen=True)
class Unit:
    """What gets a story: a whole article, or one event reported inside it."""

    key: str
    at: float
    event_type: str
    country: str | None
    place: str | None
    actors: frozenset[str]
    signature: tuple[int, ...] | None = None


_RNG = np.random.default_rng(7)
# Multiply-shift hashing (mod 2**64, odd multipliers): one hash function per permutation.
_MUL = _RNG.integers(1, 2**63, size=(NUM_PERM, 1), dtype=np.uint64) | np.uint64(1)
_ADD = _RNG.integers(0, 2**63, size=(NUM_PERM, 1), dtype=np.uint64)
_POWERS = np.array([pow(1000003, k, 2**64) for k in range(SHINGLE)], dtype=np.uint64)


def signature(text: str) -> tuple[int, ...] | None:
    """MinHash of the text's word 5-shingles (vectorised; ~0.3 ms for a seed article)."""
    # split() is ~3x faster than a regex here; punctuation stays on words, which is harmless.
    words = text[: MAX_WORDS * 8].lower().split()[:MAX_WORDS]
    if len(words) < SHINGLE:
        return None
    # crc32: fast and the same in every process (Python's hash() is salted per process).
    word_hashes = np.fromiter((zlib.crc32(w.encode()) for w in words), np.uint64, len(words))
    windows = np.lib.stride_tricks.sliding_window_view(word_hashes, SHINGLE)
    # No np.unique: a repeated shingle cannot change a minimum. The shift is monotonic, so
    # it is applied to the 64 minima only.
    with np.errstate(over="ignore"):
        hashed = _MUL * (windows @ _POWERS)[None, :]
        hashed += _ADD
    return tuple((hashed.min(axis=1) >> np.uint64(32)).tolist())


def similarity(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    return float(np.mean(np.asarray(a) == np.asarray(b)))


def index_keys(unit: Unit) -> list[str]:
    keys: list[str] = []
    if unit.signature is not None:
        for band in range(BANDS):
            rows = unit.signature[band * ROWS : (band + 1) * ROWS]
            keys.append(f"b{band}:{short_hash(*map(str, rows))}")
    if unit.place:
        keys.append(f"p:{unit.place}")
    keys.extend(f"a:{actor}" for actor in sorted(unit.actors))
    return keys


def _same_event(unit: Unit, story: dict[str, Any], params: StoryParams) -> float:
    if unit.event_type != story["event_type"]:
        return 0.0
    if unit.place and unit.place == story.get("place") and unit.event_type != "None":
        return 1.0
    shared = unit.actors & set(story["actors"])
    smaller = min(len(unit.actors), len(story["actors"])) or 1
    overlap = len(shared) / smaller
    same_country = unit.country is None or unit.country == story.get("country")
    if unit.event_type != "None" and not same_country:
        return 0.0
    if len(shared) >= params.min_shared_actors and overlap >= params.actor_overlap:
        return overlap
    return 0.0


def score(unit: Unit, story: dict[str, Any], params: StoryParams) -> float:
    if abs(unit.at - story["last_at"]) > params.window:
        return 0.0
    if unit.signature is not None and story.get("signature"):
        near = similarity(unit.signature, tuple(story["signature"]))
        if near >= params.near_duplicate:
            return 1.0 + near  # a near-duplicate beats any same-event match
    return _same_event(unit, story, params)


def assign(
    unit: Unit,
    stories: MutableMapping[str, dict[str, Any]],
    index: MutableMapping[str, list[str]],
    params: StoryParams,
) -> tuple[str, bool]:
    """Put ``unit`` into its story (creating one if none fits); return (story id, is new)."""
    keys = index_keys(unit)
    candidates = {sid for key in keys for sid in index.get(key, [])}
    best: tuple[float, float, str] | None = None
    for sid in candidates:
        story = stories.get(sid)
        if story is None:
            continue
        s = score(unit, story, params)
        if s > 0 and (best is None or (-s, story["first_at"], sid) < (-best[0], best[1], best[2])):
            best = (s, story["first_at"], sid)
    if best is None:
        sid, is_new = "s-" + short_hash("story", unit.key), True
        story = {
            "id": sid,
            "first_at": unit.at,
            "last_at": unit.at,
            "event_type": unit.event_type,
            "country": unit.country,
            "place": unit.place,
            "actors": sorted(unit.actors),
            "signature": list(unit.signature) if unit.signature else None,
            "members": [],
            "size": 0,
        }
    else:
        sid, is_new = best[2], False
        story = dict(stories[sid])
        story["last_at"] = max(story["last_at"], unit.at)
    article = unit.key.split("#", 1)[0]
    if article not in story["members"]:
        story["members"] = [*story["members"], article][-MEMBERS_CAP:]
        story["size"] = story.get("size", 0) + 1
    stories[sid] = story
    for key in keys:
        ids = index.get(key, [])
        if sid not in ids:
            index[key] = [sid, *ids][:INDEX_CAP]
    return sid, is_new


def article_unit(tagged: dict[str, Any], sig: tuple[int, ...] | None, top: int = 8) -> Unit:
    # A state label says no more about the story than its country does.
    ranked = sorted(
        (e for e in tagged["entities"] if e["type"] != "country" and not is_state_label(e["name"])),
        key=lambda e: (-e.get("mentions", 1), e["name"]),
    )
    primary = tagged.get("primary_location")
    place = primary.get("name") if isinstance(primary, dict) else None
    return Unit(
        key=tagged["id"],
        at=tagged["ingested_at"],
        event_type=tagged["event_type"],
        country=tagged.get("primary_country"),
        place=place,
        actors=frozenset(e["name"] for e in ranked[:top]),
        signature=sig,
    )


def event_unit(tagged: dict[str, Any], event: dict[str, Any]) -> Unit:
    """A secondary event reported inside an article is a development of its own."""
    n = next((i for i, e in enumerate(tagged.get("events", [])) if e == event), 0)
    place = event.get("location")
    if isinstance(place, dict):
        place = place.get("name")
    return Unit(
        key=f"{tagged['id']}#{n}",
        at=tagged["ingested_at"],
        event_type=event["event_type"],
        country=event.get("country_code"),
        place=place,
        actors=frozenset([place]) if place else frozenset(),
    )

"""Score wirewatch's analysis against hand-labelled articles (tests/eval/*.jsonl).

Each line holds an article (title, body, published_at), its ``split`` (dev or test) and its
``gold`` labels (tests/eval/GUIDELINES.md). The article goes through clean -> classify ->
tag exactly as in the pipeline; the scorer then reports event-type accuracy, conflict vs
not-conflict F1, micro precision/recall/F1 for countries, persons, organisations,
locations and topics, and exact-match accuracy of the killed figure where gold has one.

Names match when their normalised forms (case, accents, punctuation, a leading "the"
folded; for places also a trailing "region"/"province"/"state"...) are equal, or when the
knowledge base lists both as names of the same entity ("FAMa" and "Malian Armed Forces").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import orjson

from streams.analysis import classify_record, tag_record

SPLITS = ("all", "dev", "test")
ENTITY_FIELDS = ("countries", "persons", "organizations", "locations", "topics")
# The goals; test_eval_goals.py asserts them on the full set.
GOALS = {
    "event_type_accuracy": 0.85,
    "conflict_f1": 0.95,
    "countries_f1": 0.90,
    "persons_f1": 0.85,
    "organizations_f1": 0.85,
    "locations_f1": 0.75,
    "killed_accuracy": 0.85,
}
_PLACE_SUFFIX = re.compile(
    r" (?:region|province|state|oblast|governorate|district|department|county|territory|"
    r"prefecture|municipality|local government area|lga|city)$"
)
_DROP = re.compile(r"[^a-z0-9]+")


class EvalError(ValueError):
    """An evaluation file that cannot be read; ``str()`` names file and line."""


def normalise(name: str, place: bool = False) -> str:
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    text = " ".join(_DROP.sub(" ", folded.lower()).split())
    text = text.removeprefix("the ")
    return _PLACE_SUFFIX.sub("", text) if place else text


@lru_cache(maxsize=1)
def _alias_ids() -> dict[tuple[str, str], frozenset[str]]:
    """(type, normalised alias) -> ids of the KB records it names."""
    from streams.tag.kb import load_kb

    out: dict[tuple[str, str], set[str]] = {}
    for entry in load_kb().entries:
        record = entry.record
        if record.type in ("person", "organization", "location") and record.id:
            key = (record.type, normalise(entry.alias, record.type == "location"))
            out.setdefault(key, set()).add(record.id)
    return {k: frozenset(v) for k, v in out.items()}


def _keys(name: str, kind: str) -> frozenset[str]:
    norm = normalise(name, kind == "location")
    return frozenset({norm, *_alias_ids().get((kind, norm), ())})


def match_names(gold: Iterable[str], pred: Iterable[str], kind: str) -> tuple[list, list, list]:
    """(matched pairs, missed gold, spurious predictions), each name used once."""
    gold_keys = [(g, _keys(g, kind)) for g in dict.fromkeys(gold)]
    pred_keys = [(p, _keys(p, kind)) for p in dict.fromkeys(pred)]
    matched, missed = [], []
    for g, gk in gold_keys:
        hit = next((i for i, (_, pk) in enumerate(pred_keys) if gk & pk), None)
        if hit is None:
            missed.append(g)
        else:
            matched.append((g, pred_keys.pop(hit)[0]))
    # A second predicted name for an entity already matched is not an error of its own.
    spurious = [p for p, pk in pred_keys if not any(pk & _keys(q, kind) for _, q in matched)]
    return matched, missed, spurious


def predict(item: dict[str, Any]) -> dict[str, Any]:
    raw = {k: item.get(k) for k in ("id", "title", "body", "published_at", "url", "source")}
    tagged = tag_record(classify_record(raw))
    by_type: dict[str, list[str]] = {"person": [], "organization": [], "location": []}
    for e in tagged["entities"]:
        if e["type"] in by_type and e.get("role") != "source":
            by_type[e["type"]].append(e["name"])
    return {
        "event_type": tagged["event_type"],
        "event_subtype": tagged.get("event_subtype"),
        "topics": tagged["topics"],
        "countries": tagged["countries"],
        "persons": by_type["person"],
        "organizations": by_type["organization"],
        "locations": by_type["location"],
        "killed": tagged["killed"],
    }


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def figures(self) -> tuple[float, float, float]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)


@dataclass
class Result:
    item: dict[str, Any]
    pred: dict[str, Any]
    errors: dict[str, Any] = field(default_factory=dict)
    tallies: dict[str, Tally] = field(default_factory=dict)


def score_item(item: dict[str, Any], pred: dict[str, Any]) -> Result:
    gold = item["gold"]
    result = Result(item, pred)
    for name in ENTITY_FIELDS:
        kind = {"persons": "person", "organizations": "organization", "locations": "location"}
        if name in kind:
            matched, missed, spurious = match_names(gold.get(name) or [], pred[name], kind[name])
            tally = Tally(len(matched), len(spurious), len(missed))
        else:
            g, p = set(gold.get(name) or []), set(pred[name])
            missed, spurious = sorted(g - p), sorted(p - g)
            tally = Tally(len(g & p), len(spurious), len(missed))
        result.tallies[name] = tally
        if missed or spurious:
            result.errors[name] = {"missed": list(missed), "spurious": list(spurious)}
    if gold.get("event_type") != pred["event_type"]:
        result.errors["event_type"] = {"gold": gold.get("event_type"), "pred": pred["event_type"]}
    if gold.get("killed") is not None and gold["killed"] != pred["killed"]:
        result.errors["killed"] = {"gold": gold["killed"], "pred": pred["killed"]}
    return result


def summarise(results: Sequence[Result]) -> dict[str, Any]:
    """Every figure for one split."""
    out: dict[str, Any] = {"articles": len(results)}
    if not results:
        return out
    gold_types = [r.item["gold"].get("event_type") or "None" for r in results]
    pred_types = [r.pred["event_type"] for r in results]
    out["event_type_accuracy"] = sum(
        g == p for g, p in zip(gold_types, pred_types, strict=True)
    ) / len(results)
    conflict = Tally()
    for g, p in zip(gold_types, pred_types, strict=True):
        conflict.tp += g != "None" and p != "None"
        conflict.fp += g == "None" and p != "None"
        conflict.fn += g != "None" and p == "None"
    out["conflict_precision"], out["conflict_recall"], out["conflict_f1"] = conflict.figures()
    for name in ENTITY_FIELDS:
        total = Tally()
        for r in results:
            t = r.tallies[name]
            total.tp, total.fp, total.fn = total.tp + t.tp, total.fp + t.fp, total.fn + t.fn
        p, rec, f1 = total.figures()
        out[f"{name}_precision"], out[f"{name}_recall"], out[f"{name}_f1"] = p, rec, f1
    with_killed = [r for r in results if r.item["gold"].get("killed") is not None]
    out["killed_articles"] = len(with_killed)
    out["killed_accuracy"] = (
        sum(r.pred["killed"] == r.item["gold"]["killed"] for r in with_killed) / len(with_killed)
        if with_killed
        else 1.0
    )
    return out


def load_items(paths: Iterable[str | Path]) -> list[dict[str, Any]]:
    items = []
    for path in paths:
        for n, line in enumerate(Path(path).read_text("utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                item = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                raise EvalError(f"{path}:{n}: not valid JSON ({exc})") from None
            if not isinstance(item, dict) or "body" not in item or "gold" not in item:
                raise EvalError(f"{path}:{n}: needs 'body' and 'gold'")
            if item.get("split") not in ("dev", "test"):
                raise EvalError(f"{path}:{n}: 'split' must be dev or test")
            item["_file"] = Path(path).name
            items.append(item)
    return items


def evaluate(items: Sequence[dict[str, Any]]) -> tuple[dict[str, dict[str, Any]], list[Result]]:
    results = [score_item(item, predict(item)) for item in items]
    report = {
        split: summarise([r for r in results if split == "all" or r.item["split"] == split])
        for split in SPLITS
    }
    return report, results

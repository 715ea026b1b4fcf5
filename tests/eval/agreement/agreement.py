#!/usr/bin/env python3
"""Inter-annotator agreement on list-valued labels of the evaluation set.

Compares two label files of the same shape, article by article (matched on "id"): micro
precision / recall / F1 of side B against side A as the reference, overall and per split
(dev/test), for organizations and persons (or --fields). Strings match exactly after Unicode
NFC normalisation, strip() and casefold(). Standard library only.

Each input is one or more JSONL files, one object a line with an "id", in either shape:
  - an eval file: labels under "gold" ({"id": ..., "split": ..., "gold": {"persons": [...]}})
  - an annotator file: labels at the top level ({"id": ..., "persons": [...]})
The shape is detected per line. Splits come from either side, else from the eval set.

Usage:
    python3 agreement.py                    # gold (conflict/other/seeds) vs second_annotator
    python3 agreement.py --diff             # also list per-article disagreements
    python3 agreement.py --fold-accents     # supplementary: also strip diacritics
    python3 agreement.py --a ../conflict.jsonl ../other.jsonl ../seeds.jsonl --b rerun.jsonl
    python3 agreement.py --a annotator1.jsonl --b annotator2.jsonl --fields locations
"""

import argparse
import json
import sys
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
EVAL = HERE.parent
GOLD_FILES = [EVAL / n for n in ("conflict.jsonl", "other.jsonl", "seeds.jsonl")]
SECOND = HERE / "second_annotator.jsonl"
FIELDS = ["organizations", "persons"]


def make_norm(fold_accents):
    def norm(s):
        s = unicodedata.normalize("NFC", s).strip().casefold()
        if fold_accents:  # supplementary view only; the reported figures use exact matching
            s = "".join(
                ch for ch in unicodedata.normalize("NFKD", s) if not unicodedata.combining(ch)
            )
        return s

    return norm


def load(paths, fields, side):
    """{id: {"split": str|None, field: list|None}} from eval- or annotator-shaped JSONL."""
    out = {}
    for path in paths:
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as e:
            sys.exit(f"{side}: cannot read {path}: {e}")
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                d = json.loads(line)
            except json.JSONDecodeError as e:
                sys.exit(f"{path}:{n}: invalid JSON: {e}")
            if not isinstance(d, dict) or "id" not in d:
                sys.exit(f'{path}:{n}: not an object with an "id"')
            labels = d["gold"] if isinstance(d.get("gold"), dict) else d
            rec = {"split": d.get("split")}
            for f in fields:
                v = labels.get(f)
                if v is not None and not (
                    isinstance(v, list) and all(isinstance(x, str) for x in v)
                ):
                    sys.exit(f"{path}:{n}: {f!r} of {d['id']} is not a list of strings")
                rec[f] = v
            if d["id"] in out:
                print(f"WARNING: {side}: duplicate id {d['id']} ({path}:{n}); last one kept")
            out[d["id"]] = rec
    return out


def eval_splits():
    splits = {}
    for path in GOLD_FILES:
        if path.exists():
            with open(path, encoding="utf-8") as fh:
                for line in fh:
                    if line.strip():
                        d = json.loads(line)
                        splits[d["id"]] = d.get("split")
    return splits


def prf(tp, n_pred, n_gold):
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--a",
        nargs="+",
        metavar="FILE",
        help="reference side (default: the eval set's gold labels)",
    )
    ap.add_argument(
        "--b",
        nargs="+",
        metavar="FILE",
        help="compared side (default: agreement/second_annotator.jsonl)",
    )
    ap.add_argument(
        "--fields",
        default=",".join(FIELDS),
        help="comma-separated list fields to compare (default: %(default)s)",
    )
    ap.add_argument("--diff", action="store_true", help="list per-article disagreements")
    ap.add_argument(
        "--fold-accents",
        action="store_true",
        help="supplementary view: strip diacritics before matching",
    )
    args = ap.parse_args(argv)

    fields = [f.strip() for f in args.fields.split(",") if f.strip()]
    norm = make_norm(args.fold_accents)
    a_paths = args.a or GOLD_FILES
    b_paths = args.b or [SECOND]
    a_name = "gold" if args.a is None else "A"
    b_name = "second" if args.b is None else "B"
    a = load(a_paths, fields, a_name)
    b = load(b_paths, fields, b_name)
    known_splits = None

    only_a = sorted(set(a) - set(b))
    only_b = sorted(set(b) - set(a))
    for name, ids in ((a_name, only_a), (b_name, only_b)):
        if ids:
            more = f" … (+{len(ids) - 10})" if len(ids) > 10 else ""
            print(
                f"WARNING: {len(ids)} ids only in {name}, not scored: {', '.join(ids[:10])}{more}"
            )
    for name, side in ((a_name, a), (b_name, b)):
        for f in fields:
            absent = sorted(i for i in set(a) & set(b) if side[i][f] is None)
            if absent:
                print(
                    f"WARNING: {name}: {len(absent)} articles have no {f!r} (scored as "
                    f"empty): {', '.join(absent[:5])}{' …' if len(absent) > 5 else ''}"
                )

    # counts[field][split] = [tp, n_b, n_a, n_articles]
    counts = {f: {} for f in fields}
    diffs = {f: [] for f in fields}
    for aid in sorted(set(a) & set(b)):
        split = a[aid]["split"] or b[aid]["split"]
        if split is None:
            if known_splits is None:
                known_splits = eval_splits()
            split = known_splits.get(aid) or "?"
        for f in fields:
            aset = {norm(x) for x in (a[aid][f] or [])}
            bset = {norm(x) for x in (b[aid][f] or [])}
            tp = len(aset & bset)
            for key in ("all", split):
                c = counts[f].setdefault(key, [0, 0, 0, 0])
                c[0] += tp
                c[1] += len(bset)
                c[2] += len(aset)
                c[3] += 1
            if aset != bset:
                diffs[f].append((aid, split, sorted(aset - bset), sorted(bset - aset)))

    b_col = "pred" if args.b is None else b_name
    print(
        f"{'field':<14}{'split':<7}{'arts':>5}{'TP':>6}{b_col:>6}{a_name:>6}"
        f"{'P':>8}{'R':>8}{'F1':>8}"
    )
    for f in fields:
        keys = [
            "all",
            "dev",
            "test",
            *sorted(k for k in counts[f] if k not in ("all", "dev", "test")),
        ]
        for key in keys:
            if key not in counts[f]:
                continue
            tp, nb, na, narts = counts[f][key]
            if nb == na == 0:  # nothing labelled on either side: agreement undefined
                prf_cols = f"{'-':>8}{'-':>8}{'-':>8}"
            else:
                prf_cols = "".join(f"{x:>8.3f}" for x in prf(tp, nb, na))
            print(f"{f:<14}{key:<7}{narts:>5}{tp:>6}{nb:>6}{na:>6}{prf_cols}")

    if args.diff:
        width = max(len(a_name), len(b_name)) + len(" only:")
        for f in fields:
            print(f"\n=== {f}: {len(diffs[f])} articles disagree ===")
            for aid, split, a_only, b_only in diffs[f]:
                print(f"{aid} [{split}]")
                if a_only:
                    print(f"   {(a_name + ' only:'):<{width}} {a_only}")
                if b_only:
                    print(f"   {(b_name + ' only:'):<{width}} {b_only}")


if __name__ == "__main__":
    main()

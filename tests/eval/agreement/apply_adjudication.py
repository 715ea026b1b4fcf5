#!/usr/bin/env python3
"""Write the adjudicated persons/organizations (agreement/adjudicated.jsonl) into the
"gold" objects of conflict.jsonl, other.jsonl and seeds.jsonl. Only those two lists change;
every other field, the key order and the line order stay as they are. Standard library only."""

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
EVAL = HERE.parent
FILES = [EVAL / n for n in ("conflict.jsonl", "other.jsonl", "seeds.jsonl")]

adj = {}
for line in (HERE / "adjudicated.jsonl").read_text(encoding="utf-8").splitlines():
    if line.strip():
        d = json.loads(line)
        adj[d["id"]] = d

seen = set()
for path in FILES:
    lines = path.read_text(encoding="utf-8").splitlines()
    out = []
    for line in lines:
        d = json.loads(line)
        a = adj[d["id"]]
        d["gold"]["persons"] = sorted(set(a["persons"]))
        d["gold"]["organizations"] = sorted(set(a["organizations"]))
        seen.add(d["id"])
        out.append(json.dumps(d, ensure_ascii=False))
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
missing = set(adj) - seen
assert not missing, missing
print(f"applied {len(seen)} articles")

"""Run the mypyc-compiled modules only when they were built from the sources as they are.

build_mypyc.py (``make build``) compiles the NLP hot path in place and records the hash of
each compiled source in streams/_native.json. An extension module shadows its .py, so after
an edit the old code would run silently. ``guard`` (run when ``streams`` is imported) looks
for extensions whose source changed or has no recorded hash and, if there is any, loads
every compiled module from its source instead, with a warning. All or none: compiled
modules call each other directly, not through module attributes, so a fresh source among
stale extensions would not be enough. ``WIREWATCH_PURE_PYTHON=1`` always loads sources.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import sys
import warnings
from collections.abc import Sequence
from importlib.machinery import EXTENSION_SUFFIXES, ModuleSpec
from pathlib import Path
from types import ModuleType

PACKAGE = Path(__file__).resolve().parent
MANIFEST = "_native.json"


def extensions(package: Path) -> dict[str, Path]:
    """Module name -> source path of each extension module under ``package`` (mypyc's
    shared library, which has no source, aside)."""
    out: dict[str, Path] = {}
    for folder, _, files in os.walk(package):
        for name in files:
            suffix = next((s for s in EXTENSION_SUFFIXES if name.endswith(s)), None)
            if suffix is None or name.endswith(f"__mypyc{suffix}"):
                continue
            source = Path(folder, name[: -len(suffix)] + ".py")
            parts = source.relative_to(package.parent).with_suffix("").parts
            out[".".join(parts)] = source
    return out


def stale(package: Path, compiled: dict[str, Path]) -> list[str]:
    """The sources (relative to the project root) of ``compiled`` that changed since the
    build, or that it did not record."""
    try:
        recorded = json.loads((package / MANIFEST).read_text())["sources"]
    except (OSError, ValueError, KeyError):
        recorded = {}
    root = package.parent
    out = []
    for source in compiled.values():
        key = source.relative_to(root).as_posix()
        try:
            fresh = hashlib.sha256(source.read_bytes()).hexdigest() == recorded.get(key)
        except OSError:  # the source is gone
            fresh = False
        if not fresh:
            out.append(key)
    return sorted(out)


class _FromSource:
    """A meta path finder that loads the given modules from their .py files."""

    def __init__(self, sources: dict[str, Path]) -> None:
        self.sources = sources

    def find_spec(
        self, name: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        source = self.sources.get(name)
        if source is None:
            return None
        if not source.exists():
            raise ModuleNotFoundError(f"{name}: its source is gone (run make build)", name=name)
        return importlib.util.spec_from_file_location(name, source)


def guard(package: Path = PACKAGE) -> list[str]:
    """Make the compiled modules load from source when any is stale; the stale sources."""
    compiled = extensions(package)
    if not compiled:
        return []
    changed = stale(package, compiled)
    pure = os.environ.get("WIREWATCH_PURE_PYTHON", "") not in ("", "0")
    if changed or pure:
        sys.meta_path.insert(0, _FromSource(compiled))
    if changed and not pure:
        more = f" and {len(changed) - 1} more" if len(changed) > 1 else ""
        warnings.warn(
            f"wirewatch: {changed[0]}{more} changed since the mypyc build; running the pure"
            " Python sources (run make build)",
            RuntimeWarning,
            stacklevel=2,
        )
    return changed

"""The guard against stale mypyc extensions (streams/native.py)."""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import sys
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

import pytest

from streams import native

SUFFIX = EXTENSION_SUFFIXES[0]


def _package(tmp_path: Path) -> Path:
    """A package ``pkgx`` with one module and a bogus extension of it (importing that
    extension would fail), and a shared library with no source."""
    package = tmp_path / "pkgx"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "mod.py").write_text("WHERE = 'source'\n")
    (package / f"mod{SUFFIX}").write_bytes(b"not an extension")
    (package / f"_native__mypyc{SUFFIX}").write_bytes(b"")
    return package


def _record(package: Path) -> None:
    digest = hashlib.sha256((package / "mod.py").read_bytes()).hexdigest()
    (package / native.MANIFEST).write_text(json.dumps({"sources": {"pkgx/mod.py": digest}}))


def test_an_extension_is_fresh_only_while_its_source_is_as_built(tmp_path: Path) -> None:
    package = _package(tmp_path)
    compiled = native.extensions(package)
    assert compiled == {"pkgx.mod": package / "mod.py"}
    assert native.stale(package, compiled) == ["pkgx/mod.py"]  # no hash recorded
    _record(package)
    assert native.stale(package, compiled) == []
    (package / "mod.py").write_text("WHERE = 'edited'\n")
    assert native.stale(package, compiled) == ["pkgx/mod.py"]


def test_stale_extensions_give_way_to_their_sources(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = _package(tmp_path)
    _record(package)
    (package / "mod.py").write_text("WHERE = 'edited'\n")
    monkeypatch.setattr(sys, "meta_path", list(sys.meta_path))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delenv("WIREWATCH_PURE_PYTHON", raising=False)
    with pytest.warns(RuntimeWarning, match=r"pkgx/mod.py changed .*\(run make build\)"):
        assert native.guard(package) == ["pkgx/mod.py"]
    try:
        assert importlib.import_module("pkgx.mod").WHERE == "edited"
    finally:
        for name in ("pkgx.mod", "pkgx"):
            sys.modules.pop(name, None)


@pytest.mark.skipif(bool(os.environ.get("WIREWATCH_PURE_PYTHON")), reason="sources forced")
def test_this_checkout_has_no_stale_extension() -> None:
    """The guard already runs the sources then; this says why the NLP is slow."""
    stale = native.stale(native.PACKAGE, native.extensions(native.PACKAGE))
    assert not stale, f"compiled modules older than {stale}: run make build"

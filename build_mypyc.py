"""Compile the NLP hot path (clean, classify, tag) with mypyc, in place: ``make build``.

``python build_mypyc.py`` writes one extension module next to each source in ``MODULES``
(plus their shared library, streams/_native__mypyc*.so) and records the hash of every
compiled source in streams/_native.json. The build is an optimisation, never a
requirement: with no C compiler it says so and the pure-Python modules run as they are.

An extension shadows its .py, so an edit made after the build would silently not run.
streams/native.py checks the recorded hashes when ``streams`` is imported and, if any
source changed, loads every module from source instead (and warns: run make build).
``python build_mypyc.py --clean`` removes the extensions.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Mapping
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

ROOT = Path(__file__).resolve().parent
MANIFEST = ROOT / "streams" / "_native.json"
TEMP = "build/mypyc"  # object files; mypyc writes its C sources to build/
GROUP = "streams._native"  # the shared library: streams/_native__mypyc<suffix>
MODULES = (
    "streams/text/scan.py",
    "streams/text/clean.py",
    "streams/classify/cues.py",
    "streams/classify/classifier.py",
    "streams/tag/names.py",
    "streams/tag/namejudge.py",
    "streams/tag/gazetteer.py",
    "streams/tag/generic.py",
    "streams/tag/states.py",
    "streams/tag/linker.py",
    "streams/tag/mentions.py",
    "streams/tag/tagger.py",
    "streams/tag/casualties.py",
    "streams/tag/events.py",
    "streams/tag/geo.py",
    "streams/tag/quantities.py",
)


def source_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def clean() -> None:
    """Remove every extension module under streams/ and the manifest."""
    MANIFEST.unlink(missing_ok=True)
    for path in (ROOT / "streams").rglob("*"):
        if path.name.endswith(tuple(EXTENSION_SUFFIXES)):
            path.unlink()


def _compiler() -> str | None:
    cc = (sysconfig.get_config_var("CC") or "cc").split()[0]
    return shutil.which(cc)


def _extension(module: str) -> Path:
    return ROOT / (module.removesuffix(".py") + EXTENSION_SUFFIXES[0])


def _up_to_date(manifest: Mapping[str, object]) -> bool:
    """True when the last build was of these sources, by this script, and is all there."""
    try:
        recorded = json.loads(MANIFEST.read_text())
    except (OSError, ValueError):
        return False
    return recorded == manifest and all(_extension(m).exists() for m in MODULES)


def build() -> int:
    # The hashes of the sources as the compiler will read them.
    manifest = {
        "script": source_hash(Path(__file__)),
        "sources": {m: source_hash(ROOT / m) for m in MODULES},
    }
    if _up_to_date(manifest):  # only the files' times changed (a checkout, a touch)
        MANIFEST.touch()
        print("build_mypyc: the compiled modules are up to date")
        return 0
    clean()  # a failed build must not leave extensions of older sources behind
    if _compiler() is None:
        print("build_mypyc: no C compiler; wirewatch runs as pure Python (slower NLP)")
        return 0
    setup = (
        "import sys; from setuptools import setup; from mypyc.build import mypycify\n"
        f"setup(name='wirewatch-native', packages=[], ext_modules=mypycify({list(MODULES)!r},"
        f" opt_level='3', group_name={GROUP!r}), script_args=sys.argv[1:])\n"
    )
    # In a child process, so that setuptools' and mypy's state never leak into this one.
    done = subprocess.run(
        [sys.executable, "-c", setup, "-q", "build_ext", "--inplace", "--build-temp", TEMP],
        cwd=ROOT,
        check=False,
    )
    if done.returncode != 0:
        clean()
        print("build_mypyc: the build failed (see above); pure Python will run", file=sys.stderr)
        return done.returncode
    MANIFEST.write_text(json.dumps(manifest, indent=1) + "\n")
    print(f"build_mypyc: compiled {len(MODULES)} modules")
    return 0


if __name__ == "__main__":
    if sys.argv[1:] == ["--clean"]:
        clean()
        sys.exit(0)
    sys.exit(build())

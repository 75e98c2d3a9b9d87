"""Which copy of geo's modules runs: the one mypyc compiled (setup.py), or the .py source beside it.

A compiled module is a snapshot of its source at the last `pip install -e .`. Once a .py file is edited
the snapshot is stale, and running it would silently ignore the edit; and compiled modules call each
other directly, in C, so one stale module cannot be swapped for its source alone. So when any of them
is older than its source, all of them run from source (with one warning saying so), as they do under
GEO_PURE_PYTHON=1 (how tests/test_compiled.py checks that both give the same records).
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import sys
from importlib.machinery import ModuleSpec

PURE = "GEO_PURE_PYTHON"


def compiled_sources(package_dir: str) -> tuple[dict[str, str], list[str]]:
    """Module name -> .py path for each module of the package with a compiled copy beside its source,
    and the modules whose source is newer than that copy."""
    suffixes = tuple(importlib.machinery.EXTENSION_SUFFIXES)
    found: dict[str, str] = {}
    stale: list[str] = []
    for folder, _dirs, files in os.walk(package_dir):
        names = set(files)
        for file in files:
            if not file.endswith(suffixes) or file.startswith("_"):  # _scorecore, _automaton: Cython, no .py
                continue
            stem = file.split(".", 1)[0]
            if stem + ".py" not in names:
                continue
            source = os.path.join(folder, stem + ".py")
            relative = os.path.relpath(source, os.path.dirname(package_dir))[: -len(".py")]
            module = relative.replace(os.sep, ".")
            found[module] = source
            if os.stat(source).st_mtime_ns > os.stat(os.path.join(folder, file)).st_mtime_ns:
                stale.append(module)
    return found, stale


class SourceFinder:
    """Finds geo's compiled modules as their .py source (an import hook placed before the standard ones)."""

    def __init__(self, sources: dict[str, str]):
        self.sources = sources

    def find_spec(self, fullname: str, path: object = None, target: object = None) -> ModuleSpec | None:
        source = self.sources.get(fullname)
        return importlib.util.spec_from_file_location(fullname, source) if source else None


def choose(package_dir: str) -> str:
    """Run the source instead of the compiled modules where it must; say which copy runs ("compiled",
    "source: GEO_PURE_PYTHON", "source: stale", or "source" where nothing is compiled)."""
    sources, stale = compiled_sources(package_dir)
    if not sources:
        return "source"
    if os.environ.get(PURE) == "1":
        sys.meta_path.insert(0, SourceFinder(sources))
        return "source: " + PURE
    if stale:
        sys.meta_path.insert(0, SourceFinder(sources))
        print(
            f"geo: {', '.join(sorted(stale))} changed since it was compiled: running geo's Python source "
            "(slower; `pip install -e .` compiles it again)",
            file=sys.stderr,
        )
        return "source: stale"
    return "compiled"

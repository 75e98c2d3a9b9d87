"""The pipeline's modules compiled by mypyc (setup.py) and their Python source give the same records,
byte for byte; and an edited source is what runs, never the compiled copy made before the edit.

The two copies cannot share a process (compiled modules call each other in C), so each runs in its
own: the compiled one as installed, the source one under GEO_PURE_PYTHON=1 (geo/_compiled.py).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import geo
from geo import _compiled

ROOT = Path(__file__).resolve().parents[1]
FAKES = ROOT.parent / "shared" / "data" / "fakes" / "fakes_articles.csv"

needs_build = pytest.mark.skipif(
    geo.RUNNING != "compiled", reason=f"the mypyc modules are not running here ({geo.RUNNING}): pip install -e ."
)

# The seeds' and FA-KES's records (mentions and events), as `geo parse` and `geo events` write them.
RECORDS = """
import csv, sys
from pathlib import Path
import geo
from geo.corpus.reader import article_files, read_article
from geo.events import lexicon
from geo.output import render_events, render_mentions
from geo.pipeline import parse_read_article, parse_text_events
root, fakes = Path(sys.argv[1]), Path(sys.argv[2])
gaz, lex = geo.load_gazetteer(), lexicon.load()
out = [geo.RUNNING]
for path, folder in article_files([root / "articles"]):
    result = parse_read_article(read_article(path, folder), gaz, lex)
    out.append(render_mentions("jsonl", result) + render_events("jsonl", result))
if fakes.exists():
    with open(fakes, encoding="utf-8-sig", newline="") as f:
        for i, row in enumerate(csv.DictReader(f)):
            mentions, events = parse_text_events(f"fakes-{i}.txt", row["article_content"], gaz, lexicon=lex)
            out.append(repr([(m.record(), m.event_id) for m in mentions] + [e.record() for e in events]))
sys.stdout.write("\\n".join(out))
"""


def _records(pure: bool) -> list[str]:
    env = {k: v for k, v in os.environ.items() if k != _compiled.PURE}
    if pure:
        env[_compiled.PURE] = "1"
    run = subprocess.run(
        [sys.executable, "-c", RECORDS, str(ROOT), str(FAKES)], env=env, capture_output=True, text=True, check=True
    )
    return run.stdout.split("\n")


@needs_build
def test_the_compiled_modules_and_their_source_give_the_same_records():
    compiled, source = _records(pure=False), _records(pure=True)
    assert (compiled[0], source[0]) == ("compiled", "source: " + _compiled.PURE)
    assert len(compiled) > 40 and sum(line.count('"place_id"') for line in compiled) > 100
    if FAKES.exists():
        assert len(compiled) > 800
    else:
        print(f"FA-KES not compared: needs {FAKES} (../shared, measurement data)")
    assert compiled[1:] == source[1:]


@needs_build
def test_an_edited_module_runs_from_source_with_a_warning(tmp_path):
    """A copy of the package whose resolver.py is newer than its compiled copy: every compiled module
    runs from source (their C calls to one another would otherwise reach the stale resolver)."""
    package = tmp_path / "geo"
    shutil.copytree(ROOT / "src" / "geo", package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy2(next((ROOT / "src").glob("geo_compiled__mypyc*")), tmp_path)
    source = package / "places" / "resolver.py"
    built = next((package / "places").glob("resolver.*.so")).stat().st_mtime_ns
    later = built + 10**9 * 3600
    os.utime(source, ns=(later, later))

    sources, stale = _compiled.compiled_sources(str(package))
    assert stale == ["geo.places.resolver"]
    assert {"geo.pipeline", "geo.places.resolver", "geo.events.classify"} <= set(sources)
    assert all(Path(p).suffix == ".py" for p in sources.values())

    show = "import geo, geo.pipeline, geo.places.resolver as r; print(geo.RUNNING, geo.pipeline.__file__, r.__file__)"
    env = {k: v for k, v in os.environ.items() if k != _compiled.PURE} | {"PYTHONPATH": str(tmp_path)}
    run = subprocess.run([sys.executable, "-c", show], env=env, capture_output=True, text=True, cwd=tmp_path)
    running, pipeline_file, resolver_file = run.stdout.rsplit(" ", 2)
    assert running == "source: stale"
    assert pipeline_file.endswith("pipeline.py") and resolver_file.strip().endswith("resolver.py")
    assert "geo.places.resolver changed since it was compiled" in run.stderr

    os.utime(source, ns=(built - 10**9 * 3600,) * 2)  # older again: the compiled copies run
    run = subprocess.run([sys.executable, "-c", show], env=env, capture_output=True, text=True, cwd=tmp_path)
    assert run.stdout.startswith("compiled ") and run.stdout.split()[1].endswith(".so")
    assert run.stderr == ""


def test_a_package_without_compiled_modules_runs_its_source(tmp_path):
    (tmp_path / "geo").mkdir()
    (tmp_path / "geo" / "pipeline.py").write_text("")
    (tmp_path / "geo" / "_automaton.cpython-311-x86_64-linux-gnu.so").write_text("")  # Cython: no .py beside it
    assert _compiled.compiled_sources(str(tmp_path / "geo")) == ({}, [])
    assert _compiled.choose(str(tmp_path / "geo")) == "source"

"""Curation round trips through the real gazetteer files (a copy), look-ups, and concurrent edits."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import closed_port

from geo import gazetteer
from geo.dashboard.explore import load_corpus
from geo.errors import GazetteerError
from geo.gazetteer import curation, lookup
from geo.pipeline import OVERRIDE_REASON, parse_text

ROOT = Path(__file__).resolve().parent.parent
# Sentences as FA-KES reports write them; Zubdiya, Filita and the spelling "Jubar" are not in the gazetteer.
TEXT = (
    "Shelling hit the Zubdiya neighbourhood of Aleppo on Monday. "
    "Clashes broke out near Filita and in Jubar, activists said. "
    "Zubdiya was hit again at night.\n"
)


@pytest.fixture()
def gaz_root(gazetteer_copy):
    return gazetteer_copy


@pytest.fixture()
def corpus_dir(tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.txt").write_text(TEXT, encoding="utf-8")
    return folder


def unmapped(folder: Path, root: Path) -> dict[str, curation.Unmapped]:
    gaz = gazetteer.load(root)
    corpus = load_corpus(folder, gaz)
    return {u.name: u for u in curation.unmapped_names(corpus.articles, corpus.mentions, gaz)}


def test_unmapped_names_with_counts_and_excerpts(gaz_root, corpus_dir):
    found = unmapped(corpus_dir, gaz_root)
    assert {"Zubdiya", "Filita", "Jubar"} <= set(found)
    assert "Aleppo" not in found and "Monday" not in found
    z = found["Zubdiya"]
    assert (z.count, dict(z.articles)) == (2, {"a.txt": 2})
    assert z.examples[0].excerpt == "Shelling hit the Zubdiya neighbourhood of Aleppo on Monday."
    assert TEXT[z.examples[0].start : z.examples[0].end] == "Zubdiya"


def test_new_place_round_trip(gaz_root, corpus_dir):
    gaz = gazetteer.load(gaz_root)
    place_id = curation.add_place(gaz_root, gaz, "Zubdiya", 36.1905, 37.1405, "neighbourhood", "الزبدية")
    row = (gaz_root / "curated" / "places.csv").read_text(encoding="utf-8").splitlines()[-1]
    assert row.startswith(f"{place_id},Zubdiya,الزبدية,neighbourhood,36.19050,37.14050,Aleppo,")
    gaz = gazetteer.load(gaz_root)  # the edit shows on the next load, no restart
    mentions = parse_text("a.txt", TEXT, gaz)
    assert [m.place.id for m in mentions if m.text == "Zubdiya"] == [place_id, place_id]
    assert "Zubdiya" not in unmapped(corpus_dir, gaz_root)


def test_alias_round_trip(gaz_root, corpus_dir):
    gaz = gazetteer.load(gaz_root)
    assert curation.add_alias(gaz_root, gaz, "Jubar", "cur:jobar")
    assert not curation.add_alias(gaz_root, gaz, "JUBAR", "cur:jobar")  # already there: not written twice
    lines = (gaz_root / "curated" / "aliases.csv").read_text(encoding="utf-8").splitlines()
    assert lines[-1] == "cur:jobar,Jubar,added in the dashboard" and lines.count(lines[-1]) == 1
    mentions = parse_text("a.txt", TEXT, gazetteer.load(gaz_root))
    assert [m.place.id for m in mentions if m.text == "Jubar"] == ["cur:jobar"]


def test_not_a_place_stops_the_proposal(gaz_root, corpus_dir):
    assert curation.add_not_place(gaz_root, "Filita")
    assert not curation.add_not_place(gaz_root, "filita")
    assert "Filita" not in unmapped(corpus_dir, gaz_root)
    assert "Zubdiya" in unmapped(corpus_dir, gaz_root)


def test_override_round_trip(gaz_root):
    gaz = gazetteer.load(gaz_root)
    aleppo = next(m for m in parse_text("a.txt", TEXT, gaz) if m.text == "Aleppo")
    curation.add_override(gaz_root, gaz, aleppo, "gn:170063")  # keep the city, as a reviewer's decision
    curation.add_override(gaz_root, gaz, aleppo, "")  # changed mind: not a place here (replaces the first)
    rows = (gaz_root / "curated" / "overrides.csv").read_text(encoding="utf-8").splitlines()
    assert len(rows) == 2 and rows[1].startswith(f"a.txt,{aleppo.start},Aleppo,,")
    mentions = parse_text("a.txt", TEXT, gazetteer.load(gaz_root))
    assert "Aleppo" not in [m.text for m in mentions]
    other = parse_text("b.txt", TEXT, gazetteer.load(gaz_root))  # another article is not affected
    assert "Aleppo" in [m.text for m in other]
    curation.add_override(gaz_root, gaz, aleppo, "cur:jobar")
    fixed = next(m for m in parse_text("a.txt", TEXT, gazetteer.load(gaz_root)) if m.text == "Aleppo")
    assert (fixed.place.id, fixed.reason) == ("cur:jobar", OVERRIDE_REASON)


def test_edits_are_validated_before_they_are_written(gaz_root):
    gaz = gazetteer.load(gaz_root)
    before = (gaz_root / "curated" / "places.csv").read_bytes()
    with pytest.raises(GazetteerError, match="outside Syria"):
        curation.add_place(gaz_root, gaz, "Paris", 48.85, 2.35, "city")
    with pytest.raises(GazetteerError, match="kind 'hamlet'"):
        curation.add_place(gaz_root, gaz, "X", 36.2, 37.1, "hamlet")
    with pytest.raises(GazetteerError, match="no place with id"):
        curation.add_alias(gaz_root, gaz, "Jubar", "gn:000")
    with pytest.raises(GazetteerError, match="'Market' is a common English word"):  # as `geo gazetteer check` says
        curation.add_alias(gaz_root, gaz, "Market", "cur:jobar")
    assert (gaz_root / "curated" / "places.csv").read_bytes() == before
    assert gazetteer.load(gaz_root)  # still loads


def test_two_editors_at_once_lose_nothing(gaz_root):
    """Two processes add eight aliases each under the gazetteer's lock, at the same time: all sixteen land.

    Each editor is a fresh `python -c` (not multiprocessing's spawn, which re-runs the parent's __main__:
    after the AppTest tests that is app.py itself, a whole dashboard run per editor)."""
    gazetteer.load(gaz_root)  # build the cache once, so both editors start fast
    tests = Path(__file__).resolve().parent
    editors = [
        subprocess.Popen(
            [sys.executable, "-c", f"from helpers import add_aliases; add_aliases(({str(gaz_root)!r}, {worker!r}))"],
            cwd=tests,
            env=dict(os.environ, PYTHONPATH=os.pathsep.join([str(tests), str(ROOT / "src")])),
        )
        for worker in ("a", "b")
    ]
    assert [e.wait(timeout=120) for e in editors] == [0, 0]
    text = (gaz_root / "curated" / "aliases.csv").read_text(encoding="utf-8")
    added = [line for line in text.splitlines() if line.startswith(("cur:jobar,Jobar a ", "cur:jobar,Jobar b "))]
    assert len(added) == 16
    assert gazetteer.load(gaz_root).entry_for("Jobar b 7") is not None


# --- look-ups -----------------------------------------------------------------------------------


@pytest.fixture()
def nominatim_server(local_server):
    """Answers /search like Nominatim, with a recorded response for Kafr Nabl."""
    recorded = (ROOT / "tests" / "data" / "nominatim_kafr_nabl.json").read_bytes()
    url, seen = local_server(lambda path: (200, "application/json", recorded if "Kafr+Nabl" in path else b"[]"))
    return url.removeprefix("http://"), seen


def test_nominatim_candidates_limited_to_syria_and_cached(nominatim_server, tmp_path, monkeypatch):
    monkeypatch.setenv("GEO_CACHE_DIR", str(tmp_path / "cache"))
    domain, seen = nominatim_server
    (c,) = lookup.nominatim("Kafr Nabl", domain=domain, scheme="http")
    assert (c.lat, c.lon, c.kind, c.source) == (35.6136, 36.5608, "town", "Nominatim (OpenStreetMap)")
    assert c.name.startswith("Kafr Nabl, ")
    path, agent = seen[0]
    assert "countrycodes=sy" in path and agent == lookup.USER_AGENT
    assert lookup.nominatim("Kafr Nabl", domain=domain, scheme="http") == [c]
    assert len(seen) == 1  # the second answer came from the disk cache
    cached = list((tmp_path / "cache" / "lookups").rglob("*.json"))
    assert len(cached) == 1 and json.loads(cached[0].read_text(encoding="utf-8"))["query"] == "kafr nabl"


def test_offline_says_so_and_the_gazetteer_still_proposes(tmp_path, monkeypatch, gaz):
    monkeypatch.setenv("GEO_CACHE_DIR", str(tmp_path / "cache"))
    with pytest.raises(lookup.LookupUnavailable, match="Nominatim .* is unreachable"):
        lookup.nominatim("Kafr Nabl", domain=f"127.0.0.1:{closed_port()}", scheme="http")
    assert not (tmp_path / "cache" / "lookups").exists() or not list((tmp_path / "cache" / "lookups").rglob("*.json"))
    offline = lookup.fuzzy_candidates("Kafr Nabl", gaz)  # the session's real gazetteer: no cold index build
    assert "Kafr Nobol" in [c.name.split(" (")[0] for c in offline]
    assert all(c.source == "gazetteer" and c.ref for c in offline)

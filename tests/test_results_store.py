"""The parse results' store (geo.results.database) against a real DuckDB file: the incremental rules.

Adding, editing, deleting an article; a gazetteer alias, an override; a deleted or damaged store.
Each sync's result is checked against a parse of the folder from scratch (pipeline.parse_paths).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from geo import gazetteer
from geo.gazetteer import curation
from geo.pipeline import parse_paths
from geo.results import database, facts

ROOT = Path(__file__).resolve().parent.parent
TEXTS = {
    "a.txt": "Regime aircraft bombed Aleppo on Monday, killing 12 people, activists said.\n",
    "b.txt": "Clashes broke out near Homs and in Jubar on 3 May 2016.\n",
    "c.md": "---\ntitle: Protests\ndate: 2016-05-04\n---\nProtesters gathered in Daraa and Kafr Nabl.\n",
}


@pytest.fixture()
def corpus(tmp_path, gazetteer_copy):
    folder = tmp_path / "articles"
    folder.mkdir()
    for name, text in TEXTS.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder, gazetteer_copy, tmp_path / "articles.duckdb"


def stored(path: Path) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(
            'SELECT article, start, "end", place_id, event_type, event_id FROM mentions ORDER BY article, start'
        ).fetchall()
    finally:
        con.close()


def fresh_parse(folder: Path, gaz) -> list[tuple]:
    out = []
    for r in parse_paths([folder], gaz):
        out += [(m.article, m.start, m.end, m.place.id, m.event.event_type if m.event else None, m.event_id)
                for m in r.mentions]  # fmt: skip
    return sorted(out, key=lambda t: (t[0], t[1]))


def sync(folder, gaz_root, path, **kw):
    return database.sync(folder, gazetteer.load(gaz_root), path, **kw)


def test_build_then_nothing_to_do(corpus):
    folder, gaz_root, path = corpus
    first = sync(folder, gaz_root, path)
    assert "no store yet" in first.rebuilt and first.added == 3 and first.articles == 3
    assert stored(path) == fresh_parse(folder, gazetteer.load(gaz_root)) and stored(path)
    again = sync(folder, gaz_root, path)
    assert (again.parsed, again.unchanged, again.rebuilt) == (0, 3, "")


def test_add_edit_delete_an_article_parses_only_it(corpus):
    folder, gaz_root, path = corpus
    sync(folder, gaz_root, path)
    (folder / "d.txt").write_text("Shelling hit Idlib.\n", encoding="utf-8")
    added = sync(folder, gaz_root, path)
    assert (added.added, added.changed, added.removed, added.unchanged) == (1, 0, 0, 3)
    (folder / "a.txt").write_text("Regime aircraft bombed Hama.\n", encoding="utf-8")
    edited = sync(folder, gaz_root, path)
    assert (edited.added, edited.changed, edited.unchanged) == (0, 1, 3)
    (folder / "b.txt").unlink()
    deleted = sync(folder, gaz_root, path)
    assert (deleted.removed, deleted.parsed, deleted.articles) == (1, 0, 3)
    assert stored(path) == fresh_parse(folder, gazetteer.load(gaz_root))
    assert not any(row[0] == "b.txt" for row in stored(path))


def facts_rows(path: Path, remade: bool = False) -> list[tuple]:
    """The store's `facts`, or (remade) what facts.refresh makes of its mentions from scratch."""
    con = duckdb.connect(str(path))
    try:
        if remade:
            con.execute("BEGIN TRANSACTION")
            facts.refresh(con, None)
        found = con.execute("SELECT * FROM facts ORDER BY file, ord").fetchall()
        if remade:
            con.execute("ROLLBACK")
        return found
    finally:
        con.close()


def test_facts_follow_every_add_edit_delete_and_alias(corpus, tmp_path):
    """The dashboard's facts table, kept per file by each sync, is what remaking it from the mentions gives;
    the Parquet rows loaded from `geo batch` have theirs too."""
    from geo import batch

    folder, gaz_root, path = corpus
    sync(folder, gaz_root, path)
    assert facts_rows(path) == facts_rows(path, remade=True) and len(facts_rows(path)) == len(stored(path))
    (folder / "d.txt").write_text("Shelling hit Idlib on 2 June 2015.\n", encoding="utf-8")
    (folder / "a.txt").write_text("Regime aircraft bombed Hama.\n", encoding="utf-8")
    (folder / "b.txt").unlink()
    sync(folder, gaz_root, path)
    assert facts_rows(path) == facts_rows(path, remade=True)
    assert {r[0] for r in facts_rows(path)} == {"a.txt", "c.md", "d.txt"}
    aliases = gaz_root / "curated" / "aliases.csv"
    aliases.write_text(aliases.read_text(encoding="utf-8") + "gn:170063,Halab al-Shahba,test\n", encoding="utf-8")
    (folder / "e.txt").write_text("Halab al-Shahba was shelled.\n", encoding="utf-8")
    sync(folder, gaz_root, path)
    assert facts_rows(path) == facts_rows(path, remade=True)
    out = tmp_path / "parsed"
    batch.prepare(out)
    batch.write_partition([(str(folder / "c.md"), str(folder))], 0, str(out), str(gaz_root))
    database.load_parquet(path, out)
    assert facts_rows(path) == facts_rows(path, remade=True)
    assert any(r[0].startswith(database.PARQUET_PREFIX) for r in facts_rows(path))


def test_facts_written_by_a_geo_without_them_are_remade(corpus):
    """A geo that does not know `facts` rewrites `meta` without its row and leaves the table as it was."""
    folder, gaz_root, path = corpus
    sync(folder, gaz_root, path)
    con = duckdb.connect(str(path))
    con.execute("DELETE FROM facts")
    con.execute("DELETE FROM meta WHERE key = 'facts'")
    con.close()
    again = sync(folder, gaz_root, path)
    assert again.parsed == 0  # no article parsed again: the facts are made from the stored mentions
    assert facts_rows(path) == facts_rows(path, remade=True) and facts_rows(path)


def test_touched_but_same_content_is_not_parsed(corpus):
    folder, gaz_root, path = corpus
    sync(folder, gaz_root, path)
    text = (folder / "a.txt").read_text(encoding="utf-8")
    (folder / "a.txt").write_text(text, encoding="utf-8")  # a new modification time, the same bytes
    again = sync(folder, gaz_root, path)
    assert (again.parsed, again.unchanged) == (0, 3)


def test_a_new_alias_reresolves_only_the_articles_with_that_name(corpus):
    folder, gaz_root, path = corpus
    (folder / "e.txt").write_text("Rebels shelled Zorbaville on Friday.\n", encoding="utf-8")
    sync(folder, gaz_root, path)
    assert not any(row[0] == "e.txt" for row in stored(path))
    gaz = gazetteer.load(gaz_root)
    homs = next(p for p in gaz.places.values() if p.name == "Homs" and p.kind == "city")
    assert curation.add_alias(gaz_root, gaz, "Zorbaville", homs.id)
    after = sync(folder, gaz_root, path)
    assert (after.reresolved, after.unchanged, after.rebuilt) == (1, 3, "")
    assert stored(path) == fresh_parse(folder, gazetteer.load(gaz_root))
    assert any(row[0] == "e.txt" and row[3] == homs.id for row in stored(path))


def test_an_override_reresolves_only_its_article(corpus):
    folder, gaz_root, path = corpus
    sync(folder, gaz_root, path)
    gaz = gazetteer.load(gaz_root)
    mention = next(m for r in parse_paths([folder / "b.txt"], gaz) for m in r.mentions if m.text == "Homs")
    curation.add_override(gaz_root, gaz, mention, "")  # "not a place here"
    after = sync(folder, gaz_root, path)
    assert (after.reresolved, after.unchanged) == (1, 2)
    assert stored(path) == fresh_parse(folder, gazetteer.load(gaz_root))
    assert not any(row[0] == "b.txt" and row[1] == mention.start for row in stored(path))


def test_a_rule_for_every_text_reparses_everything(corpus):
    folder, gaz_root, path = corpus
    sync(folder, gaz_root, path)
    rules = gaz_root / "context_words.csv"
    rules.write_text(rules.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    after = sync(folder, gaz_root, path)
    assert after.reresolved == 3 and "every article parsed again" in after.rebuilt


@pytest.mark.parametrize("harm", ["deleted", "garbage", "foreign"])
def test_a_lost_or_damaged_store_is_rebuilt_with_a_message(corpus, harm):
    folder, gaz_root, path = corpus
    sync(folder, gaz_root, path)
    expected = stored(path)
    if harm == "deleted":
        path.unlink()
    elif harm == "garbage":
        path.write_bytes(b"this is no database" * 100)
    else:
        path.unlink()
        con = duckdb.connect(str(path))
        con.execute("CREATE TABLE other (x INT)")
        con.close()
    again = sync(folder, gaz_root, path)
    assert again.added == 3 and again.rebuilt
    assert ("no store yet" if harm == "deleted" else "nothing lost") in again.rebuilt
    assert stored(path) == expected
    assert not path.with_name(path.name + ".building").exists()


def test_parallel_build_is_identical(corpus, tmp_path):
    folder, gaz_root, path = corpus
    for i in range(4):  # enough files for two processes (parse_paths' rule: at least 2 per job)
        shutil.copy(folder / "a.txt", folder / f"a{i}.txt")
    (folder / "empty.txt").write_text("", encoding="utf-8")  # its ArticleError crosses from a worker: picklable
    sync(folder, gaz_root, path)
    other = tmp_path / "parallel.duckdb"
    seen: list[tuple[int, int]] = []
    sync(folder, gaz_root, other, jobs=2, progress=lambda done, total: seen.append((done, total)))
    assert stored(other) == stored(path)
    assert seen[-1] == (8, 8)


def test_unreadable_article_is_named_and_kept_out(corpus):
    folder, gaz_root, path = corpus
    (folder / "bad.txt").write_bytes(b"\x00\x01\x02" * 50)
    report = sync(folder, gaz_root, path)
    assert any(e.startswith("bad.txt:") for e in report.errors)
    assert report.articles == 4 and not any(row[0] == "bad.txt" for row in stored(path))
    (folder / "bad.txt").unlink()
    assert sync(folder, gaz_root, path).errors == []


def test_default_path_is_beside_the_folder_and_configurable(tmp_path, monkeypatch):
    monkeypatch.delenv("GEO_STORE", raising=False)
    assert database.default_path(tmp_path / "articles") == tmp_path / "articles.duckdb"
    monkeypatch.setenv("GEO_STORE", str(tmp_path / "x" / "s.duckdb"))
    assert database.default_path(tmp_path / "articles") == tmp_path / "x" / "s.duckdb"


def test_cli_store_build_and_status(corpus):
    from helpers import run_geo

    folder, gaz_root, path = corpus
    cache = str(path.parent / "cache")
    built = run_geo("store", "build", folder, "--store", path, "--gazetteer", gaz_root, "-j", "1", GEO_CACHE_DIR=cache)
    assert built.returncode == 0, built.stderr
    assert "no store yet" in built.stderr and "3 articles: 3 added" in built.stderr
    status = run_geo("store", "status", folder, "--store", path)
    assert "articles: 3" in status.stdout and "mentions: " in status.stdout


def test_geo_batch_parquet_loads_into_the_store_as_parsed(corpus, tmp_path):
    """batch.write_partition is what each Dask task runs: its Parquet, loaded, equals the store's own parse."""
    from geo import batch

    folder, gaz_root, path = corpus
    out = tmp_path / "parsed"
    batch.prepare(out)
    files = [(str(folder / name), str(folder)) for name in sorted(TEXTS)]
    batch.write_partition(files, 0, str(out), str(gaz_root))
    sync(folder, gaz_root, path)
    loaded = tmp_path / "loaded.duckdb"
    assert database.load_parquet(loaded, out) == 3
    assert stored(loaded) == stored(path)
    columns = ", ".join(f'"{c}"' for c in database.MENTION_COLUMNS if c != "file")
    con = duckdb.connect(str(loaded))
    got = con.execute(f"SELECT {columns} FROM mentions ORDER BY article, ord").fetchall()
    con.close()
    con = duckdb.connect(str(path))
    assert got == con.execute(f"SELECT {columns} FROM mentions ORDER BY article, ord").fetchall()
    con.close()
    database.load_parquet(path, out)  # beside the folder's own rows, and kept by the next sync
    assert sync(folder, gaz_root, path).articles == 6
    assert database.load_parquet(path, out) == 3 and sync(folder, gaz_root, path).articles == 6  # replaced, not added


def test_only_code_a_parse_runs_is_in_the_parser_digest():
    """Retraining code or the gazetteer's editor changing must not re-parse a 100k-article store: what the
    digest leaves out is never imported by a parse or a sync (checked in a fresh process)."""
    import os
    import subprocess
    import sys

    from geo.results import versions

    files = {p.relative_to(versions.PACKAGE).as_posix() for p in versions._code_files()}
    assert {"pipeline.py", "events/classify.py", "places/resolver.py", "gazetteer/__init__.py"} <= files
    left_out = [f"geo.{name.removesuffix('.py').replace('/', '.')}" for name in versions.NOT_PARSING]
    script = (
        "import sys, tempfile; from pathlib import Path; from geo import gazetteer; from geo.results import database\n"
        "d = Path(tempfile.mkdtemp()); (d / 'a.txt').write_text('Shelling hit Aleppo.', encoding='utf-8')\n"
        f"database.sync(d, gazetteer.load(Path({str(ROOT / 'tests' / 'data' / 'gazetteer')!r})), d / 's.duckdb')\n"
        f"print([m for m in {left_out!r} if m in sys.modules])"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, env=env)
    assert run.stdout.strip() == "[]", run.stdout + run.stderr


def test_name_digests_are_cached_per_gazetteer_version_and_a_damaged_cache_is_recomputed(gazetteer_copy):
    from geo import settings
    from geo.results import versions

    gaz = gazetteer.load(gazetteer_copy)
    assert gaz.version
    computed = versions._name_digests(gaz)
    assert versions.name_digests(gaz) == computed  # computed, then written to the cache
    (cache,) = settings.cache_dir().glob(f"name-digests-{gaz.version}-*.pickle")
    assert versions.name_digests(gaz) == computed  # read back
    cache.write_bytes(b"not a pickle")
    assert versions.name_digests(gaz) == computed and cache.read_bytes() != b"not a pickle"
    homs = next(p for p in gaz.places.values() if p.name == "Homs" and p.kind == "city")
    assert curation.add_alias(gazetteer_copy, gaz, "Zorbaville", homs.id)
    edited = gazetteer.load(gazetteer_copy)  # another version: its own digests, with the new name
    assert edited.version != gaz.version and "zorbaville" in versions.name_digests(edited)[0]

"""The parse results' store: one DuckDB file beside the articles folder, kept in step with it by `sync`.

It is a cache. Each article's rows are keyed by its file and content hash, and the store by what the
parse depends on (versions.py): `sync` parses only the articles added or changed, deletes the rows
of articles removed, and after a gazetteer or lexicon edit re-parses the articles that edit can
reach. A missing, damaged or foreign file is rebuilt from the articles and the gazetteer, beside
it, then renamed over it, with a message saying so; every other sync is one transaction.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ahocorasick
import duckdb
import pyarrow as pa

from geo import pipeline, settings
from geo.batch import EVENT_SCHEMA, MENTION_SCHEMA
from geo.corpus.reader import read_bytes_inside
from geo.errors import ArticleError, GeoError
from geo.events import lexicon as lexicon_module
from geo.gazetteer import Gazetteer, fingerprint
from geo.models import ParseResult
from geo.results import facts as facts_module
from geo.results import listing, versions
from geo.results import rows as rows_module

CHUNK = 256  # articles per insert: rows of a few hundred articles in memory, not of the whole corpus
AFFECTED_ALL = 0.5  # past this share of articles touched by a gazetteer edit, re-parse them all (simpler, as fast)


class StoreError(GeoError, OSError):
    """The store cannot be opened or written (another process holds it, a read-only folder)."""


def _sql_type(t: pa.DataType) -> str:
    return {pa.int64(): "BIGINT", pa.float64(): "DOUBLE", pa.bool_(): "BOOLEAN"}.get(t, "VARCHAR")


MENTION_COLUMNS = ("file", "ord", *MENTION_SCHEMA.names, "day")
EVENT_COLUMNS = ("file", "ord", *EVENT_SCHEMA.names)
_ARTICLE_TYPES = {"size": "BIGINT", "mtime_ns": "BIGINT", "published": "DATE", "body_start": "BIGINT",
                  "mentions": "BIGINT", "events": "BIGINT"}  # fmt: skip
SCHEMA = [
    "CREATE TABLE IF NOT EXISTS meta (key VARCHAR, value VARCHAR)",
    "CREATE TABLE IF NOT EXISTS articles ("
    + ", ".join(f"{c} {_ARTICLE_TYPES.get(c, 'VARCHAR')}" for c in rows_module.ARTICLE_COLUMNS)
    + ")",
    "CREATE TABLE IF NOT EXISTS mentions (file VARCHAR, ord BIGINT, "
    + ", ".join(f'"{f.name}" {_sql_type(f.type)}' for f in MENTION_SCHEMA)
    + ", day DATE)",
    "CREATE TABLE IF NOT EXISTS events (file VARCHAR, ord BIGINT, "
    + ", ".join(f'"{f.name}" {_sql_type(f.type)}' for f in EVENT_SCHEMA)
    + ")",
    "CREATE TABLE IF NOT EXISTS sounds (file VARCHAR, key VARCHAR)",
    "CREATE TABLE IF NOT EXISTS name_keys (key VARCHAR, digest VARCHAR)",
    "CREATE TABLE IF NOT EXISTS sound_keys (key VARCHAR, digest VARCHAR)",
    "CREATE TABLE IF NOT EXISTS fixes (article VARCHAR, digest VARCHAR)",
]
PARQUET_PREFIX = "parquet:"  # the `file` of rows loaded from `geo batch` output: no file in the folder
_FROM_FILES = f"NOT starts_with(file, '{PARQUET_PREFIX}')"
TABLES = ("meta", "articles", "mentions", "events", "sounds", "name_keys", "sound_keys", "fixes")


def default_path(folder: Path) -> Path:
    """$GEO_STORE, else `<folder>.duckdb` beside the articles folder (articles/ -> articles.duckdb)."""
    return settings.store_path(folder)


@dataclass
class SyncReport:
    path: Path
    articles: int = 0  # articles in the store after the sync, unreadable ones included
    added: int = 0
    changed: int = 0
    removed: int = 0
    reresolved: int = 0  # unchanged articles parsed again because a gazetteer or lexicon edit reaches them
    unchanged: int = 0
    rebuilt: str = ""  # why the whole store was made again, or ""
    errors: list[str] = field(default_factory=list)  # unreadable articles, relative to the folder
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def parsed(self) -> int:
        return self.added + self.changed + self.reresolved

    def summary(self) -> str:
        done = (
            f"{self.articles:,} articles: {self.added:,} added, {self.changed:,} changed, {self.removed:,} removed, "
            f"{self.reresolved:,} re-resolved, {self.unchanged:,} unchanged ({self.seconds:.1f} s)"
        )
        return f"{self.rebuilt}; {done}" if self.rebuilt else done


def connect(path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as e:
        raise StoreError(f"{path}: cannot open the store ({_first_line(e)})") from e


def _first_line(e: BaseException) -> str:
    return str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__


def damage(path: Path) -> str:
    """What is wrong with the store file ("" when it opens and is ours, of this schema)."""
    con, problem = _open(path)
    if con is not None:
        con.close()
    return problem


def _open(path: Path) -> tuple[duckdb.DuckDBPyConnection | None, str]:
    """The store open for writing, or None and what is wrong with it (another process holding it raises)."""
    if not path.exists():
        return None, "no store yet"
    try:
        con = duckdb.connect(str(path))
    except duckdb.IOException as e:
        if "lock" in str(e).lower():
            raise StoreError(f"{path}: another process is using the store ({_first_line(e)})") from e
        return None, f"damaged ({_first_line(e)})"
    except duckdb.Error as e:
        return None, f"damaged ({_first_line(e)})"
    try:
        found = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        if not set(TABLES) <= found:
            problem = "not a geo store (tables missing)"
        else:
            schema = con.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
            version = schema[0] if schema else "none"
            ours = versions.SCHEMA_VERSION
            problem = "" if version == ours else f"of another version ({version}; this geo writes {ours})"
    except duckdb.Error as e:
        problem = f"damaged ({_first_line(e)})"
    if problem:
        con.close()
        return None, problem
    return con, ""


def _remove(path: Path) -> None:
    for p in (path, Path(f"{path}.wal")):
        p.unlink(missing_ok=True)


_File = listing.Listed  # a file of the folder, as the walk found it


def content_hash(path: Path, folder: Path) -> str:
    """The article's key: sha256 of its bytes ("" when it cannot be read: its parse says why)."""
    try:
        return hashlib.sha256(read_bytes_inside(path, folder)).hexdigest()[:32]
    except ArticleError:
        return ""


def sync(
    folder: Path,
    gaz: Gazetteer,
    path: Path | None = None,
    lexicon_root: Path | None = None,
    jobs: int = 1,
    progress: Callable[[int, int], None] | None = None,
    files: list[listing.Listed] | None = None,
) -> SyncReport:
    """Bring the store at `path` (default beside `folder`) in step with the articles, gazetteer and lexicon.

    `progress(done, total)` is told after each article parsed. Output is the same for any `jobs`. `files`:
    listing.scan(folder) when the caller has just made it (the dashboard, for its signature), else made here.
    """
    started = time.perf_counter()
    folder = Path(folder)
    path = Path(path) if path else default_path(folder)
    lexicon_root = Path(lexicon_root) if lexicon_root else lexicon_module.default_root()
    report = SyncReport(path)
    con, problem = _open(path)
    target = path
    if problem:
        report.rebuilt = (
            f"{path.name}: {problem}: built from {folder.name}/ and {gaz.root.name}/"
            if problem == "no store yet"
            else f"The store {path.name} was {problem}: rebuilt from {folder.name}/ and {gaz.root.name}/, nothing lost"
        )
        target = path.with_name(path.name + ".building")
        _remove(target)
    if con is None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            con = duckdb.connect(str(target))
        except (OSError, duckdb.Error) as e:
            raise StoreError(f"{target}: cannot create the store ({_first_line(e)})") from e
    try:
        present = files if files is not None else listing.scan(folder)
        _sync(con, folder, gaz, lexicon_root, jobs, progress, report, present, fresh=bool(problem))
    finally:
        con.close()
    if target != path:
        _remove(path)
        os.replace(target, path)
        _remove(target)
    report.seconds = time.perf_counter() - started
    return report


def _meta(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return dict(con.execute("SELECT key, value FROM meta").fetchall())


def _sync(
    con: duckdb.DuckDBPyConnection,
    folder: Path,
    gaz: Gazetteer,
    lexicon_root: Path,
    jobs: int,
    progress: Callable[[int, int], None] | None,
    report: SyncReport,
    present: list[listing.Listed],
    fresh: bool,
) -> None:
    for statement in SCHEMA:
        con.execute(statement)
    meta = _meta(con)
    parser = versions.parser_digest(gaz.root, lexicon_root)
    everything = fresh or meta.get("parser") != parser
    if everything and not fresh:
        report.rebuilt = "The parser or a rule for every text changed: every article parsed again"
    stored = {
        r[0]: r[1:]
        for r in con.execute(
            f"SELECT file, hash, size, mtime_ns, name, error IS NOT NULL FROM articles WHERE {_FROM_FILES}"
        ).fetchall()
    }
    todo: dict[str, tuple[_File, str]] = {}  # file -> (file facts, content hash): to parse
    touched: list[tuple[str, int, int]] = []  # unchanged content, new size/time
    for f in present:
        old = stored.get(f.rel)
        if old is not None and not everything and (old[1], old[2]) == (f.size, f.mtime_ns):
            continue
        digest = content_hash(f.path, folder)
        if old is None:
            report.added += 1
        elif old[0] != digest or everything or not digest:
            report.changed += 0 if everything else 1
        else:
            touched.append((f.rel, f.size, f.mtime_ns))
            continue
        todo[f.rel] = (f, digest)
    present_files = {f.rel for f in present}
    removed = [name for name in stored if name not in present_files]
    report.removed = len(removed)
    gaz_print = fingerprint(gaz.root)
    fixes = versions.fixes_by_article(gaz.root, lexicon_root)
    new_keys: dict[str, str] | None = None
    new_sounds: dict[str, str] | None = None
    if everything:
        new_keys, new_sounds = versions.name_digests(gaz)
    elif meta.get("gazetteer") != gaz_print or meta.get("fixes") != _fixes_digest(fixes):
        new_keys, new_sounds = versions.name_digests(gaz)
        affected = _affected(con, new_keys, new_sounds, fixes, stored)
        by_file = {f.rel: f for f in present}
        for rel in sorted(affected):
            if rel in by_file and rel not in todo:
                todo[rel] = (by_file[rel], stored[rel][0])
                report.reresolved += 1
    if everything and not fresh:
        report.reresolved = len(todo) - report.added
    report.unchanged = len(present) - len(todo)
    con.execute("BEGIN TRANSACTION")
    try:
        for file, size, mtime in touched:
            con.execute("UPDATE articles SET size = ?, mtime_ns = ? WHERE file = ?", [size, mtime, file])
        _delete(con, removed + list(todo), everything)
        _parse_into(con, folder, gaz, list(todo.values()), jobs, progress)
        facts_current = not everything and meta.get("facts") == facts_module.VERSION
        facts_module.refresh(con, removed + list(todo) if facts_current else None)
        if new_keys is not None and new_sounds is not None:
            _replace_table(con, "name_keys", [{"key": k, "digest": d} for k, d in new_keys.items()])
            _replace_table(con, "sound_keys", [{"key": k, "digest": d} for k, d in new_sounds.items()])
        _replace_table(con, "fixes", [{"article": a, "digest": d} for a, d in fixes.items()])
        new_meta = {
            "schema": versions.SCHEMA_VERSION,
            "parser": parser,
            "gazetteer": gaz_print,
            "fixes": _fixes_digest(fixes),
            "facts": facts_module.VERSION,
            "folder": str(folder.resolve()),
            "synced": time.strftime("%FT%T%z"),
        }
        _replace_table(con, "meta", [{"key": k, "value": v} for k, v in new_meta.items()])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    report.articles = con.execute("SELECT count(*) FROM articles").fetchone()[0]  # type: ignore[index]
    report.errors = [
        r[0] for r in con.execute("SELECT error FROM articles WHERE error IS NOT NULL ORDER BY file").fetchall()
    ]
    for (found,) in con.execute("SELECT warnings FROM articles WHERE warnings <> '[]' ORDER BY file").fetchall():
        report.warnings.extend(json.loads(found))


def _fixes_digest(fixes: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(sorted(fixes.items())).encode()).hexdigest()[:24]


def _affected(
    con: duckdb.DuckDBPyConnection,
    new_keys: dict[str, str],
    new_sounds: dict[str, str],
    fixes: dict[str, str],
    stored: dict[str, tuple],
) -> set[str]:
    """Files of stored articles a gazetteer or fix edit can reach: their text holds a changed name, a name
    of a changed sound, or their overrides or corrections changed."""
    old_keys = dict(con.execute("SELECT key, digest FROM name_keys").fetchall())
    old_sounds = dict(con.execute("SELECT key, digest FROM sound_keys").fetchall())
    old_fixes = dict(con.execute("SELECT article, digest FROM fixes").fetchall())
    keys = versions.changed(old_keys, new_keys)
    sounds = versions.changed(old_sounds, new_sounds)
    articles = versions.changed(old_fixes, fixes)
    if len(keys) > AFFECTED_ALL * len(new_keys):
        return set(stored)
    out: set[str] = set()
    if articles:
        found = con.execute("SELECT file FROM articles WHERE list_contains(?, name)", [sorted(articles)]).fetchall()
        out.update(r[0] for r in found)
    if sounds:
        found = con.execute("SELECT DISTINCT file FROM sounds WHERE list_contains(?, key)", [sorted(sounds)]).fetchall()
        out.update(r[0] for r in found)
    if keys:
        automaton = ahocorasick.Automaton()
        for key in keys:
            if key.strip():
                automaton.add_word(key, key)
        if len(automaton):
            automaton.make_automaton()
            cursor = con.execute(f"SELECT file, norm FROM articles WHERE norm IS NOT NULL AND {_FROM_FILES}")
            while batch := cursor.fetchmany(2000):
                for file, norm in batch:
                    if next(automaton.iter(norm), None) is not None:
                        out.add(file)
    return out


def _delete(con: duckdb.DuckDBPyConnection, files: list[str], everything: bool) -> None:
    if everything:  # every article from the folder; rows loaded from Parquet (load_parquet) stay
        for table in ("articles", "mentions", "events", "sounds"):
            con.execute(f"DELETE FROM {table} WHERE NOT starts_with(file, '{PARQUET_PREFIX}')")
        return
    if not files:
        return
    for table in ("articles", "mentions", "events", "sounds"):
        con.execute(f"DELETE FROM {table} WHERE list_contains(?, file)", [files])


def _replace_table(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict]) -> None:
    con.execute(f"DELETE FROM {table}")
    if rows:
        _insert(con, table, list(rows[0]), rows)


def _insert(con: duckdb.DuckDBPyConnection, table: str, columns: Iterable[str], rows: list[dict]) -> None:
    if not rows:
        return
    columns = list(columns)
    quoted = ", ".join(f'"{c}"' for c in columns)
    data = pa.Table.from_pylist(rows, _arrow_schema(table, columns))
    con.register("incoming", data)
    try:
        con.execute(f"INSERT INTO {table} ({quoted}) SELECT {quoted} FROM incoming")
    finally:
        con.unregister("incoming")


def _arrow_schema(table: str, columns: list[str]) -> pa.Schema:
    """Arrow types for a batch of rows (DuckDB casts dates from ISO text on insert)."""
    known = {f.name: f.type for f in (*MENTION_SCHEMA, *EVENT_SCHEMA)} if table in ("mentions", "events") else {}
    ints = {"ord", "size", "mtime_ns", "body_start", "mentions", "events"}
    return pa.schema([(c, pa.int64() if c in ints and c not in known else known.get(c, pa.string())) for c in columns])


def _parsed(
    folder: Path, gaz: Gazetteer, files: list[tuple[_File, str]], jobs: int
) -> Iterator[tuple[_File, str, dict]]:
    """(file, hash, its rows) for each file, in order; in `jobs` processes when there are enough files."""
    lexicon = lexicon_module.load()
    render = functools.partial(rows_module.render, gaz.phonetic_rules, str(folder))
    tasks = [(f.path, folder, render) for f, _ in files]
    if jobs <= 1 or len(files) < 2 * jobs:
        results: Iterable[ParseResult] = (
            pipeline._rendered(pipeline._parse_path(p, gaz, lexicon, True, folder), render) for p, _, _ in tasks
        )
    else:
        pool = pipeline.process_pool(gaz, jobs, lexicon)
        results = pool.map(pipeline._worker_parse, tasks, chunksize=max(1, min(32, len(files) // (jobs * 8))))
    try:
        for (f, digest), result in zip(files, results, strict=True):
            if result.rendered:
                found = json.loads(result.rendered)
            else:  # unreadable: rendered only for articles read
                found = rows_module.article_rows(
                    result, f.rel, digest, f.size, f.mtime_ns, gaz.phonetic_rules, str(folder)
                )
            found["article"] |= {"hash": digest, "size": f.size, "mtime_ns": f.mtime_ns}
            yield f, digest, found
    finally:
        if jobs > 1 and len(files) >= 2 * jobs:
            pool.shutdown()


def _parse_into(
    con: duckdb.DuckDBPyConnection,
    folder: Path,
    gaz: Gazetteer,
    files: list[tuple[_File, str]],
    jobs: int,
    progress: Callable[[int, int], None] | None,
) -> None:
    batch: dict[str, list[dict]] = {"articles": [], "mentions": [], "events": [], "sounds": []}

    def flush() -> None:
        _insert(con, "articles", rows_module.ARTICLE_COLUMNS, batch["articles"])
        _insert(con, "mentions", MENTION_COLUMNS, batch["mentions"])
        _insert(con, "events", EVENT_COLUMNS, batch["events"])
        _insert(con, "sounds", ("file", "key"), batch["sounds"])
        for rows in batch.values():
            rows.clear()

    for done, (f, _, found) in enumerate(_parsed(folder, gaz, files, jobs), start=1):
        batch["articles"].append(found["article"])
        batch["mentions"].extend(found["mentions"])
        batch["events"].extend(found["events"])
        batch["sounds"].extend({"file": f.rel, "key": k} for k in found["sounds"])
        if done % CHUNK == 0:
            flush()
        if progress is not None:
            progress(done, len(files))
    flush()


_DAY = (
    "TRY_CAST(CASE length(event_date) WHEN 4 THEN event_date || '-01-01' WHEN 7 THEN event_date || '-01' "
    "ELSE event_date END AS DATE)"
)


def load_parquet(path: Path, parsed: Path) -> int:
    """Load `geo batch --out PARSED` (mentions/*.parquet, events/*.parquet: batch.MENTION_SCHEMA and
    EVENT_SCHEMA) into the store at `path`; returns the articles loaded. An article loaded again replaces
    its rows. They have no file in the articles folder, so a sync keeps them as they are."""
    mentions, events = parsed / "mentions" / "*.parquet", parsed / "events" / "*.parquet"
    if not any((parsed / "mentions").glob("*.parquet")):
        raise StoreError(f"{parsed}: no mentions/*.parquet (the output folder of geo batch)")
    con, problem = _open(path)
    if con is None:
        if problem != "no store yet":
            raise StoreError(f"{path}: {problem}: run geo store build first")
        con = duckdb.connect(str(path))
        for statement in SCHEMA:
            con.execute(statement)
        _insert(con, "meta", ("key", "value"), [{"key": "schema", "value": versions.SCHEMA_VERSION}])
    try:
        con.execute("BEGIN TRANSACTION")
        m_cols = ", ".join(f'"{c}"' for c in MENTION_SCHEMA.names)
        e_cols = ", ".join(f'"{c}"' for c in EVENT_SCHEMA.names)
        con.execute(f"CREATE TEMP TABLE pm AS SELECT {m_cols} FROM read_parquet('{mentions}', union_by_name=true)")
        has_events = any((parsed / "events").glob("*.parquet"))
        con.execute(
            f"CREATE TEMP TABLE pe AS SELECT {e_cols} FROM read_parquet('{events}', union_by_name=true)"
            if has_events
            else "CREATE TEMP TABLE pe AS SELECT * FROM events WHERE false"
        )
        con.execute("CREATE TEMP TABLE pa AS SELECT DISTINCT article FROM pm UNION SELECT DISTINCT article FROM pe")
        for table in ("articles", "mentions", "events", "sounds"):
            con.execute(f"DELETE FROM {table} WHERE file IN (SELECT '{PARQUET_PREFIX}' || article FROM pa)")
        con.execute(
            f"INSERT INTO mentions SELECT '{PARQUET_PREFIX}' || article AS file, "
            f"row_number() OVER (PARTITION BY article ORDER BY start) - 1 AS ord, {m_cols}, {_DAY} AS day FROM pm"
        )
        con.execute(
            f"INSERT INTO events SELECT '{PARQUET_PREFIX}' || article AS file, "
            f"row_number() OVER (PARTITION BY article ORDER BY start) - 1 AS ord, {e_cols} FROM pe"
        )
        con.execute(
            "INSERT INTO articles (file, name, hash, title, date, meta, body_start, warnings, mentions, events) "
            f"SELECT '{PARQUET_PREFIX}' || pa.article, pa.article, 'parquet', pa.article, '', '{{}}', 0, '[]', "
            "(SELECT count(*) FROM pm WHERE pm.article = pa.article), "
            "(SELECT count(*) FROM pe WHERE pe.article = pa.article) FROM pa"
        )
        loaded = [r[0] for r in con.execute(f"SELECT '{PARQUET_PREFIX}' || article FROM pa").fetchall()]
        facts_module.refresh(con, loaded)  # a store whose facts are not current has them all remade on its next sync
        count = (len(loaded),)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        con.close()
    return count[0] if count else 0


def status(path: Path) -> dict[str, Any]:
    """What the store holds, for `geo store status`."""
    problem = damage(path)
    if problem:
        return {"path": str(path), "problem": problem}
    con = connect(path, read_only=True)
    try:
        counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("articles", "mentions", "events")}  # type: ignore[index]
        return {"path": str(path), "size_mb": round(path.stat().st_size / 1e6, 1), **counts, **_meta(con)}
    finally:
        con.close()

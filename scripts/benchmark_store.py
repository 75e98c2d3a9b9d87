"""The store at scale (issue 16): build, incremental sync, and the dashboard on it, at 1k / 10k / 100k articles.

The corpus is made from the real articles in ../shared/data (FA-KES; Wikipedia and Syrian Archive pages
cut at their headings into pieces of at least 5,000 characters), cycled to N articles, each with a
publication date spread over 2011-2023 and a line of its own (so that every file has its own content
hash). 100k is the 10k corpus's files copied ten times with their store rows copied in SQL (parsing 100k
articles here would take an hour): what is measured there is the dashboard, not the parse.

Reported: store build (wall and CPU time, all cores, peak memory of the build), sync with nothing to do,
adding one article, an alias added to the gazetteer (articles re-resolved), the store's size; and in a
fresh process, the dashboard through Streamlit's AppTest: first render with the store built, a
governorate filter, a minimum count, the map HTML size and the process's peak memory. Server times are
wall times on a shared machine (noisy; CPU time is given beside them).
Run: python scripts/benchmark_store.py [--articles 1000 10000] [--big] [--work /tmp/geo-bench] [--json]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from shared_data import FAKES_CSV, SHARED, require  # noqa: E402

FIRST_DAY, LAST_DAY = dt.date(2011, 1, 1), dt.date(2023, 12, 31)
SECTION = re.compile(r"\n(?=#{1,3} )")
MIN_ARTICLE_CHARS = 5000  # Wikipedia / Syrian Archive pieces: long reports (~17 Syrian mentions an article), not stubs


def sources() -> list[tuple[str, str]]:
    """(title, text) of every real article in ../shared/data: FA-KES rows, Wikipedia sections, Syrian Archive pages."""
    out: list[tuple[str, str]] = []
    with open(require(FAKES_CSV), encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            out.append((" ".join(row["article_title"].split()) or row["unit_id"], row["article_content"]))
    for folder in ("wikipedia_sy", "syrian_archive"):
        for path in sorted((SHARED / "data" / folder).glob("*.md")):
            parts = [p for p in SECTION.split(path.read_text(encoding="utf-8")) if "[object Object]" not in p]
            for i, part in enumerate(joined_sections(parts, MIN_ARTICLE_CHARS)):  # not the lists of references
                if len(part) > 400:
                    out.append((f"{path.stem.replace('_', ' ')} ({i + 1})", part))
    return out


def joined_sections(parts: list[str], at_least: int) -> list[str]:
    """Consecutive sections of one page joined until each piece has `at_least` characters: a long report, not a stub."""
    out: list[str] = []
    piece = ""
    for part in parts:
        piece = f"{piece}\n{part}" if piece else part
        if len(piece) >= at_least:
            out.append(piece)
            piece = ""
    if piece:
        out.append(piece)
    return out


def write_corpus(n: int, folder: Path) -> None:
    """N articles with front matter (title, date), dates spread over 2011-2023, each file's content its own."""
    if folder.exists() and sum(1 for _ in folder.glob("*.md")) == n:
        return
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    rng = random.Random(16)
    pool = sources()
    rng.shuffle(pool)  # every size mixes the three sources
    span = (LAST_DAY - FIRST_DAY).days
    for i in range(n):
        title, text = pool[i % len(pool)]
        date = FIRST_DAY + dt.timedelta(days=rng.randrange(span + 1))
        title = title.replace("\n", " ")[:150]
        body = f"---\ntitle: {title}\ndate: {date.isoformat()}\nsource: benchmark\n---\n{text}\n\nReport {i}.\n"
        (folder / f"a{i:06d}.md").write_text(body, encoding="utf-8")


def timed_run(cmd: list[str], env: dict | None = None) -> tuple[float, float, str]:
    """(wall s, CPU s of the child and its children, stderr) of one command in a fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    run = subprocess.run(cmd, capture_output=True, text=True, env=dict(os.environ, **(env or {})), check=False)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if run.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd)} failed:\n{run.stderr[-3000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, run.stderr + run.stdout


def geo(*args: str, env: dict | None = None) -> tuple[float, float, str]:
    return timed_run([sys.executable, "-m", "geo", *args], dict(env or {}, PYTHONPATH=str(ROOT / "src")))


def build_numbers(folder: Path, store: Path, gaz_root: Path) -> dict:
    """Store build from nothing, a sync with nothing to do, one article added, one alias added."""
    store.unlink(missing_ok=True)
    out: dict = {}
    common = ["store", "build", str(folder), "--store", str(store), "--gazetteer", str(gaz_root), "-q"]
    env = {"GEO_GAZETTEER": str(gaz_root)}
    out["build_s"], out["build_cpu_s"], said = geo(*common, env=env)
    out["build_peak_mb"] = peak_of_children()
    out["build_said"] = said.strip().splitlines()[-1]
    out["nothing_s"], out["nothing_cpu_s"], _ = geo(*common, env=env)
    extra = folder / "zz_added.md"
    extra.write_text("---\ntitle: Added\ndate: 2016-05-05\n---\nBarrel bombs hit Daraya and Douma.\n", "utf-8")
    out["add_one_s"], out["add_one_cpu_s"], said = geo(*common, env=env)
    out["add_one_said"] = said.strip().splitlines()[-1]
    extra.unlink()
    geo(*common, env=env)
    aliases = gaz_root / "curated" / "aliases.csv"
    original = aliases.read_text(encoding="utf-8")
    aliases.write_text(original + "gn:170063,Halab al-Shahba,benchmark\n", encoding="utf-8")  # Aleppo
    try:
        out["alias_s"], out["alias_cpu_s"], said = geo(*common, env=env)
        out["alias_said"] = said.strip().splitlines()[-1]
    finally:
        aliases.write_text(original, encoding="utf-8")
    geo(*common, env=env)
    out["store_mb"] = round(store.stat().st_size / 1e6, 1)
    return out


def peak_of_children() -> float:
    return round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 0)


def app_numbers(folder: Path, store: Path) -> dict:
    """The dashboard in a fresh process (so its peak memory is its own): see measure_app."""
    cmd = [sys.executable, __file__, "--measure-app", str(folder), str(store)]
    run = subprocess.run(cmd, capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=str(ROOT / "src")))
    lines = run.stdout.strip().splitlines()
    if run.returncode or not lines:  # its stderr says why (DuckDB's bindings also print leak notes there at exit)
        sys.exit(f"{' '.join(cmd)} failed (exit {run.returncode}):\n{run.stderr[-3000:]}")
    return json.loads(lines[-1])


def measure_app(folder: Path, store: Path) -> None:
    """First render (store built), a governorate filter, a minimum count, the map HTML; as JSON on stdout."""
    from streamlit.testing.v1 import AppTest

    from geo import gazetteer
    from geo.dashboard import explore, mapview, queries, shared_map
    from geo.results import database

    os.environ["GEO_ARTICLES"], os.environ["GEO_STORE"] = str(folder), str(store)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=900)
    out: dict = {}
    for name, step in (
        ("first_render", lambda: at.run()),
        ("rerun_same", lambda: at.run()),
        ("governorate_filter", lambda: _select(at, "Governorates", 1)),
        ("min_count_filter", lambda: at.sidebar.number_input[0].set_value(3).run()),
        ("distinct_events", lambda: at.sidebar.radio[1].set_value("distinct events").run()),
    ):
        t, c = time.perf_counter(), time.process_time()
        step()
        out[f"{name}_s"], out[f"{name}_cpu_s"] = round(time.perf_counter() - t, 3), round(time.process_time() - c, 3)
        assert not at.exception, at.exception
    con = database.connect(store)
    with queries.View(con.cursor(), explore.Filters()) as view:
        rows = queries.place_rows(view, gazetteer.load())
        gov = queries.governorate_counts(view)
        titles = queries.titles(con)
        totals = queries.totals(view)
    fmap = mapview.build_map(
        rows, gazetteer.default_root() / "syria_governorates.geojson", titles, governorate_totals=gov
    )
    out["map_html_mb"] = round(len(fmap.get_root().render().encode()) / 1e6, 2)
    frame = shared_map.prepare(fmap, "map", ["last_object_clicked"])  # what streamlit-folium sends a browser
    out["map_sent_mb"] = round(frame.size / 1e6, 2)
    out["places"], out["mentions"], out["articles"] = len(rows), totals.mentions, len(titles)
    out["app_peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(out))


def _select(at, label: str, index: int):
    widget = next(m for m in at.sidebar.multiselect if m.label == label)
    return widget.select(widget.options[index]).run()


def make_big(small: Path, small_store: Path, folder: Path, store: Path, times: int) -> None:
    """`times` copies of the small corpus's files and of its store rows (renamed), without parsing them again."""
    import duckdb

    if not (folder.exists() and store.exists()):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        for k in range(times):
            for path in small.glob("*.md"):
                os.link(path, folder / f"c{k}_{path.name}")  # hard links: the same bytes, no disk
        shutil.copy(small_store, store)
        con = duckdb.connect(str(store))
        con.execute("BEGIN TRANSACTION")
        renamed = {
            "articles": ("file", "name"),
            "mentions": ("file", "article", "event_id"),
            "events": ("file", "article", "event_id"),
            "sounds": ("file",),
            "facts": ("file", "article", "ekey"),  # an event key starts with its article (results/facts.py)
        }
        for table, columns in renamed.items():
            names = [c[0] for c in con.execute(f"DESCRIBE {table}").fetchall()]
            con.execute(f"CREATE TEMP TABLE src_{table} AS SELECT * FROM {table}")
            con.execute(f"DELETE FROM {table}")
            for k in range(times):
                cols = ", ".join(
                    f'\'c{k}_\' || "{c}" AS "{c}"' if c in columns else f'"{c}"' for c in names
                )  # NULL event ids stay NULL: || with NULL is NULL
                con.execute(f"INSERT INTO {table} SELECT {cols} FROM src_{table}")
        stats = [(p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in folder.glob("*.md")]
        con.execute("CREATE TEMP TABLE stats (file VARCHAR, size BIGINT, mtime_ns BIGINT)")
        con.executemany("INSERT INTO stats VALUES (?, ?, ?)", stats)
        con.execute(
            "UPDATE articles SET size = s.size, mtime_ns = s.mtime_ns FROM stats s WHERE s.file = articles.file"
        )
        con.execute("COMMIT")
        con.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--big", action="store_true", help="also 100k: the largest corpus's files and rows copied")
    ap.add_argument("--work", type=Path, default=Path("/tmp/geo-bench"))
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--app-only", action="store_true", help="measure the dashboard on the stores already built")
    ap.add_argument("--measure-app", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.measure_app:
        measure_app(*args.measure_app)
        return
    results = {}
    gaz_root = args.work / "gazetteer"
    if not gaz_root.exists():
        shutil.copytree(ROOT / "gazetteer", gaz_root)
    for n in args.articles:
        folder, store = args.work / f"articles-{n}", args.work / f"store-{n}.duckdb"
        write_corpus(n, folder)
        built = {} if args.app_only and store.exists() else build_numbers(folder, store, gaz_root)
        results[n] = built | app_numbers(folder, store)
        said = f"{n:,} articles, {results[n]['mentions']:,} mentions in Syria"
        print(f"{said}: {json.dumps(results[n])}", file=sys.stderr)
    if args.big:
        n = max(args.articles)
        big_folder, big_store = args.work / f"articles-{10 * n}", args.work / f"store-{10 * n}.duckdb"
        make_big(args.work / f"articles-{n}", args.work / f"store-{n}.duckdb", big_folder, big_store, 10)
        results[10 * n] = {"nothing_s": geo("store", "build", str(big_folder), "--store", str(big_store), "-q")[0]}
        results[10 * n] |= app_numbers(big_folder, big_store)
        said = f"{10 * n:,} articles, {results[10 * n]['mentions']:,} mentions in Syria"
        print(f"{said}: {json.dumps(results[10 * n])}", file=sys.stderr)
    if args.json:
        print(json.dumps(results))


if __name__ == "__main__":
    main()

"""Dashboard server time: first render and a filter change, for the seeds and for FA-KES (800 articles).

Runs app.py in Streamlit's AppTest (the same script run a browser triggers, minus the network)
and reports wall time per run and the size of the map HTML.
Run: python scripts/benchmark_app.py [--csv ../shared/data/fakes/fakes_articles.csv]
     python scripts/benchmark_app.py --folder /tmp/dash10k/articles --store /tmp/dash10k/store.duckdb --profile 25
         (AppTest with cProfile around the script's own thread: the top lines of each step, by own time)
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from shared_data import FAKES_CSV, require  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from geo import gazetteer, summary  # noqa: E402
from geo.dashboard import explore, mapview  # noqa: E402


def write_fakes(csv_path: Path, folder: Path) -> None:
    with open(csv_path, encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            title = " ".join(row["article_title"].split()) or row["unit_id"]
            month, day, year = (row["date"].split("/") + ["", "", ""])[:3]  # FA-KES writes M/D/YYYY
            date = f"{year}-{int(month):02d}-{int(day):02d}" if year.isdigit() else ""
            meta = f"---\ntitle: {title}\nsource: {row['source']}\n" + (f"date: {date}\n" if date else "") + "---\n"
            (folder / f"fakes_{row['unit_id']}.txt").write_text(meta + row["article_content"], encoding="utf-8")


def measure(folder: Path, label: str) -> None:
    os.environ["GEO_ARTICLES"] = str(folder)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    t = time.perf_counter()
    at.run()
    first = time.perf_counter() - t
    assert not at.exception, at.exception
    t = time.perf_counter()
    governorates = next(m for m in at.sidebar.multiselect if m.label == "Governorates")
    governorates.select(governorates.options[0]).run()
    change = time.perf_counter() - t
    t = time.perf_counter()
    at.sidebar.number_input[0].set_value(3).run()
    change2 = time.perf_counter() - t
    corpus = explore.load_corpus(folder, gazetteer.load())
    summaries = summary.summarise(explore.filter_mentions(corpus, explore.Filters()))
    html = (
        mapview.build_map(summaries, gazetteer.default_root() / "syria_governorates.geojson", corpus.titles())
        .get_root()
        .render()
    )
    print(
        f"{label}: {len(corpus.articles)} articles, {len(corpus.mentions)} mentions, {len(summaries)} places | "
        f"first render {first:.2f} s, governorate filter {change * 1000:.0f} ms, min-mentions filter "
        f"{change2 * 1000:.0f} ms, map HTML {len(html.encode()) / 1e6:.2f} MB"
    )


PROFILED_APP = """import cProfile, os, runpy
profile = cProfile.Profile()
profile.enable()
try:
    runpy.run_path({app!r}, run_name="__main__")
finally:
    profile.disable()
    profile.dump_stats(os.environ["GEO_PROFILE_OUT"])
"""


def profile(folder: Path, store: Path | None, top: int, sort: str = "tottime") -> None:
    """First render, a rerun, a governorate and a minimum-count change, each profiled (AppTest runs the
    script in a thread of its own: cProfile is switched on inside it, by a wrapper script)."""
    os.environ["GEO_ARTICLES"] = str(folder)
    if store:
        os.environ["GEO_STORE"] = str(store)
    with tempfile.TemporaryDirectory() as tmp:
        wrapper = Path(tmp) / "profiled_app.py"
        wrapper.write_text(PROFILED_APP.format(app=str(ROOT / "app.py")), encoding="utf-8")
        at = AppTest.from_file(str(wrapper), default_timeout=900)

        def governorate():
            widget = next(m for m in at.sidebar.multiselect if m.label == "Governorates")
            widget.select(widget.options[1]).run()

        for name, step in (
            ("first render", at.run),
            ("rerun, nothing changed", at.run),
            ("governorate filter", governorate),
            ("minimum count 3", lambda: at.sidebar.number_input[0].set_value(3).run()),
        ):
            out = Path(tmp) / "step.prof"
            os.environ["GEO_PROFILE_OUT"] = str(out)
            wall, cpu = time.perf_counter(), time.process_time()
            step()
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            assert not at.exception, at.exception
            text = io.StringIO()
            stats = pstats.Stats(str(out), stream=text)
            stats.sort_stats(sort).print_stats(top)
            print(f"== {name}: {wall:.2f} s wall, {cpu:.2f} s CPU (the process), {stats.total_tt:.2f} s in the script")
            print(text.getvalue().split("\n", 6)[-1].replace(str(ROOT) + "/", ""))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--csv", type=Path, default=FAKES_CSV)
    ap.add_argument("--folder", type=Path, help="profile the dashboard over this articles folder")
    ap.add_argument("--store", type=Path, help="... and this store (default: beside the folder)")
    ap.add_argument("--profile", type=int, default=25, help="lines of each step's profile (with --folder)")
    ap.add_argument("--sort", default="tottime", help="the profile's order: tottime (own time) or cumulative")
    args = ap.parse_args()
    if args.folder:
        profile(args.folder, args.store, args.profile, args.sort)
        return
    require(args.csv)
    measure(ROOT / "articles", "seeds")
    with tempfile.TemporaryDirectory() as tmp:
        write_fakes(args.csv, Path(tmp))
        measure(Path(tmp), "FA-KES")


if __name__ == "__main__":
    main()

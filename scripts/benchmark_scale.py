"""Issue 16's table in one run: how each cost grows from 1k to 10k (and 100k) articles, flashtext beside it.

For each size, on the corpus of scripts/benchmark_store.py (the real articles of ../shared/data cycled,
dates over 2011-2023): the parse as whole processes — `geo parse` on one core, on all cores, and
`geo batch` (Dask on a LocalCluster of two workers) — with a flashtext script over the same files and
the gazetteer's keys; then the store (build on all cores, a sync with nothing to do, one article added,
an alias added) and the dashboard on it through Streamlit's AppTest (first render, a rerun, three filter
changes, map HTML, peak memory), both from benchmark_store.py. `--big` adds 100k articles: the largest
corpus's files and store rows copied ten times, so its row has the store's sync and the dashboard only, and
with `--big-parse` the four parses of those copies too (about 12 minutes here). Wall times on a shared
2-core machine are noisy: CPU is beside them.
Run: python scripts/benchmark_scale.py [--articles 1000 10000] [--big [--big-parse]] [--work /tmp/geo-scale] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchmark_store  # noqa: E402
from benchmark import FLASHTEXT_PROCESS  # noqa: E402

ENV = dict(os.environ, PYTHONPATH=str(ROOT / "src"))


def whole_process(args: list[str]) -> dict:
    """Wall and CPU seconds (the command's own children, Dask's workers, included) of one command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run(args, capture_output=True, text=True, env=ENV, check=True)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return {"wall_s": round(wall, 2), "cpu_s": round(cpu, 2)}


def parse_numbers(folder: Path, n: int) -> dict:
    """The parse four ways, each an end-to-end process on the same files: MB/s and articles/s over the wall clock."""
    mb = sum(p.stat().st_size for p in folder.glob("*.md")) / 1e6
    geo = [sys.executable, "-m", "geo"]
    cores = str(len(os.sched_getaffinity(0)))
    with tempfile.TemporaryDirectory() as out:
        runs = {
            "flashtext": [sys.executable, "-c", FLASHTEXT_PROCESS, str(folder)],
            "parse_1_core": [*geo, "parse", str(folder), "-o", os.devnull, "-q", "--jobs", "1"],
            "parse_all_cores": [*geo, "parse", str(folder), "-o", os.devnull, "-q", "--jobs", cores],
            "batch_dask_local": [*geo, "batch", str(folder), "--out", str(Path(out) / "parquet"), "-q"],
        }
        found = {name: whole_process(args) for name, args in runs.items()}
    for row in found.values():
        row["mb_per_s"] = round(mb / row["wall_s"], 2)
        row["articles_per_s"] = round(n / row["wall_s"], 1)
        row["x_flashtext"] = round(found["flashtext"]["wall_s"] / row["wall_s"], 2)
    return {"mb": round(mb, 1), **found}


ROWS = [  # (label, how to read it from one size's numbers)
    ("text (MB)", lambda r: r["parse"]["mb"]),
    ("flashtext script, whole process (wall s · articles/s)", lambda r: _rate(r["parse"]["flashtext"])),
    ("geo parse, 1 core", lambda r: _rate(r["parse"]["parse_1_core"])),
    ("geo parse, all cores", lambda r: _rate(r["parse"]["parse_all_cores"])),
    ("geo batch, Dask LocalCluster (2 workers)", lambda r: _rate(r["parse"]["batch_dask_local"])),
    ("store build, all cores (wall / CPU / peak MB)",
     lambda r: f"{r['build_s']:.1f} / {r['build_cpu_s']:.1f} / {r['build_peak_mb']:.0f}"),
    ("sync, nothing changed (s)", lambda r: f"{r['nothing_s']:.1f}"),
    ("one article added (s)", lambda r: f"{r['add_one_s']:.1f}"),
    ("an alias added (s)", lambda r: f"{r['alias_s']:.1f}"),
    ("store file (MB)", lambda r: r["store_mb"]),
    ("dashboard first render (s, CPU)", lambda r: f"{r['first_render_s']:.1f} ({r['first_render_cpu_s']:.1f})"),
    ("rerun, nothing changed (s)", lambda r: f"{r['rerun_same_s']:.2f}"),
    ("filter: governorate / minimum count / distinct events (s)",
     lambda r: f"{r['governorate_filter_s']:.2f} / {r['min_count_filter_s']:.2f} / {r['distinct_events_s']:.2f}"),
    ("map HTML (MB)", lambda r: r["map_html_mb"]),
    ("mentions in the store", lambda r: f"{r['mentions']:,}"),
    ("dashboard peak memory (MB)", lambda r: r["app_peak_mb"]),
]  # fmt: skip


def _rate(row: dict) -> str:
    speed = f"{row['articles_per_s']:.0f}/s · {row['mb_per_s']:.2f} MB/s"
    return f"{row['wall_s']:.1f} s · {speed} · {row['x_flashtext']:.2f}×"


def table(results: dict[int, dict]) -> str:
    sizes = list(results)
    lines = ["| | " + " | ".join(f"{n:,} articles" for n in sizes) + " |", "|---|" + "---|" * len(sizes)]
    for label, read in ROWS:
        cells = []
        for n in sizes:
            try:
                cells.append(str(read(results[n])))
            except KeyError:  # 100k: no parse, no build
                cells.append("—")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--big", action="store_true", help="also 10× the largest size: files and store rows copied")
    ap.add_argument(
        "--big-parse", action="store_true", help="with --big, parse the copies too (four whole parses: ~12 min here)"
    )
    ap.add_argument("--work", type=Path, default=Path("/tmp/geo-scale"))
    ap.add_argument("--json", action="store_true", help="one JSON object of the numbers on stdout")
    args = ap.parse_args()
    gaz_root = args.work / "gazetteer"
    if not gaz_root.exists():
        shutil.copytree(ROOT / "gazetteer", gaz_root)
    results: dict[int, dict] = {}
    for n in args.articles:
        folder, store = args.work / f"articles-{n}", args.work / f"store-{n}.duckdb"
        benchmark_store.write_corpus(n, folder)
        results[n] = {"parse": parse_numbers(folder, n)}
        results[n] |= benchmark_store.build_numbers(folder, store, gaz_root)
        results[n] |= benchmark_store.app_numbers(folder, store)
        print(f"{n:,} articles: {json.dumps(results[n])}", file=sys.stderr)
    if args.big:
        n = max(args.articles)
        big_folder, big_store = args.work / f"articles-{10 * n}", args.work / f"store-{10 * n}.duckdb"
        small_folder, small_store = args.work / f"articles-{n}", args.work / f"store-{n}.duckdb"
        benchmark_store.make_big(small_folder, small_store, big_folder, big_store, 10)
        synced = benchmark_store.geo("store", "build", str(big_folder), "--store", str(big_store), "-q")
        results[10 * n] = {"nothing_s": synced[0]}
        if args.big_parse:  # the same bytes ten times over: the rates of a corpus ten times larger
            results[10 * n]["parse"] = parse_numbers(big_folder, 10 * n)
        results[10 * n] |= benchmark_store.app_numbers(big_folder, big_store)
    print(f"Measured {time.strftime('%Y-%m-%d')} (load average {os.getloadavg()[0]:.1f})", file=sys.stderr)
    print(table(results), file=sys.stderr)
    if args.json:
        print(json.dumps(results))


if __name__ == "__main__":
    main()

"""Benchmark the engine on FA-KES replicated to a large corpus, beside flashtext and pyahocorasick.

One run prints one table (issue 15), every number a median of interleaved runs (this machine is
shared: CPU time drifts far less than wall time, so MB/s are over CPU seconds unless said):
  - in-process, one core: flashtext's KeywordProcessor (the same alias keys), pyahocorasick's
    iter() over the normalised text (the automaton geo matches with; ahocorasick-rs too when it is
    installed), and geo places only and places + events (read, parse, JSON lines);
  - whole process: `python -m geo parse DIR --format jsonl` (places + events, --no-events, --jobs 2)
    and a flashtext script that reads the same files and builds its processor, as geo loads its index;
  - the event step's share of a places-only parse; start-up (first output line, warm; index build,
    cold); peak memory of `geo parse` on half the corpus and on all of it (flat: it streams);
  - the top lines of a profile of the in-process parse.
Run: python scripts/benchmark.py [--copies 10] [--runs 3] [--csv ../shared/data/fakes/fakes_articles.csv] [--json]
(--json: one JSON object of the numbers on stdout, the table on stderr)
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import functools
import io
import json
import os
import pstats
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

import ahocorasick  # noqa: E402
from shared_data import FAKES_CSV, require  # noqa: E402

from geo import gazetteer  # noqa: E402
from geo.corpus.reader import article_files, read_article  # noqa: E402
from geo.events import lexicon  # noqa: E402
from geo.gazetteer import NOT_PLACE  # noqa: E402
from geo.output import render_mentions  # noqa: E402
from geo.pipeline import parse_read_article  # noqa: E402
from geo.text.normalise import normalise  # noqa: E402

ENV = dict(os.environ, PYTHONPATH=str(ROOT / "src"))

FLASHTEXT_PROCESS = """
import sys
from pathlib import Path
from flashtext import KeywordProcessor
from geo import gazetteer
from geo.corpus.reader import article_files
from geo.gazetteer import NOT_PLACE
kp = KeywordProcessor()
for entry in gazetteer.load().entries:
    if not entry.flags & NOT_PLACE:
        kp.add_keyword(entry.key)
hits = sum(len(kp.extract_keywords(p.read_text(encoding="utf-8"), span_info=True))
           for p, _ in article_files([Path(sys.argv[1])]))
print(hits)
"""  # the article files geo parse reads (this script's .txt copies; benchmark_scale.py's .md articles)


def write_corpus(csv_path: Path, copies: int, folder: Path) -> tuple[int, float]:
    """FA-KES's article texts, `copies` times over, one .txt file each: (files, MB of text)."""
    with open(csv_path, encoding="utf-8-sig", newline="") as f:
        texts = [r["article_content"] for r in csv.DictReader(f) if r["article_content"].strip()]
    size = 0
    for c in range(copies):
        for i, text in enumerate(texts):
            data = text.encode("utf-8")
            (folder / f"{c:02d}_{i:04d}.txt").write_bytes(data)
            size += len(data)
    return copies * len(texts), size / 1e6


def child_run(args: list[str]) -> tuple[float, float, str]:
    """(CPU seconds, wall seconds, stdout) of a child process, its own children included."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, env=ENV, check=True)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall, done.stdout


def geo_args(folder: Path, *extra: str) -> list[str]:
    """`geo parse` on one process unless `extra` says --jobs (its default is every core)."""
    jobs = [] if "--jobs" in extra else ["--jobs", "1"]
    command = [sys.executable, "-m", "geo", "parse", str(folder), "--format", "jsonl", "-o", os.devnull, "-q"]
    return command + jobs + list(extra)


def peak_of_child(args: list[str]) -> float:
    """Max RSS (MB) of a child: run under /usr/bin/time when it is there, else None."""
    timer = Path("/usr/bin/time")
    if not timer.exists():
        return float("nan")
    done = subprocess.run([str(timer), "-f", "%M", *args], capture_output=True, text=True, env=ENV, check=True)
    return int(done.stderr.strip().splitlines()[-1]) / 1024


def interleaved(runs: int, variants: dict[str, Callable[[], tuple[float, float]]]) -> dict[str, tuple[float, float]]:
    """Each variant `runs` times, in turn, so that a busy spell of the machine hits all alike:
    the median (CPU s, wall s) of each."""
    seen: dict[str, list[tuple[float, float]]] = {name: [] for name in variants}
    for _ in range(runs):
        for name, run in variants.items():
            seen[name].append(run())
    return {
        name: (statistics.median(c for c, _ in got), statistics.median(w for _, w in got)) for name, got in seen.items()
    }


def cpu_and_wall(fn: Callable[[], object]) -> tuple[float, float]:
    c, w = time.process_time(), time.perf_counter()
    fn()
    return time.process_time() - c, time.perf_counter() - w


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--csv", type=Path, default=FAKES_CSV)
    ap.add_argument("--copies", type=int, default=10, help="FA-KES copies in the corpus (10: 15.8 MB, 8,040 files)")
    ap.add_argument("--runs", type=int, default=3, help="interleaved runs of each variant (medians are shown)")
    ap.add_argument("--profile-mb", type=float, default=3.0, help="MB of the corpus the profile parses")
    ap.add_argument("--json", action="store_true", help="print one JSON object of the numbers (the table on stderr)")
    args = ap.parse_args()
    show = functools.partial(print, file=sys.stderr if args.json else sys.stdout)  # stdout: the JSON object
    require(args.csv)
    jobs = len(os.sched_getaffinity(0))
    numbers: dict[str, object] = {"date": time.strftime("%Y-%m-%d"), "cores": jobs, "runs": args.runs}

    with tempfile.TemporaryDirectory() as tmp:
        folder, half = Path(tmp) / "corpus", Path(tmp) / "half"
        folder.mkdir()
        half.mkdir()
        files, mb = write_corpus(args.csv, args.copies, folder)
        write_corpus(args.csv, max(1, args.copies // 2), half)
        show(f"corpus: FA-KES x{args.copies} = {files:,} files, {mb:.1f} MB of text; {args.runs} interleaved runs")
        numbers.update(files=files, megabytes=round(mb, 2))

        # Start-up: the index built from the gazetteer files (an empty cache), then the first line, warm.
        cache = os.environ.get("GEO_CACHE_DIR")
        with tempfile.TemporaryDirectory() as cold:
            os.environ["GEO_CACHE_DIR"] = cold
            cold_cpu, cold_wall = cpu_and_wall(gazetteer.load)
        if cache is None:
            os.environ.pop("GEO_CACHE_DIR")
        else:
            os.environ["GEO_CACHE_DIR"] = cache
        gaz, lex = gazetteer.load(), lexicon.load()
        one = sorted(folder.glob("*.txt"))[0]
        child_run(geo_args(one))  # the caches (index, event model) are warm from here on
        start = interleaved(max(3, args.runs), {"first line": lambda: child_run(geo_args(one))[:2]})["first line"]
        numbers["startup"] = {
            "first_line_warm_cpu_s": start[0],
            "first_line_warm_wall_s": start[1],
            "index_build_cold_cpu_s": cold_cpu,
            "index_build_cold_wall_s": cold_wall,
        }

        # In-process, one core.
        read = [read_article(p, f) for p, f in article_files([folder])]
        texts = [a.text for a in read]
        kp = __import__("flashtext").KeywordProcessor()
        for entry in gaz.entries:
            if not entry.flags & NOT_PLACE:
                kp.add_keyword(entry.key)
        keys = [f" {e.key} " for e in gaz.entries if not e.flags & NOT_PLACE]
        automaton = ahocorasick.Automaton(ahocorasick.STORE_INTS)  # pyahocorasick's, whichever geo's index uses
        for key, value in gaz.automaton.items():
            automaton.add_word(key, value)
        automaton.make_automaton()
        flat = gaz.automaton if gazetteer.FlatAutomaton is not None else None

        def geo_parse(events: bool) -> None:
            for a in read:
                render_mentions("jsonl", parse_read_article(a, gaz, lex if events else None, events))

        inproc: dict[str, Callable[[], tuple[float, float]]] = {
            "flashtext": lambda: cpu_and_wall(lambda: [kp.extract_keywords(t, span_info=True) for t in texts]),
            "pyahocorasick": lambda: cpu_and_wall(
                lambda: [sum(1 for _ in automaton.iter(f" {normalise(t)} ")) for t in texts]
            ),
            **(
                {
                    "geo's flat automaton": lambda: cpu_and_wall(
                        lambda: [len(flat.iter(f" {normalise(t)} ")) for t in texts]
                    )
                }
                if flat is not None
                else {}
            ),
            "geo places only": lambda: cpu_and_wall(lambda: geo_parse(False)),
            "geo places + events": lambda: cpu_and_wall(lambda: geo_parse(True)),
        }
        try:
            import ahocorasick_rs

            rs = ahocorasick_rs.AhoCorasick(keys, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest)
            inproc["ahocorasick-rs"] = lambda: cpu_and_wall(
                lambda: [rs.find_matches_as_indexes(f" {normalise(t)} ", overlapping=False) for t in texts]
            )
        except ImportError:
            pass
        inside = interleaved(args.runs, inproc)

        # Whole process: what a user runs, start-up and file reading included.
        ft_script = [sys.executable, "-c", FLASHTEXT_PROCESS, str(folder)]
        whole = interleaved(
            args.runs,
            {
                "flashtext": lambda: child_run(ft_script)[:2],
                "geo parse": lambda: child_run(geo_args(folder))[:2],
                "geo parse --no-events": lambda: child_run(geo_args(folder, "--no-events"))[:2],
                f"geo parse --jobs {jobs}": lambda: child_run(geo_args(folder, "--jobs", str(jobs)))[:2],
            },
        )
        peaks = {"half": peak_of_child(geo_args(half)), "all": peak_of_child(geo_args(folder))}

        # A profile of the in-process parse, on a slice.
        share = max(1, int(len(read) * args.profile_mb / mb))
        profiler = cProfile.Profile(time.process_time)  # CPU time: the machine is shared
        profiler.enable()
        for a in read[:share]:
            render_mentions("jsonl", parse_read_article(a, gaz, lex, True))
        profiler.disable()

    ft_in, ft_whole = mb / inside["flashtext"][0], mb / whole["flashtext"][0]
    show("")
    show("| | MB/s | × flashtext |")
    show("|---|---|---|")
    rows: dict[str, dict[str, float]] = {}
    for name, (cpu, _wall) in inside.items():
        rows[f"in-process, 1 core: {name}"] = {"mb_per_s": mb / cpu, "x_flashtext": mb / cpu / ft_in, "cpu_s": cpu}
    for name, (cpu, wall) in whole.items():
        clock = wall if "--jobs" in name else cpu  # many processes: the wall clock (against flashtext's CPU)
        rate = mb / clock
        label = f"whole process{' (wall)' if clock is wall else ''}: {name}"
        rows[label] = {"mb_per_s": rate, "x_flashtext": rate / ft_whole, "cpu_s": cpu, "wall_s": wall}
    for label, row in rows.items():
        show(f"| {label} | {row['mb_per_s']:.1f} | {row['x_flashtext']:.2f}× |")
    numbers["table"] = rows
    one_cpu, many_wall = whole["geo parse"][0], whole[f"geo parse --jobs {jobs}"][1]
    events_cpu, places_cpu = inside["geo places + events"][0], inside["geo places only"][0]
    show("")
    show(
        f"--jobs {jobs}: {whole['geo parse'][1] / many_wall:.2f}× the wall clock of one process "
        f"({one_cpu / many_wall:.2f}× its CPU time)"
    )
    show(f"event step: +{100 * (events_cpu - places_cpu) / places_cpu:.0f}% of a places-only parse (in-process CPU)")
    show(
        f"start-up: first output line {start[0]:.2f} s CPU ({start[1]:.2f} s wall), warm; "
        f"index build {cold_cpu:.1f} s CPU ({cold_wall:.1f} s wall), cold"
    )
    show(f"peak memory of geo parse: {peaks['half']:.0f} MB on half the corpus, {peaks['all']:.0f} MB on all of it")
    numbers.update(
        jobs_speedup_wall=whole["geo parse"][1] / many_wall,
        event_step_share=(events_cpu - places_cpu) / places_cpu,
        peak_memory_mb=peaks,
    )
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(15)
    top = [line for line in out.getvalue().splitlines() if line.strip()][-16:]
    show(f"\nprofile of {share} articles (in-process, places + events), top lines by own CPU time:")
    for line in top:
        show(line.replace(str(ROOT / "src") + "/", ""))
    if args.json:
        print(json.dumps(numbers))


if __name__ == "__main__":
    main()

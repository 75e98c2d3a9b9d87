"""Benchmark the engine on FA-KES replicated to a large corpus, beside flashtext.

Reports, in one run:
  - start-up: loading the gazetteer from its cache and from scratch (building the automaton);
  - geo (match + resolve + excerpts + events) on one core and on all cores: MB/s, articles/s;
  - each stage's share: the same slice without the sound-alike stage, places only, with the event
    rules, and with the learned coder;
  - flashtext's KeywordProcessor over the same alias keys, on one core (extraction only);
  - peak memory (max RSS) of the process.
Run: python scripts/benchmark.py [--mb 100] [--csv ../shared/data/fakes/fakes_articles.csv] [--json]
(--json: one JSON object of the numbers on stdout, the table on stderr)
"""

from __future__ import annotations

import argparse
import csv
import functools
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from shared_data import FAKES_CSV, require  # noqa: E402

from geo import gazetteer  # noqa: E402
from geo.events import coder, lexicon  # noqa: E402
from geo.gazetteer import NOT_PLACE  # noqa: E402
from geo.pipeline import parse_text, process_pool  # noqa: E402

_gaz = None
_lex = None
_texts: list[str] = []


def _parse_range(bounds: tuple[int, int]) -> int:
    """Parse _texts[lo:hi] (workers inherit _texts and the gazetteer through fork)."""
    lo, hi = bounds
    return sum(len(parse_text("bench", t, _gaz, 0, None, _lex)) for t in _texts[lo:hi])


def corpus(csv_path: Path, megabytes: float) -> list[str]:
    with open(csv_path, encoding="utf-8-sig", newline="") as f:
        base = [r["article_content"] for r in csv.DictReader(f)]
    size = sum(len(t.encode()) for t in base)
    return base * max(1, round(megabytes * 1e6 / size))


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--csv", type=Path, default=FAKES_CSV)
    ap.add_argument("--mb", type=float, default=100.0)
    ap.add_argument("--events-mb", type=float, default=6.0, help="slice timed with and without the event step")
    ap.add_argument("--flashtext-mb", type=float, default=10.0, help="flashtext is slow: time it on a slice")
    ap.add_argument("--json", action="store_true", help="print one JSON object of the numbers (the table on stderr)")
    args = ap.parse_args()
    numbers: dict[str, object] = {"date": time.strftime("%Y-%m-%d"), "cores": len(os.sched_getaffinity(0))}
    show = functools.partial(print, file=sys.stderr if args.json else sys.stdout)  # stdout: the JSON object
    require(args.csv)

    with tempfile.TemporaryDirectory() as cold:
        os.environ["GEO_CACHE_DIR"] = cold
        t = time.perf_counter()
        gazetteer.load()
        cold_s = time.perf_counter() - t
    os.environ.pop("GEO_CACHE_DIR")
    gazetteer.load()  # make sure the default cache is warm
    t = time.perf_counter()
    gaz = gazetteer.load()
    warm_s = time.perf_counter() - t

    texts = corpus(args.csv, args.mb)
    mb = sum(len(x.encode()) for x in texts) / 1e6
    show(f"corpus: FA-KES x{len(texts) // 804} = {len(texts)} articles, {mb:.1f} MB")
    numbers.update(articles=len(texts), megabytes=round(mb, 2), startup_cached_s=warm_s, startup_index_build_s=cold_s)
    show(
        f"start-up: {warm_s:.2f} s from cache, {cold_s:.2f} s building the index "
        f"({len(gaz.entries)} keys, {len(gaz.places)} places)"
    )

    global _gaz, _texts, _lex
    _gaz, _texts, _lex = gaz, texts, lexicon.load()
    t = time.perf_counter()
    n = _parse_range((0, len(texts)))
    one = time.perf_counter() - t
    show(f"geo, 1 core:  {mb / one:6.1f} MB/s  {len(texts) / one:8.0f} articles/s  ({n} mentions, {one:.1f} s)")
    numbers["one_core"] = {"mb_per_s": mb / one, "articles_per_s": len(texts) / one, "mentions": n, "seconds": one}

    jobs = len(os.sched_getaffinity(0))
    chunks = [(i, i + 200) for i in range(0, len(texts), 200)]
    t = time.perf_counter()
    with process_pool(gaz, jobs) as pool:
        n2 = sum(pool.map(_parse_range, chunks))
    par = time.perf_counter() - t
    assert n2 == n
    numbers["all_cores"] = {"jobs": jobs, "mb_per_s": mb / par, "articles_per_s": len(texts) / par, "seconds": par}
    show(
        f"geo, {jobs} cores: {mb / par:6.1f} MB/s  {len(texts) / par:8.0f} articles/s  "
        f"({par:.1f} s, pool start-up included)"
    )

    # Each stage's cost: the same slice parsed with and without it, alternately, best of 5 CPU times
    # (this machine's timings drift by ±25% from one run to the next; CPU time drifts less).
    sub = texts[: max(1, int(len(texts) * args.events_mb / mb))]
    sub_mb = sum(len(x.encode()) for x in sub) / 1e6
    lex = lexicon.load()
    sounds = gaz.phonetic
    real_coder = coder.load

    def parse_slice(events: bool, soundalikes: bool = True, learned: bool = True) -> float:
        gaz.phonetic = sounds if soundalikes else {}
        coder.load = real_coder if learned else (lambda root: None)
        try:
            t = time.process_time()
            for x in sub:
                parse_text("bench", x, gaz, 0, None, lex, with_events=events)
            return time.process_time() - t
        finally:
            gaz.phonetic, coder.load = sounds, real_coder

    variants = {
        "no sound-alikes": lambda: parse_slice(False, soundalikes=False),
        "places only": lambda: parse_slice(False),
        "rules": lambda: parse_slice(True, learned=False),
        "rules + coder": lambda: parse_slice(True),
    }
    best = {name: min(run() for _ in range(5)) for name, run in variants.items()}
    places_only, full = best["places only"], best["rules + coder"]
    numbers["stages_cpu_s"] = {"megabytes": sub_mb, **best}
    show(
        f"stages on {sub_mb:.1f} MB (CPU, best of 5): places only {sub_mb / places_only:.1f} MB/s, "
        f"of which sound-alikes +{100 * (places_only / best['no sound-alikes'] - 1):.0f}% of the rest"
    )
    show(
        f"event step: with events {sub_mb / full:.1f} MB/s: +{100 * (full - places_only) / places_only:.0f}% "
        f"parse time (rules +{100 * (best['rules'] - places_only) / places_only:.0f}%, the learned coder "
        f"{100 * (full - best['rules']) / (best['rules'] - places_only):.0f}% of the rules' event step)"
    )

    from flashtext import KeywordProcessor

    kp = KeywordProcessor()
    for entry in gaz.entries:
        if not entry.flags & NOT_PLACE:
            kp.add_keyword(entry.key)
    sub = texts[: max(1, int(len(texts) * args.flashtext_mb / mb))]
    sub_mb = sum(len(x.encode()) for x in sub) / 1e6
    t = time.perf_counter()
    fn = sum(len(kp.extract_keywords(x, span_info=True)) for x in sub)
    ft = time.perf_counter() - t
    show(
        f"flashtext, 1 core: {sub_mb / ft:6.1f} MB/s  {len(sub) / ft:8.0f} articles/s  "
        f"(extraction only, {fn} hits on {sub_mb:.1f} MB)"
    )
    show(f"geo / flashtext on one core: {(mb / one) / (sub_mb / ft):.1f}x")
    show(f"peak memory (max RSS of this process): {peak_mb():.0f} MB")
    numbers["flashtext"] = {"mb_per_s": sub_mb / ft, "articles_per_s": len(sub) / ft, "hits": fn, "megabytes": sub_mb}
    numbers["peak_memory_mb"] = peak_mb()
    if args.json:
        print(json.dumps(numbers))


if __name__ == "__main__":
    main()

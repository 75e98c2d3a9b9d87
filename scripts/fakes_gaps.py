"""Measure the gazetteer on FA-KES (804 real articles): what it misses and what it hits.

Prints
  - capitalised names after "in", "near", "of", "town", "village", "countryside" ... that no
    mention covers (candidates for new aliases), most frequent first;
  - the places found, most frequent first, and the rare/lowercase hits worth a look (false hits);
  - how each article's main governorate comes out.
Run: python scripts/fakes_gaps.py [--csv ../shared/data/fakes/fakes_articles.csv] [--top 80]
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from shared_data import FAKES_CSV, require  # noqa: E402

from geo import gazetteer  # noqa: E402
from geo.pipeline import parse_text  # noqa: E402
from geo.summary import main_governorate  # noqa: E402

CUE = re.compile(
    r"\b(?:in|near|of|at|from|to|town|village|villages|city|countryside|province|district|"
    r"neighbourhood|neighborhood|outskirts|towns)\s+(?:the\s+)?((?:(?:al|el|as|ar|ad|an|ash)-)?[A-Z][\w'’`-]+"
    r"(?:\s+(?:(?:al|el|as|ar|ad|an|ash|ez|ed|es)[- ])?[A-Z][\w'’`-]+){0,2})"
)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--csv", type=Path, default=FAKES_CSV)
    ap.add_argument("--top", type=int, default=80)
    args = ap.parse_args()
    require(args.csv)
    gaz = gazetteer.load()
    with open(args.csv, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    missed, found, texts = Counter(), Counter(), defaultdict(list)
    govs = Counter()
    for row in rows:
        text = row["article_content"]
        mentions = parse_text(row["unit_id"], text, gaz)
        covered = [(m.start, m.end) for m in mentions]
        for m in mentions:
            found[(m.place.name, m.place.kind, m.place.id, m.text)] += 1
        for cue in CUE.finditer(text):
            s, e = cue.span(1)
            if not any(cs < e and s < ce for cs, ce in covered):
                missed[cue.group(1)] += 1
                if len(texts[cue.group(1)]) < 2:
                    texts[cue.group(1)].append(text[max(0, s - 60) : e + 40].replace("\n", " "))
        govs[main_governorate(mentions) or "-"] += 1
    total = sum(found.values())
    print(f"{len(rows)} articles, {total} mentions, {len(found)} distinct (place, text) pairs")
    print(f"\n== main governorate per article\n{govs.most_common()}")
    print(f"\n== capitalised names after a cue word, not covered by any mention (top {args.top})")
    for name, n in missed.most_common(args.top):
        print(f"{n:4d}  {name:30s}  | {texts[name][0][:120]}")
    print(f"\n== places found (top {args.top})")
    for (name, kind, pid, text), n in found.most_common(args.top):
        print(f"{n:4d}  {text:25s} -> {name} ({kind}, {pid})")
    print("\n== villages found (each a possible false hit)")
    for (name, kind, pid, text), n in sorted(found.items(), key=lambda kv: -kv[1]):
        if kind in ("village", "neighbourhood", "sub-district", "district"):
            print(f"{n:4d}  {text:25s} -> {name} ({kind}, {pid})")


if __name__ == "__main__":
    main()

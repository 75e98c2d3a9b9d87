"""Write gazetteer/prominence.csv: how well known each place is, so a town beats a hamlet of its name.

The resolver uses the score after the text's own evidence (a governorate beside the name, a place
it is "in" or "near") and before distance to the article's other places: "Sarmin" is the town of
Idleb, not a hamlet of that name elsewhere, unless the article is about that hamlet's area.

A score adds up the evidence below (POINTS). Who's On First's Wikidata ids are read from
../shared when it is there (the rest needs only the gazetteer). People may raise or lower a score
by hand; rerunning this script rewrites the file, so record lasting changes in POINTS or in a
curated place's kind.
Run: python scripts/build_prominence.py [--shared ../shared]
"""

from __future__ import annotations

import argparse
import csv
import io
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from shared_data import SHARED  # noqa: E402

from geo.store import write_text_atomic  # noqa: E402

# What makes a place well known, in points (a score is capped at 200).
POINTS = {
    "kind": {
        "country": 100,
        "governorate": 90,
        "city": 80,
        "district": 70,
        "town": 50,
        "sub-district": 45,
        "region": 40,
        "site": 20,
        "neighbourhood": 15,
        "village": 10,
    },
    "admin capital": 20,  # OCHA lists it as the seat of a district or sub-district
    "wikidata": 5,  # it has a Wikidata item (Who's On First)
    "population per tenfold": 5,  # 5 points per factor of ten (1,000 people: 15; 100,000: 25)
}


def score(row: dict[str, str], wikidata: set[str]) -> tuple[int, str]:
    points = POINTS["kind"].get(row["kind"], 10)
    basis = [row["kind"]]
    if "admin capital" in row.get("source", ""):
        points += POINTS["admin capital"]
        basis.append("admin capital")
    if row["id"] in wikidata:
        points += POINTS["wikidata"]
        basis.append("Wikidata item")
    population = int(row["population"]) if (row.get("population") or "").isdigit() else 0
    if population > 1:
        points += round(POINTS["population per tenfold"] * math.log10(population))
        basis.append(f"population {population:,}")
    return min(points, 200), "; ".join(basis)


def wikidata_ids(shared: Path) -> set[str]:
    path = shared / "data" / "wof_sy" / "wof_sy_localities.csv"
    if not path.exists():
        print(f"build_prominence: {path} is not there: scores without Wikidata items", file=sys.stderr)
        return set()
    with open(path, encoding="utf-8", newline="") as f:
        return {f"gn:{r['geonames_id']}" for r in csv.DictReader(f) if r["wikidata_id"] and r["geonames_id"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=SHARED)
    ap.add_argument("--gazetteer", type=Path, default=ROOT / "gazetteer")
    args = ap.parse_args()
    wikidata = wikidata_ids(args.shared)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["place_id", "score", "basis"])
    count = 0
    for name in ("places.csv", "curated/places.csv"):
        with open(args.gazetteer / name, encoding="utf-8-sig", newline="") as f:
            for row in csv.DictReader(f):
                writer.writerow([row["id"], *score(row, wikidata)])
                count += 1
    write_text_atomic(args.gazetteer / "prominence.csv", out.getvalue())
    print(f"gazetteer/prominence.csv: {count} places ({len(wikidata)} Wikidata items known)")


if __name__ == "__main__":
    main()

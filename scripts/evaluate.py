"""Accuracy on hand-annotated FA-KES articles (tests/eval/fakes_gold.jsonl).

Reports mention precision / recall / F1 (a found mention counts when it overlaps a gold
mention), the share of matched mentions resolved within 25 km of the annotated place, and
how often the article's main governorate is right. Syrian places and all places separately.
Run: python scripts/evaluate.py [--gold tests/eval/fakes_gold.jsonl] [--show-errors]
     python scripts/evaluate.py --gold tests/eval/places_gold.jsonl --split dev|heldout
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from shared_data import FAKES_CSV, SHARED, require  # noqa: E402

from geo import gazetteer  # noqa: E402
from geo.pipeline import parse_text  # noqa: E402
from geo.places.distance import km  # noqa: E402
from geo.summary import main_governorate  # noqa: E402

KM = 25.0




def score(pairs_found: int, found: int, gold: int) -> tuple[float, float, float]:
    p = pairs_found / found if found else 1.0
    r = pairs_found / gold if gold else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gold", type=Path, default=ROOT / "tests" / "eval" / "fakes_gold.jsonl")
    ap.add_argument("--csv", type=Path, default=FAKES_CSV)
    ap.add_argument("--show-errors", action="store_true")
    ap.add_argument("--split", choices=("dev", "heldout"), help="only the articles of this split (places_*.jsonl)")
    args = ap.parse_args()
    gaz = gazetteer.load()
    gold_articles = [json.loads(line) for line in args.gold.read_text(encoding="utf-8").splitlines() if line.strip()]
    gold_articles = [a for a in gold_articles if not args.split or a.get("split") == args.split]
    texts: dict[str, str] = {}
    if any("unit_id" in a for a in gold_articles):  # FA-KES: the texts are rows of its table
        with open(require(args.csv), encoding="utf-8-sig", newline="") as f:
            texts = {r["unit_id"]: r["article_content"] for r in csv.DictReader(f)}
    for a in gold_articles:  # Wikipedia and Syrian Archive: files in ../shared/data, read whole
        if "source" in a:
            a["unit_id"] = a["source"]
            texts[a["source"]] = require(SHARED / "data" / a["source"], a["source"]).read_text(encoding="utf-8")

    stats = {scope: {"tp": 0, "found": 0, "gold": 0, "near": 0, "with_coords": 0} for scope in ("syria", "all")}
    gov_right = gov_total = 0
    errors = []
    for art in gold_articles:
        text = texts[art["unit_id"]]
        found = parse_text(art["unit_id"], text, gaz, body_start=art.get("body_start", 0))
        gold = art["mentions"]
        for scope in ("syria", "all"):
            g = [m for m in gold if scope == "all" or m["in_syria"]]
            f = [m for m in found if scope == "all" or m.place.in_syria]
            s = stats[scope]
            s["gold"] += len(g)
            s["found"] += len(f)
            used = set()
            for m in f:
                hit = next(
                    (i for i, gm in enumerate(g) if i not in used and gm["start"] < m.end and m.start < gm["end"]), None
                )
                if hit is None:
                    if scope == "syria":
                        errors.append(
                            f"FP {art['unit_id']}: {m.text!r} -> {m.place.name} ({m.place.kind}, {m.place.id})"
                        )
                    continue
                used.add(hit)
                s["tp"] += 1
                gm = g[hit]
                if gm.get("lat") is not None:
                    s["with_coords"] += 1
                    d = km(gm["lat"], gm["lon"], m.place.lat, m.place.lon)
                    # A country or governorate is an area: right when it is the same area,
                    # whatever the distance between two people's choice of its centre point.
                    same_area = (
                        gm["kind"] in ("country", "governorate")
                        and m.place.kind == gm["kind"]
                        and (
                            m.place.governorate == gm.get("governorate")
                            if gm["kind"] == "governorate"
                            else m.place.in_syria == gm["in_syria"] and d < 500
                        )
                    )
                    if d <= KM or same_area:
                        s["near"] += 1
                    elif scope == "syria":
                        errors.append(
                            f"FAR {art['unit_id']}: {m.text!r} -> {m.place.name} ({m.place.kind}) "
                            f"is {d:.0f} km from gold {gm['place']}"
                        )
            if scope == "syria":
                for i, gm in enumerate(g):
                    if i not in used:
                        errors.append(f"FN {art['unit_id']}: {gm['text']!r} ({gm['place']}) missed")
        if art.get("main_governorate"):
            gov_total += 1
            gov_right += main_governorate(found) == art["main_governorate"]
            if main_governorate(found) != art["main_governorate"]:
                errors.append(f"GOV {art['unit_id']}: {main_governorate(found)} != gold {art['main_governorate']}")

    print(f"{len(gold_articles)} annotated articles")
    for scope, s in stats.items():
        p, r, f1 = score(s["tp"], s["found"], s["gold"])
        near = s["near"] / s["with_coords"] if s["with_coords"] else float("nan")
        print(
            f"{scope:5s}: gold {s['gold']}, found {s['found']}, P {p:.3f} R {r:.3f} F1 {f1:.3f}, "
            f"within {KM:.0f} km {near:.3f} ({s['near']}/{s['with_coords']})"
        )
    if gov_total:
        print(f"main governorate right: {gov_right}/{gov_total} = {gov_right / gov_total:.3f}")
    if args.show_errors:
        print("\n".join(sorted(errors)))


if __name__ == "__main__":
    main()

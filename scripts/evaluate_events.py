"""Event accuracy on hand-labelled FA-KES sentences (tests/eval/events_*.jsonl).

Each gold record labels one mention of a Syrian place (see tests/eval/EVENTS_GUIDE.md). The
article is parsed with its publication date and the mention at the same offset is compared:
event type, sub-event type, number killed (0 when none, null when only vague) and, where the
text states one, the event date. Mentions the engine did not find are counted apart.
Run: python scripts/evaluate_events.py [--gold tests/eval/events_gold.jsonl] [--show-errors]
"""

from __future__ import annotations

import argparse
import collections
import csv
import datetime as dt
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from shared_data import FAKES_CSV, require  # noqa: E402

from geo import gazetteer  # noqa: E402
from geo.events import lexicon  # noqa: E402
from geo.pipeline import parse_text  # noqa: E402


def none_if_empty(value):
    return None if value in ("", "none", None) else value


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gold", type=Path, default=ROOT / "tests" / "eval" / "events_gold.jsonl")
    ap.add_argument("--csv", type=Path, default=FAKES_CSV)
    ap.add_argument("--show-errors", action="store_true")
    args = ap.parse_args()
    require(args.csv)
    gaz, lex = gazetteer.load(), lexicon.load()
    with open(args.csv, encoding="utf-8-sig", newline="") as f:
        texts = {r["unit_id"]: r["article_content"] for r in csv.DictReader(f)}
    gold = [json.loads(line) for line in args.gold.read_text(encoding="utf-8").splitlines() if line.strip()]

    parsed: dict[str, dict[int, object]] = {}
    score = collections.Counter()
    confusion = collections.Counter()
    errors = []
    for g in gold:
        uid = g["unit_id"]
        if uid not in parsed:
            published = dt.date.fromisoformat(g["pub_date"])
            parsed[uid] = {m.start: m for m in parse_text(uid, texts[uid], gaz, 0, published, lex)}
        m = parsed[uid].get(g["start"])
        if m is None:
            score["not_found"] += 1
            continue
        e = m.event
        score["records"] += 1
        gold_type, gold_sub = none_if_empty(g["event_type"]), none_if_empty(g["sub_event_type"])
        ok_type = e.event_type == gold_type
        ok_sub = ok_type and e.sub_event_type == gold_sub
        score["type"] += ok_type
        score["sub"] += ok_sub
        confusion[(gold_type or "none", e.event_type or "none")] += 1
        if gold_type:
            score["event_records"] += 1
            score["event_type"] += ok_type
            score["event_sub"] += ok_sub
        gold_killed = g["killed"]
        ok_killed = e.killed == gold_killed or not gold_type  # only events carry a coded toll
        if gold_type:
            score["killed"] += ok_killed
            if gold_killed:
                score["killed_nonzero"] += 1
                score["killed_nonzero_ok"] += ok_killed
        ok_date = True
        if g.get("date_stated"):
            score["dated"] += 1
            ok_date = e.event_date == g["event_date"]
            score["date"] += ok_date
        if not (ok_sub and ok_killed and ok_date):
            errors.append((g, e, ok_sub, ok_killed, ok_date))

    n = score["records"] or 1
    print(f"records {score['records']} (+{score['not_found']} mentions the engine did not find)")
    print(f"event type        {score['type'] / n:.3f} of all records")
    print(f"sub-event type    {score['sub'] / n:.3f} of all records")
    ne = score["event_records"] or 1
    with_event = f"type {score['event_type'] / ne:.3f}, sub {score['event_sub'] / ne:.3f}"
    print(f"  on the {score['event_records']} records with an event: {with_event}")
    deaths = f"{score['killed_nonzero_ok']}/{score['killed_nonzero']}"
    print(f"killed            {score['killed'] / ne:.3f} of event records equal (0 when none); {deaths} with deaths")
    print(f"event date        {score['date'] / (score['dated'] or 1):.3f} of {score['dated']} records stating one")
    print("confusion (gold -> ours):")
    for (a, b), c in confusion.most_common():
        if a != b:
            print(f"  {c:4d}  {a} -> {b}")
    if args.show_errors:
        for g, e, ok_sub, ok_killed, ok_date in errors:
            print("-" * 80)
            print(f"{g['unit_id']}:{g['start']} {g['text']!r}  {g['sentence'][:300]}")
            if not ok_sub:
                gold_label = f"{g['event_type']} / {g['sub_event_type']}"
                print(f"  type: gold {gold_label}  ours {e.event_type} / {e.sub_event_type} ({e.trigger!r})")
            if not ok_killed:
                print(f"  killed: gold {g['killed']}  ours {e.killed} ({e.casualty_text!r})")
            if not ok_date:
                ours = f"{e.event_date} ({e.date_text!r}, {e.date_source})"
                print(f"  date: gold {g['event_date']} ({g.get('note', '')})  ours {ours}")


if __name__ == "__main__":
    main()

"""Event accuracy per reported event on tests/eval/events_sentences.jsonl (one record per sentence or clause).

For each labelled event at a Syrian place (`where`), the source article is parsed and the
engine's event at that place is compared: event type, sub-event type, fatalities (ACLED's
figure, `geo events`) and the geo_precision of the record that place belongs to. A labelled
event whose place the engine does not find still counts as found when an event record covers
its sentence (an unknown village: no event lost). For "none" sentences: the share the engine
gives no event. By register (monitor, news, encyclopedic).
Run: python scripts/evaluate_sentences.py [--split heldout|train] [--register monitor]
"""

from __future__ import annotations

import argparse
import collections
import csv
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from shared_data import FAKES_CSV, SHARED, require  # noqa: E402

from geo import gazetteer  # noqa: E402
from geo.events import lexicon  # noqa: E402
from geo.pipeline import parse_text_events  # noqa: E402


def source_text(source: str, fakes: list[dict]) -> str:
    if source.startswith("fakes:"):
        parts = source.split(":")
        if len(parts) > 2:  # "fakes:<unit_id>:<row>" where several rows share the unit_id
            return fakes[int(parts[2])]["article_content"]
        return next(r["article_content"] for r in fakes if r["unit_id"] == parts[1])
    return (SHARED / "data" / source).read_text(encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gold", type=Path, default=ROOT / "tests" / "eval" / "events_sentences.jsonl")
    ap.add_argument("--split", default="heldout", choices=("heldout", "train"))
    ap.add_argument("--register", default="", help="only this register (monitor, news, encyclopedic)")
    ap.add_argument("--show-errors", action="store_true")
    args = ap.parse_args()
    require(FAKES_CSV)
    with open(FAKES_CSV, encoding="utf-8-sig", newline="") as f:
        fakes = list(csv.DictReader(f))
    gaz, lex = gazetteer.load(), lexicon.load()
    gold = [json.loads(line) for line in args.gold.read_text(encoding="utf-8").splitlines() if line.strip()]
    gold = [g for g in gold if g["split"] == args.split and (not args.register or g["register"] == args.register)]
    parsed: dict[str, tuple] = {}
    score: collections.Counter = collections.Counter()
    errors = []
    for g in gold:
        if g["source"] not in parsed:
            text = source_text(g["source"], fakes)
            mentions, events = parse_text_events(g["source"], text, gaz, 0, None, lex)
            parsed[g["source"]] = (mentions, {e.event_id: e for e in events}, events)
        mentions, by_id, events = parsed[g["source"]]
        reg = g["register"]
        s_start, s_end = g["start"], g["start"] + len(g["sentence"])
        covering = [e for e in events if e.start < s_end and s_start < e.end]
        if g["event_type"] in ("none", "", None):
            score[reg, "none"] += 1
            score[reg, "none_right"] += not covering
            continue
        if not g.get("in_syria", True) or g.get("where") is None:
            continue
        score[reg, "events"] += 1
        w_start, w_end = g["where_start"], g["where_start"] + len(g["where"])
        at = [m for m in mentions if m.start < w_end and w_start < m.end]
        if not at:
            score[reg, "place_missed"] += 1
            score[reg, "kept"] += bool(covering)  # the event is still a record (located coarser)
            errors.append((g, "place not found", "event record in the sentence" if covering else "no event"))
            continue
        m = at[0]
        e = m.event
        record = by_id.get(m.event_id) if m.event_id else None
        score[reg, "kept"] += record is not None or bool(covering)
        ok_type = e is not None and e.event_type == g["event_type"]
        ok_sub = ok_type and e.sub_event_type == g["sub_event_type"]
        score[reg, "type"] += ok_type
        score[reg, "sub"] += ok_sub
        if record is not None:
            score[reg, "with_record"] += 1
            score[reg, "fatalities"] += record.fatalities == g["killed"]
            score[reg, "precision"] += record.geo_precision == g["precision"]
            score[reg, "located_there"] += record.location == m.text and record.start <= m.start < record.end
        if not ok_sub:
            ours = f"{e.event_type if e else None} / {e.sub_event_type if e else None}"
            errors.append((g, ours, e.trigger if e else ""))
    registers = sorted({r for r, _ in score})
    print(f"{args.gold.name}, split {args.split}: {len(gold)} records")
    header = "register      events  type   sub    kept   fatal  precis  | none-sentences without an event"
    print(header)
    for r in registers:
        n = score[r, "events"] or 1
        k = score[r, "with_record"] or 1
        print(
            f"{r:12s} {score[r, 'events']:6d}  {score[r, 'type'] / n:.3f}  {score[r, 'sub'] / n:.3f}  "
            f"{score[r, 'kept'] / n:.3f}  {score[r, 'fatalities'] / k:.3f}  {score[r, 'precision'] / k:.3f}   | "
            f"{score[r, 'none_right']}/{score[r, 'none']}"
        )
    total = {key: sum(score[r, key] for r in registers) for key in ("events", "type", "sub", "kept", "place_missed")}
    n = total["events"] or 1
    print(
        f"all          {total['events']:6d}  {total['type'] / n:.3f}  {total['sub'] / n:.3f}  {total['kept'] / n:.3f}"
        f"   (places not found: {total['place_missed']})"
    )
    if args.show_errors:
        for g, ours, why in errors:
            print("-" * 80)
            print(f"{g['source']}:{g['start']} [{g['where']}] {g['sentence'][:240]}")
            print(f"  gold {g['event_type']} / {g['sub_event_type']}  ours {ours} ({why})")


if __name__ == "__main__":
    main()

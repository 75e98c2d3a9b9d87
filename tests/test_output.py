"""`geo parse --format jsonl` writes each place's and each event's fields once and by hand: the same bytes
as json.dumps of the record (output.render), on real articles and on the values that encode differently."""

from __future__ import annotations

import json
from pathlib import Path

from geo import output
from geo.models import RECORD_FIELDS, Casualty, Event, Mention
from geo.pipeline import parse_paths

ROOT = Path(__file__).resolve().parent.parent


def as_json_dumps(mentions: list[Mention]) -> str:
    return output.render(mentions, "jsonl", RECORD_FIELDS, output.mention_row)


def test_the_jsonl_lines_are_json_dumps_of_the_records_on_the_seed_articles(gaz):
    results = [r for r in parse_paths([ROOT / "articles"], gaz) if r.article]
    mentions = [m for r in results for m in r.mentions]
    assert sum(1 for m in mentions if m.event and m.event.casualties) >= 5  # events with tolls are in the test
    assert output.mention_lines(mentions) == as_json_dumps(mentions)


def test_the_jsonl_lines_are_json_dumps_where_values_encode_differently(gaz):
    place = next(iter(gaz.places.values()))
    hostile = 'a "quoted" \\ back\u2028slash\n\t\x00 ‘Ḥalab’ حلب \ud83d'[:-1] + "\U0001f600"
    casualties = (
        Casualty("killed", None, "", hostile, True, 0, 5, hostile),
        Casualty("injured", 12, "at least", "", False, 7, 20, "at least 12 were injured"),
    )
    events = [
        None,
        Event(None, None, "", None, None, None, (), None, "", ""),
        Event("Battles", "Armed clash", hostile, 3, 0, True, casualties, "2016-05", "stated", hostile, "classifier"),
    ]
    mentions = [
        Mention(hostile, i, i + 1, hostile, place, hostile, hostile, 0, event, None if i else hostile)
        for i, event in enumerate(events)
    ]
    lines = output.mention_lines(mentions)
    assert lines == as_json_dumps(mentions)
    records = [json.loads(line) for line in lines.split("\n")[:-1]]  # not splitlines: U+2028 is in the text
    assert [r["trigger"] for r in records] == [None, "", hostile]
    assert records[2]["casualties"][0]["subset"] is True and records[2]["injured"] is True

"""Golden tests on two of the new dev articles (Wikipedia, Syrian Archive; tests/eval/places_gold.jsonl).

Every Syrian place the engine finds in them must be one a person annotated, resolved within 25 km of
the annotated place (a governorate or the country: the same one). They need ../shared, where the
articles are; without it they skip.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from geo.pipeline import parse_text
from geo.places.distance import km

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
ARTICLES = (
    "wikipedia_sy/battle_of_al-rai__august_2016_.md",
    "syrian_archive/investigations_Medical-Facilities-Under-Fire_Incident-6.md",
)


def annotation(source: str) -> dict:
    for line in (ROOT / "tests" / "eval" / "places_gold.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if record["source"] == source:
            return record
    raise LookupError(source)


@pytest.mark.parametrize("source", ARTICLES)
def test_every_place_found_in_a_new_article_is_the_annotated_one(gaz, source):
    if not (SHARED / source).exists():
        pytest.skip(f"needs ../shared/data/{source} (measurement data, not part of geo)")
    gold = annotation(source)
    text = (SHARED / source).read_text(encoding="utf-8")
    found = [m for m in parse_text(source, text, gaz, with_events=False) if m.start >= gold["body_start"]]
    syrian = [m for m in found if m.place.in_syria]
    assert len(syrian) >= 7
    for m in syrian:
        match = [g for g in gold["mentions"] if g["start"] < m.end and m.start < g["end"]]
        assert match, f"{m.text!r} at {m.start} is not an annotated place"
        g = match[0]
        if m.place.kind in ("governorate", "country") or g["lat"] is None:
            assert m.place.governorate == g["governorate"], f"{m.text!r}: {m.place.name} is not {g['place']}"
        else:
            assert km(m.place.lat, m.place.lon, g["lat"], g["lon"]) <= 25, f"{m.text!r}: {m.place.name} is far"

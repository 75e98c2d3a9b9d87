"""The small test gazetteer (tests/data/gazetteer) says what the real one says, only less of it."""

from __future__ import annotations

import csv
from pathlib import Path

from conftest import FIXTURE_GAZETTEER

from geo.gazetteer.check import check

ROOT = Path(__file__).resolve().parent.parent
REMAKE = "out of date: run python scripts/make_test_gazetteer.py"


def rows(path: Path) -> set[tuple]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return {tuple(r.values()) for r in csv.DictReader(f)}


def test_every_fixture_row_is_a_real_row():
    for name in ("places.csv", "aliases.csv", "merged_ids.csv", "curated/places.csv", "curated/aliases.csv"):
        extra = rows(FIXTURE_GAZETTEER / name) - rows(ROOT / "gazetteer" / name)
        assert not extra, f"{name}: {len(extra)} rows not in the real file, e.g. {sorted(extra)[:2]}; {REMAKE}"
    whole = ("spelling_rules.csv", "phonetic_rules.csv", "context_words.csv", "common_words.txt", "common_words_ar.txt")
    whole += ("curated/not_places.csv",)
    for name in whole:
        assert (FIXTURE_GAZETTEER / name).read_bytes() == (ROOT / "gazetteer" / name).read_bytes(), f"{name} {REMAKE}"


def test_the_fixture_is_a_valid_gazetteer_with_every_admin_unit():
    assert check(FIXTURE_GAZETTEER) == []
    kinds = [r[3] for r in rows(FIXTURE_GAZETTEER / "places.csv")]
    assert kinds.count("governorate") == 14 and kinds.count("district") == 62 and kinds.count("sub-district") == 272

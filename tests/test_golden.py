"""Golden test: the seed articles, annotated by hand (tests/golden/<article>.csv).

Each file lists every place mention I annotated in that article: its character offsets into
the file as read, the text, and the place id it must resolve to. The parse must find exactly
these mentions (no more, no fewer) and resolve each to the annotated place.
"""

import csv
from pathlib import Path

import pytest

from geo.corpus.reader import read_article
from geo.pipeline import parse_article

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = sorted((ROOT / "tests" / "golden").glob("*.csv"))


@pytest.mark.parametrize("golden", GOLDEN, ids=lambda p: p.stem)
def test_seed_article_matches_its_annotation(gaz, golden):
    article = read_article(ROOT / "articles" / f"{golden.stem}.txt")
    with open(golden, encoding="utf-8", newline="") as f:
        expected = [(int(r["start"]), int(r["end"]), r["text"], r["place_id"]) for r in csv.DictReader(f)]
    for start, end, text, _ in expected:
        assert article.text[start:end] == text, "annotation offsets must index the file"
    found = [(m.start, m.end, m.text, m.place.id) for m in parse_article(article, gaz)]
    missing = [e for e in expected if e not in found]
    extra = [f for f in found if f not in expected]
    assert not missing and not extra, f"missing {missing}, unexpected {extra}"


def test_every_seed_article_is_annotated():
    assert {p.stem for p in GOLDEN} == {p.stem for p in (ROOT / "articles").glob("*.txt")}

"""The compiled event-coder loop (src/geo/events/_scorecore.pyx) and the numpy path it replaces give
the same records, byte for byte: on the seed articles and on FA-KES (../shared, skipped without it).

Both paths run in this process: the numpy one by setting coder.compiled to None, as a checkout
without the built extension has it.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from geo.corpus.reader import article_files, read_article
from geo.events import coder, lexicon
from geo.models import Event
from geo.output import render_events, render_mentions
from geo.pipeline import parse_read_article, parse_text_events

ROOT = Path(__file__).resolve().parents[1]
FAKES = ROOT.parent / "shared" / "data" / "fakes" / "fakes_articles.csv"

pytestmark = pytest.mark.skipif(
    coder.compiled is None, reason="geo.events._scorecore is not built (pip install -e . builds it)"
)


def _both(monkeypatch, run):
    """run() with the compiled loop, then with numpy's (a model read afresh for each)."""
    coder._load.cache_clear()
    compiled = run()
    monkeypatch.setattr(coder, "compiled", None)
    coder._load.cache_clear()
    try:
        plain = run()
    finally:
        monkeypatch.undo()
        coder._load.cache_clear()
    return compiled, plain


def test_the_compiled_loop_sums_as_numpy_does(monkeypatch):
    model = coder.load(lexicon.default_root())
    assert model is not None
    rows = [set(range(start, len(model.weights), step)) for start, step in ((0, 97), (5, 31), (3, 7))] + [set()]
    compiled = [model._sum(found) for found in rows]
    monkeypatch.setattr(coder, "compiled", None)
    plain_model = coder.from_json((lexicon.default_root() / coder.MODEL_NAME).read_text(encoding="utf-8"))
    assert compiled == [plain_model._sum(found) for found in rows]  # the same floats, not close ones


def test_the_same_records_on_the_seed_articles(monkeypatch, gaz):
    lex = lexicon.load()
    read = [read_article(p, f) for p, f in article_files([ROOT / "articles"])]

    def run():
        results = [parse_read_article(a, gaz, lex) for a in read]
        return [render_mentions("jsonl", r) + render_events("jsonl", r) for r in results]

    compiled, plain = _both(monkeypatch, run)
    assert sum(r.count("\n") for r in compiled) > 50
    assert compiled == plain


@pytest.mark.skipif(not FAKES.exists(), reason=f"needs FA-KES at {FAKES} (../shared, measurement data)")
def test_the_same_records_on_fakes(monkeypatch, gaz):
    with open(FAKES, encoding="utf-8-sig", newline="") as f:
        texts = [row["article_content"] for row in csv.DictReader(f)]  # all 804: about 5 s for both paths
    lex = lexicon.load()

    def run():
        out = []
        for i, text in enumerate(texts):
            mentions, events = parse_text_events(f"fakes-{i}.txt", text, gaz, lexicon=lex)
            out.append([(m.record(), m.event_id) for m in mentions] + [e.record() for e in events])
        return out

    compiled, plain = _both(monkeypatch, run)
    assert sum(map(len, compiled)) > 1000
    assert compiled == plain


def test_the_compiled_word_scan_finds_the_words_of_the_regex():
    texts = ["ab12cd", "12", "a", "", "  x9 ", "é1٣٤a", "kafr nabl 1 000 u s", "  idlib's  ", "z0a9b ٣"]
    texts += [text[i:] for text in texts for i in range(len(text))]  # every cut: a run at the start or end
    assert [coder.compiled.words(t) for t in texts] == [coder._words(t) for t in texts]


def test_the_compiled_feature_tables_find_the_rows_the_dicts_do(monkeypatch):
    """The compiled word scan and hash tables (w=, s=, b=, l=, r= rows) against the dict look-ups of the
    numpy path, on the texts where a scan or a table can go wrong: words longer than any key (only their
    stem is a feature), a stem's length exactly, digits glued to letters, other scripts' digits and
    letters, places at either end of the text and past it."""
    model = coder.load(lexicon.default_root())
    assert model is not None
    long_word = "bombardment" * 10  # longer than any feature: its stem "bomba" is still one
    texts = [
        "",
        "0",
        "shelled kafr nabl killing 5 civilians",
        f"{long_word} {long_word}s killed",
        "strik strike strikes 12killed killed12 a1b2c3",
        "قصف ٣ killed é wounded ١٢ people",
        "government forces government forces clashes clashes",
    ]
    places = [(0, 0), (0, 5), (3, 9), (10, 14), (30, 34), (60, 80), (-8, -3)]  # negative: as Python slices them
    rules = [None, Event("Battles", "Armed clash", "clashes", 3, None, None, (), None, "", "")]

    def run():
        fresh = coder.from_json((lexicon.default_root() / coder.MODEL_NAME).read_text(encoding="utf-8"))
        sentences = [tuple(fresh.sentence_scores(t)) for t in texts]
        around = [
            tuple(fresh.place_scores(t, s, e, r)) for t in texts for s, e in places for r in rules
        ] + [fresh.place_best(t, s, e, r, fresh.sentence_scores(t)) for t in texts for s, e in places for r in rules]
        return sentences, around

    compiled, plain = _both(monkeypatch, run)
    assert compiled == plain  # the same floats
    assert len(set(compiled[0])) == len(texts)  # the texts do score differently


def test_the_compiled_sums_are_safe_in_threads():
    """Dashboard sessions are threads sharing one model: each call sums in its own scratch. The sentence's
    scores read with a pause after each class (time.sleep(0) lets another thread run mid-sum) give the
    same decisions."""
    import threading
    import time

    model = coder.from_json((lexicon.default_root() / coder.MODEL_NAME).read_text(encoding="utf-8"))
    sums = model._row_sums()
    sentences = [
        "government forces shelled the town of kafr nabl killing 5 civilians",
        "clashes between rebels and the army in the countryside of idlib",
        "an air strike hit a market in douma on monday wounding dozens",
        "talks in geneva ended without an agreement on aleppo",
    ] * 25

    class SlowScores(list):
        def __getitem__(self, c):
            time.sleep(0)
            return list.__getitem__(self, c)

    def best(s):
        return sums.place_best(s, 20, 30, coder.WINDOW, (), SlowScores(sums.sentence(s)))

    expected = [best(s) for s in sentences]
    got: dict[int, list] = {}

    def run(k):
        got[k] = [best(s) for s in sentences]

    threads = [threading.Thread(target=run, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(got[k] == expected for k in range(4))

"""Huge articles get bounded views (issue 17): the "Read an article" tab and the excerpts beside the map show
at most what the settings allow, and say what they leave out."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

from geo.dashboard import explore, mapview
from geo.models import Article
from geo.pipeline import parse_text

ROOT = Path(__file__).resolve().parent.parent
LINE = "Shelling hit Aleppo and Idlib, then Hama; "  # one line, no full stop: one sentence of it all


def test_a_long_article_is_cut_after_its_last_mark_shown(gaz):
    text = LINE * 2_000  # 84 KB, 6,000 mentions
    mentions = parse_text("long.txt", text, gaz, with_events=False)
    article = Article("long.txt", "long.txt", text, 0, {})
    whole, nothing = explore.article_view(article, mentions)
    assert whole.count("<mark") == len(mentions) > 5_000 and nothing == ""
    shown, left = explore.article_view(article, mentions, max_chars=10_000, max_marks=99)
    assert shown.count("<mark") == 99 and len(shown) < 10_000
    assert re.sub("<[^>]+>", "", shown).endswith("Hama")  # stops after the last mark: nothing unmarked shown
    assert left.startswith("Shown: the first 1,") and f"99 of {len(mentions):,} mentions" in left
    shown, left = explore.article_view(article, mentions, max_chars=1_000, max_marks=10_000)
    assert len(re.sub("<[^>]+>", "", shown)) <= 1_000 and "of 84,000 characters" in left


def test_a_sentence_of_a_whole_article_is_shown_around_its_place(gaz):
    m = parse_text("a.txt", "Shelling hit Aleppo.", gaz, with_events=False)[0]
    long = dataclasses.replace(m, excerpt="x " * 50_000 + "Shelling hit Aleppo." + " y" * 50_000,
                               excerpt_start=m.excerpt_start - 100_000)  # fmt: skip
    shown = mapview.highlighted_excerpt(long, 300)
    assert "<mark>Aleppo</mark>" in shown and shown.startswith("…") and shown.endswith("…")
    assert len(shown) < 400 and mapview.excerpt_cut(long, 300).startswith("excerpt cut to about 300 of its 200,020")
    assert mapview.highlighted_excerpt(m, 300) == mapview.highlighted_excerpt(m) and mapview.excerpt_cut(m, 300) == ""


def test_the_app_shows_a_huge_article_bounded_and_says_so(monkeypatch, tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "huge.txt").write_text("---\ntitle: Huge\n---\n" + LINE * 5_000, encoding="utf-8")  # 210 KB, 15k
    monkeypatch.setenv("GEO_ARTICLES", str(folder))
    monkeypatch.setenv("GEO_GAZETTEER", str(ROOT / "tests" / "data" / "gazetteer"))
    monkeypatch.setenv("GEO_SHOW_ARTICLE_CHARS", "5000")
    monkeypatch.setenv("GEO_SHOW_ARTICLE_MENTIONS", "50")
    monkeypatch.setenv("GEO_SHOW_EXCERPT_CHARS", "200")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    assert not at.exception
    pages = [e.proto.body for e in at.main if getattr(e, "type", "") == "html"]  # st.html bodies
    article = [b for b in pages if "white-space:pre-wrap" in b]
    assert len(article) == 1 and article[0].count("<mark") == 50 and len(article[0]) < 5_000
    assert any("Shown: the first" in c.value and "of 15,000 mentions" in c.value for c in at.caption)
    excerpts = [b for b in pages if "geo-excerpt" in b]
    assert excerpts and all(len(b) < 1_000 for b in excerpts)  # not 210 KB each
    assert any("excerpt cut to about 200" in b for b in pages)


def test_a_bad_bound_is_said_at_the_top_not_halfway_down_the_page(monkeypatch, tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.txt").write_text(LINE, encoding="utf-8")
    monkeypatch.setenv("GEO_ARTICLES", str(folder))
    monkeypatch.setenv("GEO_GAZETTEER", str(ROOT / "tests" / "data" / "gazetteer"))
    monkeypatch.setenv("GEO_SHOW_EXCERPT_CHARS", "lots")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    assert not at.exception  # a message, no traceback
    assert [e.value for e in at.error] == [
        "Cannot load: GEO\\_SHOW\\_EXCERPT\\_CHARS='lots': give a whole number greater than 0, e.g. 600"
    ]

"""The dashboard's logic through Streamlit's AppTest (no browser)."""

import shutil
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent


def run_app(monkeypatch, folder: Path, gazetteer_dir: Path | None = None, **params) -> AppTest:
    monkeypatch.setenv("GEO_ARTICLES", str(folder))
    if gazetteer_dir:
        monkeypatch.setenv("GEO_GAZETTEER", str(gazetteer_dir))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_loads_the_corpus_without_exception(monkeypatch):
    at = run_app(monkeypatch, ROOT / "articles")
    assert not at.exception
    assert metric(at, "Articles") == "5 of 5"
    assert int(metric(at, "Mentions")) > 50


def test_article_filter_changes_the_counts(monkeypatch):
    at = run_app(monkeypatch, ROOT / "articles")
    everything = int(metric(at, "Mentions"))
    at.sidebar.multiselect[0].select(at.sidebar.multiselect[0].options[0]).run()
    assert metric(at, "Articles") == "1 of 5"
    assert 0 < int(metric(at, "Mentions")) < everything


def test_filters_come_from_the_url(monkeypatch, tmp_path):
    (tmp_path / "a.txt").write_text("Shelling in Homs and Hama. Talks in Moscow.", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Protests in Sweida.", encoding="utf-8")
    at = run_app(monkeypatch, tmp_path, articles="b.txt")
    assert metric(at, "Places") == "1"
    at = run_app(monkeypatch, tmp_path, abroad="1")
    assert metric(at, "Places") == "4"
    at = run_app(monkeypatch, tmp_path)
    assert metric(at, "Places") == "3"


def test_unreadable_article_shows_a_message_and_the_rest(monkeypatch, tmp_path):
    (tmp_path / "good.txt").write_text("Shelling in Idlib.", encoding="utf-8")
    (tmp_path / "bad.txt").write_bytes(b"\xff\xfe\x00broken")
    at = run_app(monkeypatch, tmp_path)
    assert not at.exception
    assert any("bad.txt" in w.value for w in at.warning)
    assert metric(at, "Mentions") == "1"


def test_broken_gazetteer_shows_an_error_not_a_traceback(monkeypatch, tmp_path):
    gaz = tmp_path / "gazetteer"
    shutil.copytree(ROOT / "gazetteer", gaz)
    (gaz / "curated" / "places.csv").write_text("id,name\nx,y\n", encoding="utf-8")
    monkeypatch.setenv("GEO_CACHE_DIR", str(tmp_path / "cache"))
    at = run_app(monkeypatch, ROOT / "articles", gaz)
    assert not at.exception
    assert any("missing column" in e.value for e in at.error)

"""The dashboard's logic through Streamlit's AppTest (no browser)."""

import datetime as dt
import re
import shutil
from pathlib import Path

import pyarrow as pa
import pytest
from helpers import closed_port
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def store_in_tmp(tmp_path, monkeypatch):
    """The parse results' store of each test in its own temporary folder, not beside the project's articles/."""
    monkeypatch.setenv("GEO_STORE", str(tmp_path / "store.duckdb"))


def run_app(monkeypatch, folder: Path, gazetteer_dir: Path | None = None, **params) -> AppTest:
    monkeypatch.setenv("GEO_ARTICLES", str(folder))
    if gazetteer_dir:
        monkeypatch.setenv("GEO_GAZETTEER", str(gazetteer_dir))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def shown(element) -> str:
    """An element's Markdown as the reader sees it: backslash escapes (sinks.markdown) removed."""
    return re.sub(r"\\(.)", r"\1", element.value)


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_loads_the_corpus_without_exception(monkeypatch):
    at = run_app(monkeypatch, ROOT / "articles")
    assert not at.exception
    assert metric(at, "Articles") == "5 of 5"
    assert int(metric(at, "Mentions")) > 50


def test_top_places_chart_shows_the_most_mentioned_first(monkeypatch, tmp_path):
    (tmp_path / "a.txt").write_text("Shelling in Homs, Homs and Homs. Hama and Hama. Talks in Idlib.", encoding="utf-8")
    at = run_app(monkeypatch, tmp_path)
    (chart,) = [c for c in at.get("vega_lite_chart") if '"mentions"' in c.proto.spec]
    bars = pa.ipc.open_stream(chart.proto.data.data).read_all().to_pylist()
    assert [(b["place"], b["mentions"]) for b in bars] == [("Homs", 3), ("Hama", 2), ("Idleb", 1)]
    assert '"sort": null' in chart.proto.spec.replace('":null', '": null')  # the table's order, not the alphabet


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


def test_hostile_articles_are_named_in_one_line_each_and_the_rest_shown(monkeypatch, tmp_path):
    """Issue 17: a file over the size limit, a 1 MB title, a bad date, Windows-1256 Arabic, next to a good one."""
    monkeypatch.setenv("GEO_MAX_ARTICLE_MB", "2")
    (tmp_path / "big.txt").write_text("Shelling hit Aleppo. " * 110_000, encoding="utf-8")
    title = "---\ntitle: " + "A" * 1_048_576 + "\n---\nShelling in Hama.\n"
    (tmp_path / "title.md").write_text(title, encoding="utf-8")
    (tmp_path / "date.md").write_text("---\ndate: 99999-99-99\n---\nShelling in Homs.\n", encoding="utf-8")
    (tmp_path / "arabic.txt").write_bytes("قصف على حلب اليوم".encode("cp1256"))
    (tmp_path / "good.txt").write_text("Shelling in Idlib.", encoding="utf-8")
    at = run_app(monkeypatch, tmp_path)
    assert not at.exception
    warnings = [shown(w) for w in at.warning]
    assert len(warnings) == 4 and all("\n" not in w and str(tmp_path) not in w for w in warnings)
    assert "Skipped an article: big.txt: 2.2 MB, over the limit of 2 MB per article (GEO_MAX_ARTICLE_MB)" in warnings
    assert "title.md: line 2: 'title' is 1,048,576 characters long: cut to 1,000" in warnings
    assert "arabic.txt: not UTF-8: read as cp1256" in warnings
    assert metric(at, "Articles") == "4 of 4" and metric(at, "Mentions") == "4"


def test_broken_gazetteer_shows_an_error_not_a_traceback(monkeypatch, tmp_path):
    gaz = tmp_path / "gazetteer"
    shutil.copytree(ROOT / "gazetteer", gaz)
    (gaz / "curated" / "places.csv").write_text("id,name\nx,y\n", encoding="utf-8")
    monkeypatch.setenv("GEO_CACHE_DIR", str(tmp_path / "cache"))
    at = run_app(monkeypatch, ROOT / "articles", gaz)
    assert not at.exception
    assert any("missing column" in e.value for e in at.error)


# --- events (issue 5) -----------------------------------------------------------------------------

EVENT_ARTICLES = {
    "a.md": (
        "2016-05-11",
        "On Monday, air strikes hit Saraqeb, killing 12 people. "
        "Air strikes on Saraqeb killed 12 people, activists said. Talks were held in Homs.",
    ),
    "b.md": ("2016-06-20", "Rebels and government forces clashed in Hama on Friday."),
    "c.md": ("2016-08-02", "Protesters gathered in Sweida."),
}


def event_corpus(folder: Path) -> Path:
    for name, (date, body) in EVENT_ARTICLES.items():
        (folder / name).write_text(f"---\ntitle: {name}\ndate: {date}\n---\n{body}\n", encoding="utf-8")
    return folder


def timeline_rows(at: AppTest) -> list[dict]:
    charts = [e for e in at.main if getattr(e, "type", "") == "vega_lite_chart"]
    return pa.ipc.open_stream(charts[0].proto.data.data).read_all().to_pylist()  # Streamlit sends the data as Arrow


def test_mentions_and_distinct_events_are_counted_apart(monkeypatch, tmp_path):
    at = run_app(monkeypatch, event_corpus(tmp_path))
    # Saraqeb: two sentences report one strike (same article, place, type and date)
    assert (metric(at, "Mentions"), metric(at, "Distinct events"), metric(at, "Places")) == ("5", "3", "4")
    assert any("two sentences about the same strike are one event" in c.value for c in at.caption)
    at = run_app(monkeypatch, tmp_path, count="events")
    assert metric(at, "Places") == "3"  # Homs is only named: no event, no marker
    assert any("Markers and counts below are distinct events" in c.value for c in at.caption)
    assert next(r for r in at.sidebar.radio if r.label == "Count").value == "distinct events"


def test_event_type_filter(monkeypatch, tmp_path):
    at = run_app(monkeypatch, event_corpus(tmp_path), ev="Battles")
    assert (metric(at, "Mentions"), metric(at, "Places")) == ("1", "1")
    at.sidebar.multiselect[1].set_value(["Explosions/Remote violence", "Protests"]).run()
    assert (metric(at, "Mentions"), metric(at, "Places")) == ("3", "2")
    assert at.query_params["ev"] == "Explosions/Remote violence|Protests"


def test_timeline_counts_by_event_date_and_its_range_filters_the_map(monkeypatch, tmp_path):
    at = run_app(monkeypatch, event_corpus(tmp_path), count="events")
    rows = timeline_rows(at)
    # stated dates: "On Monday" -> 9 May, "on Friday" -> 17 June; Sweida has only its publication date
    assert {(r["period"], r["event type"], r["count"]) for r in rows} == {
        ("2016-05-09", "Explosions/Remote violence", 1),
        ("2016-06-13", "Battles", 1),
        ("2016-08-01", "Protests", 1),
    }  # per week (a span of three months), each bar at its Monday
    slider = at.slider[0]
    assert slider.value == (dt.date(2016, 5, 9), dt.date(2016, 8, 2))
    slider.set_value((dt.date(2016, 6, 1), dt.date(2016, 8, 2))).run()
    assert metric(at, "Places") == "2"
    assert at.query_params["from"] == "2016-06-01"
    assert len(timeline_rows(at)) == 3  # the timeline keeps the whole span: the range is drawn from it


def test_casualties_are_shown_with_the_sentences_they_come_from(monkeypatch, tmp_path):
    at = run_app(monkeypatch, event_corpus(tmp_path), count="events")
    at.selectbox[0].select("Saraqab (1 event)").run()  # two sentences, one distinct event
    (expander,) = [e for e in at.expander if e.label.startswith("Casualties reported here")]
    assert expander.label == "Casualties reported here: 1 event"
    assert "killed 12" in expander.markdown[0].value
    sources = [h.proto.body for h in expander.get("html")]
    assert len(sources) == 2 and all("killing 12 people" in s or "killed 12 people" in s for s in sources)


# --- adding articles and curating (issue 6) ----------------------------------------------------------

CURATE_TEXT = (
    "Shelling hit the Zubdiya neighbourhood of Aleppo on Monday. "
    "Clashes broke out near Filita and in Jubar, activists said.\n"
)


@pytest.fixture()
def writable(tmp_path, gazetteer_copy):
    """A copy of the real gazetteer and an articles folder the app may write to."""
    gaz = gazetteer_copy
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "a.txt").write_text(CURATE_TEXT, encoding="utf-8")
    return articles, gaz


def button(at: AppTest, label_start: str):
    return next(b for b in at.button if b.label.startswith(label_start))


def test_paste_an_article_and_the_duplicate_rule(monkeypatch, writable):
    articles, gaz = writable
    at = run_app(monkeypatch, articles, gaz, view="add")
    assert not at.exception
    at.text_area(key="paste-text").set_value("Rockets hit Homs.\nRockets hit Homs on Tuesday, killing two.").run()
    at.text_input(key="paste-date").set_value("2016-05-11").run()
    button(at, "Save").click().run()
    saved = articles / "2016-05-11_rockets-hit-homs.md"
    assert saved.exists() and "title: Rockets hit Homs." in saved.read_text(encoding="utf-8")
    assert any("Added 2016-05-11_rockets-hit-homs.md" in shown(s) for s in at.success)
    button(at, "Save").click().run()
    assert any("Already in the folder" in i.value for i in at.info)
    assert len(list(articles.iterdir())) == 2
    at.text_input(key="paste-date").set_value("11/05/2016").run()
    button(at, "Save").click().run()
    assert any("write it as YYYY-MM-DD" in e.value for e in at.error)


def test_a_url_offline_gives_a_clear_message(monkeypatch, writable):
    articles, gaz = writable
    at = run_app(monkeypatch, articles, gaz, view="add")
    at.text_input(key="url").set_value(f"http://127.0.0.1:{closed_port()}/news").run()
    button(at, "Fetch").click().run()
    assert any("refused: 127.0.0.1 is a local or private address" in shown(e) for e in at.error)
    monkeypatch.setenv("GEO_ALLOW_PRIVATE_URLS", "1")  # the server's setting: a local address is allowed
    button(at, "Fetch").click().run()
    assert any("cannot reach it" in shown(e) and "offline" in shown(e) for e in at.error)


def test_curate_mark_not_a_place_then_map_a_spelling(monkeypatch, writable):
    articles, gaz = writable
    at = run_app(monkeypatch, articles, gaz, view="curate")
    assert not at.exception
    names = at.selectbox(key="unmapped-name")
    assert {"Zubdiya", "Filita", "Jubar"} <= {o.split(" (")[0] for o in names.options}
    names.select(next(o for o in names.options if o.startswith("Filita"))).run()
    button(at, "“Filita” is not a place").click().run()
    assert "Filita,not a place" in (gaz / "curated" / "not_places.csv").read_text(encoding="utf-8")
    assert not any(o.startswith("Filita") for o in at.selectbox(key="unmapped-name").options)
    assert any("will not be proposed" in s.value for s in at.success)

    names = at.selectbox(key="unmapped-name")
    names.select(next(o for o in names.options if o.startswith("Jubar"))).run()
    at.text_input(key="alias-query-Jubar").set_value("Jobar").run()
    at.radio(key="alias-choice-Jubar").set_value("cur:jobar").run()
    button(at, "Add “Jubar” as a name of Jobar").click().run()
    assert "cur:jobar,Jubar,added in the dashboard" in (gaz / "curated" / "aliases.csv").read_text(encoding="utf-8")
    # the next parse uses it: Jubar is a mention now, no longer proposed
    assert not any(o.startswith("Jubar") for o in at.selectbox(key="unmapped-name").options)


def test_curate_new_place_with_lookups_offline(monkeypatch, writable):
    articles, gaz = writable
    monkeypatch.setenv("GEO_NOMINATIM", f"127.0.0.1:{closed_port()}")
    at = run_app(monkeypatch, articles, gaz, view="curate", name="Zubdiya")
    button(at, "Look up coordinates").click().run()
    (warning,) = [w.value for w in at.warning if "Nominatim" in w.value]
    assert "is unreachable: no internet connection here, or the service is down" in warning
    assert "HTTPConnectionPool" not in warning and "Errno" not in warning  # plain words, not urllib3's
    at.number_input(key=next(n.key for n in at.number_input if n.label == "Latitude")).set_value(36.1905).run()
    at.number_input(key=next(n.key for n in at.number_input if n.label == "Longitude")).set_value(37.1405).run()
    assert any("Governorate from the coordinates: Aleppo" in c.value for c in at.caption)
    at.selectbox(key="new-kind-Zubdiya").set_value("neighbourhood").run()
    button(at, "Create “Zubdiya”").click().run()
    row = (gaz / "curated" / "places.csv").read_text(encoding="utf-8").splitlines()[-1]
    assert row.startswith("user:zubdiya,Zubdiya,,neighbourhood,36.19050,37.14050,Aleppo,")
    assert not any(o.startswith("Zubdiya") for o in at.selectbox(key="unmapped-name").options)


def test_fix_a_resolution_for_one_article(monkeypatch, writable):
    articles, gaz = writable
    assert metric(run_app(monkeypatch, articles, gaz), "Mentions") == "1"
    at = run_app(monkeypatch, articles, gaz, view="curate")
    mention = at.selectbox(key="fix-mention")
    mention.select(next(o for o in mention.options if o.startswith("“Aleppo”"))).run()
    at.radio(key="fix-choice").set_value("").run()  # "not a place here"
    button(at, "Save the correction").click().run()
    assert "a.txt,42,Aleppo,," in (gaz / "curated" / "overrides.csv").read_text(encoding="utf-8")
    at = run_app(monkeypatch, articles, gaz)  # the map: Aleppo was the article's only place
    assert not at.exception and metric(at, "Mentions") == "0"


def test_the_fix_form_chooses_nothing_and_refuses_a_save_without_a_choice(monkeypatch, writable):
    articles, gaz = writable
    at = run_app(monkeypatch, articles, gaz, view="curate", article="a.txt", start="42")  # "wrong place?" link
    assert at.radio(key="fix-choice").value is None
    button(at, "Save the correction").click().run()
    assert any("Nothing saved: choose the right place" in e.value for e in at.error)
    assert not (gaz / "curated" / "overrides.csv").exists() or "a.txt" not in (
        gaz / "curated" / "overrides.csv"
    ).read_text(encoding="utf-8")


def test_the_excerpt_panel_shows_twenty_newest_first_and_more_on_demand(monkeypatch, tmp_path):
    for i in range(25):
        (tmp_path / f"a{i:02}.md").write_text(
            f"---\ndate: 2016-05-{i + 1:02}\n---\nShelling hit Saraqeb on day {i + 1}.\n", encoding="utf-8"
        )
    at = run_app(monkeypatch, tmp_path)
    assert not at.exception
    excerpts = [h.proto.body for h in at.get("html") if "geo-excerpt" in h.proto.body]
    assert len(excerpts) == 20 and "day 25" in excerpts[0] and "day 6." in excerpts[-1]
    assert any("20 of 25 excerpts, newest first" in c.value for c in at.caption)
    button(at, "Show 5 more").click().run()
    excerpts = [h.proto.body for h in at.get("html") if "geo-excerpt" in h.proto.body]
    assert len(excerpts) == 25 and "day 1." in excerpts[-1]


def test_a_place_with_many_tolls_shows_the_first_page_of_them(monkeypatch, tmp_path):
    for i in range(23):
        (tmp_path / f"t{i:02}.md").write_text(
            f"---\ndate: 2016-06-{i + 1:02}\n---\nShelling hit Saraqeb, killing {i + 2} people.\n", encoding="utf-8"
        )
    at = run_app(monkeypatch, tmp_path)
    (expander,) = [e for e in at.expander if e.label.startswith("Casualties reported here")]
    assert expander.label == "Casualties reported here: 23 events"
    assert any("The first 20 of 23" in c.value for c in expander.caption)
    assert len([m for m in expander.markdown if "killed" in m.value]) == 20



def test_a_broken_gazetteer_edit_keeps_the_last_good_one_serving(monkeypatch, tmp_path):
    gaz = tmp_path / "gazetteer"
    shutil.copytree(ROOT / "tests" / "data" / "gazetteer", gaz)
    monkeypatch.setenv("GEO_CACHE_DIR", str(tmp_path / "cache"))
    good = run_app(monkeypatch, ROOT / "articles", gaz)
    assert not good.exception and not good.error
    with open(gaz / "curated" / "places.csv", "a", encoding="utf-8") as f:
        f.write("cur:broken,Broken,,village,north,36.6,Idleb,,,test\n")
    at = run_app(monkeypatch, ROOT / "articles", gaz)
    assert not at.exception and not at.error
    banner = " ".join(w.value for w in at.warning)
    assert "The gazetteer has an error" in banner and "places.csv" in banner
    assert metric(at, "Places") == metric(good, "Places")  # the map still shows every place


def test_an_analyst_recodes_an_event_and_it_applies_at_once(monkeypatch, tmp_path):
    lexicons = tmp_path / "lexicons"
    shutil.copytree(ROOT / "lexicons", lexicons)
    monkeypatch.setenv("GEO_LEXICONS", str(lexicons))
    folder = event_corpus(tmp_path)
    at = run_app(monkeypatch, folder, place="gn:172408")  # As-Sweida: "Protesters gathered in Sweida."
    assert not at.exception
    at.selectbox(key="fix-excerpt").set_value(0)
    at.selectbox(key="fix-event").set_value("Riots / Violent demonstration")
    next(b for b in at.button if b.label == "Save the correction").click()
    at.run()
    assert not at.exception
    assert any("is now Riots / Violent demonstration" in s.value for s in at.success)
    from geo.events import corrections

    [saved] = corrections.load(lexicons).values()
    assert (saved.event_type, saved.sub_event_type, saved.text) == ("Riots", "Violent demonstration", "Sweida")
    at.run()
    assert "Riots / Violent demonstration" in " ".join(h.proto.body for h in at.get("html"))


def test_a_store_deleted_under_the_running_server_is_rebuilt_with_a_message(monkeypatch, tmp_path):
    store = tmp_path / "store.duckdb"
    at = run_app(monkeypatch, ROOT / "articles")
    places = metric(at, "Places")
    store.unlink()  # the holder's connection still reads the deleted file: it must not pass unnoticed
    at.run()
    assert not at.exception and store.exists()
    assert any("no store yet" in i.value for i in at.info), [i.value for i in at.info]
    assert metric(at, "Places") == places
    at.run()  # in step again: nothing said, nothing parsed
    assert not any("no store yet" in i.value for i in at.info)

"""The dashboard's filters, downloads and narrow screens in a real browser, on the seed articles.

Split from test_browser.py (its fixtures and helpers) so that `pytest -n 2 --dist loadfile` spreads the
browser tests over both workers; one server for the module, whose tests only read.
"""

import csv
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError
from test_browser import (  # noqa: F401 (fixtures)
    CHROMIUM,
    browser,
    choose,
    corpus_dir,
    map_frame,
    offline_context,
    page,
    query,
    server,
    settle,
    wait_until,
)

from geo import gazetteer
from geo.dashboard.explore import Filters, filter_mentions, load_corpus
from geo.dashboard.mapview import AREA_KINDS, EVENT_COLOURS, event_class
from geo.summary import summarise

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed")


def test_the_csv_download_names_articles_and_counts_read_as_words(page, server, tmp_path):
    page.goto(server)
    map_frame(page)
    settle(page)  # the map's first value starts a rerun: a click during it can be lost
    for attempt in range(3):  # and under load it still was (seen once in a full run): click again, not wait on
        try:
            with page.expect_download(timeout=20_000) as download:
                page.get_by_role("button", name="Download mentions (CSV)").click()
            break
        except PlaywrightError:
            if attempt == 2:
                raise
            settle(page)
    path = tmp_path / "mentions.csv"
    download.value.save_as(path)
    data = path.read_bytes()
    assert data.startswith("\ufeff".encode())
    rows = list(csv.DictReader(data.decode("utf-8-sig").splitlines()))
    assert list(rows[0])[:5] == ["article", "article_title", "article_date", "article_source", "article_url"]
    assert "<img src=x onerror=alert(3)> XSS test" in {r["article_title"] for r in rows}  # text, for a spreadsheet
    assert all(r["killed"] == "" or r["casualty_text"] for r in rows)  # no toll stated: empty, not 0
    # counts in words: "1 mention", never "1 mentions"
    places = page.get_by_role("combobox", name="Place", exact=True)
    assert places.input_value().endswith(" mentions)")
    places.click()
    page.keyboard.type("(1 ")  # the list filters as one types: the places named once
    page.get_by_role("option").first.wait_for()
    options = page.get_by_role("option").all_inner_texts()
    page.keyboard.press("Escape")
    assert options and all(o.endswith("(1 mention)") for o in options), options


def test_a_screen_800_px_wide_folds_the_sidebar_and_gives_the_map_the_width(browser, server):
    context = offline_context(browser, server, viewport={"width": 800, "height": 1000})
    page = context.new_page()
    page.goto(server)
    map_frame(page)
    sidebar = page.get_by_test_id("stSidebar")
    folded = page.get_by_test_id("stExpandSidebarButton")
    assert wait_until(lambda: folded.is_visible() and sidebar.bounding_box()["width"] == 0)
    iframe = page.locator("iframe[title='streamlit_folium.st_folium']").first
    assert wait_until(lambda: iframe.bounding_box()["width"] >= 700)  # was 273 px beside a 300-px sidebar
    settle(page)
    assert folded.is_visible()  # a rerun does not open it again
    folded.click()  # and the reader can still open it
    page.get_by_role("heading", name="Filters").wait_for(timeout=10_000)
    assert all(u.startswith("https://tile.openstreetmap.org/") for u in context.outside)  # tiles on: only them
    context.close()


def marker_classes(frame) -> list[str]:
    return sorted(
        frame.evaluate("""() => Object.values(window).filter(v => v instanceof L.MarkerClusterGroup)
            .flatMap(g => g.getLayers()).map(l => l.options.className + " " + l.options.color)""")
    )


def expected_classes(corpus_dir, **filters) -> list[str]:
    corpus = load_corpus(corpus_dir, gazetteer.load())
    summaries = summarise(filter_mentions(corpus, Filters(**filters)), filters.get("distinct", False))
    return sorted(
        f"geo-marker geo-event-{event_class(s.dominant_event)} {EVENT_COLOURS[s.dominant_event]}"
        for s in summaries
        if s.place.kind not in AREA_KINDS
    )


def test_markers_are_coloured_by_event_type_and_filtered_by_it(page, server, corpus_dir):
    page.goto(server)
    frame = map_frame(page)
    frame.wait_for_function("() => Object.values(window).some(v => v instanceof L.MarkerClusterGroup)")
    expected = expected_classes(corpus_dir)
    assert marker_classes(frame) == expected
    assert len({c.split()[1] for c in expected}) >= 4  # the seeds report several types of event
    # the legend explains the colours
    assert page.locator(".geo-legend").first.inner_text().count("Battles") == 1

    page.goto(f"{server}/?ev=Battles&count=events")
    frame = map_frame(page)
    battles = expected_classes(corpus_dir, event_types=["Battles"], distinct=True)
    assert battles and all("geo-event-battles #d62728" in c for c in battles)
    page.wait_for_function(
        """n => { const f = [...document.querySelectorAll('iframe')].find(i => i.title.includes('st_folium'));
                   const w = f && f.contentWindow;
                   return w && w.L && Object.values(w).filter(v => v instanceof w.L.MarkerClusterGroup)
                        .reduce((k, g) => k + g.getLayers().length, 0) === n; }""",
        arg=len(battles),
        timeout=30_000,
    )
    frame = next(f for f in page.frames if "st_folium" in f.url)
    assert marker_classes(frame) == battles
    # the sidebar shows the filter that the URL set
    assert page.get_by_text("Battles").first.is_visible()


def test_six_successive_filter_changes_each_stick(page, server):
    page.goto(server)
    map_frame(page)
    sidebar = page.get_by_test_id("stSidebar")
    events = sidebar.get_by_role("combobox", name="Event types")
    find = sidebar.get_by_label("Find a place")
    seen = []

    def pick(option: str) -> None:
        events.click()
        page.get_by_role("option", name=option, exact=True).click()
        page.keyboard.press("Escape")
        settle(page)

    def search(text: str) -> None:
        find.fill(text)
        find.press("Enter")
        settle(page)

    steps = [
        (lambda: pick("Battles"), {"ev": "Battles"}),
        (lambda: pick("Protests"), {"ev": "Battles|Protests"}),
        (lambda: search("Ham"), {"ev": "Battles|Protests", "q": "Ham"}),
        (lambda: search("Dam"), {"ev": "Battles|Protests", "q": "Dam"}),
        (lambda: search("Idl"), {"ev": "Battles|Protests", "q": "Idl"}),
        (lambda: sidebar.get_by_text("distinct events").click() or settle(page), {"count": "events", "q": "Idl"}),
        (lambda: search(""), {"count": "events", "ev": "Battles|Protests", "q": None}),
    ]
    for change, expected in steps:
        change()
        got = query(page)
        seen.append(got)
        assert {k: got.get(k) for k in expected} == expected, seen
        assert find.input_value() == (expected.get("q") or "")
    tags = sidebar.get_by_text("Protests").count() + sidebar.get_by_text("Battles").count()
    assert tags >= 2  # both event types still shown as chosen in the widget

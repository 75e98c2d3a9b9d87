"""The dashboard on FA-KES articles in a real browser: the map shows, a filter changes it, the largest markers clicked.

The corpus is the first 120 rows of FA-KES (../shared/data/fakes, beside the checkout; without it the
test is skipped with a message), imported by `geo import` into a temporary folder: small enough for the
suite's time budget, large enough that the markers overlap and cluster as at 800. `GEO_TIMINGS_ARTICLES=800`
runs it on all of FA-KES. Timings are printed, never asserted (a shared 2-core machine varies by 25% and
more); what is asserted is that each step happens. The full-size numbers, many sessions at once included,
come from `python scripts/loadtest.py` (README: Load).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest
from playwright.sync_api import Error
from test_browser import (  # noqa: F401
    CHROMIUM,
    ROOT,
    browser,
    click_marker,
    map_frame,
    offline_context,
    settle,
    streamlit_server,
)

sys.path.insert(0, str(ROOT / "scripts"))
from loadtest import fakes_folder  # noqa: E402

FAKES = ROOT.parent / "shared" / "data" / "fakes" / "fakes_articles.csv"
ARTICLES = int(os.environ.get("GEO_TIMINGS_ARTICLES", "120"))

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed"),
    pytest.mark.skipif(not FAKES.exists(), reason=f"needs FA-KES at {FAKES} (../shared, measurement data)"),
]

MARKERS_DRAWN = """() => Object.values(window).some(v => v instanceof L.MarkerClusterGroup)
    && document.querySelectorAll('.geo-marker, .geo-cluster').length > 0"""


@pytest.fixture(scope="module")
def fakes_server(tmp_path_factory):
    given = os.environ.get("GEO_TIMINGS_ARTICLES")  # another corpus (scripts/benchmark_store.py's), GEO_STORE its store
    if given:
        with streamlit_server(GEO_ARTICLES=given) as url:
            yield url
        return
    folder = tmp_path_factory.mktemp("fakes") / "articles"
    folder.mkdir()
    fakes_folder(FAKES, folder, ARTICLES)
    assert len(list(folder.iterdir())) >= min(ARTICLES, 804) - 15  # 804 rows, 15 texts twice
    with streamlit_server(GEO_ARTICLES=str(folder)) as url:
        yield url


def seconds_until_map(page, start: float) -> float:
    frame = map_frame(page)
    frame.wait_for_function(MARKERS_DRAWN, timeout=120_000)
    return time.monotonic() - start


def marker_total(page) -> int | None:
    """Markers on the shown map; None while the map's frame is being replaced."""
    for frame in [f for f in page.frames if "st_folium" in f.url]:
        try:
            total = frame.evaluate("""() => window.L ? Object.values(window)
                .filter(v => v instanceof L.MarkerClusterGroup).reduce((n, g) => n + g.getLayers().length, 0) : null""")
        except Error:  # detached: Streamlit swaps the frame when the map changes
            continue
        if total is not None:  # an old frame still loading or emptied says nothing: look at the next
            return total
    return None


def largest_markers(frame, n: int) -> list[dict]:
    return frame.evaluate(
        """n => Object.values(window).find(v => v instanceof L.MarkerClusterGroup).getLayers()
            .sort((a, b) => b.options.count - a.options.count).slice(0, n)
            .map(l => ({name: l.getTooltip().getContent().split(" · ")[0].split(":")[0],
                        lat: l.getLatLng().lat, lon: l.getLatLng().lng, count: l.options.count}))""",
        n,
    )


def panel_shows(page, name: str, timeout: float) -> bool:
    try:
        page.wait_for_function(
            """name => [...document.querySelectorAll('input[aria-label="Place"]')]
                        .some(i => i.value.startsWith(name + " ("))""",
            arg=name,
            timeout=timeout * 1000,
        )
        return True
    except Error:
        return False


def test_fakes_articles_map_filter_and_clicks(browser, fakes_server, capsys):  # noqa: F811
    url = fakes_server
    context = offline_context(browser, url, viewport={"width": 1500, "height": 1300})
    page = context.new_page()
    times: dict[str, float] = {}

    try:
        start = time.monotonic()
        page.goto(f"{url}/?tiles=0")
        times["map after the first opening (parse included)"] = seconds_until_map(page, start)
        settle(page)
        start = time.monotonic()
        page.goto(f"{url}/?tiles=0")
        times["map after opening again"] = seconds_until_map(page, start)
        settle(page)

        before = marker_total(page)
        sidebar = page.get_by_test_id("stSidebar")
        sidebar.get_by_role("combobox", name="Governorates").click()
        start = time.monotonic()
        page.get_by_role("option", name="Aleppo", exact=True).click()
        deadline = time.monotonic() + 120
        after = marker_total(page)
        while after in (before, None, 0) and time.monotonic() < deadline:
            # Not time.sleep: Playwright's sync API runs the context's route handler (offline_context) only
            # inside its own calls, and the new map frame's page waits for it: a sleep loop starved it for good.
            page.wait_for_timeout(50)
            after = marker_total(page)
        times["map after a filter change (governorate Aleppo)"] = time.monotonic() - start
        assert after is not None and 0 < after < before  # read once: the frame may be swapped again after
        page.keyboard.press("Escape")
        settle(page)

        page.goto(f"{url}/?tiles=0")
        frame = map_frame(page)
        frame.wait_for_function(MARKERS_DRAWN, timeout=120_000)
        settle(page)
        places = page.get_by_role("combobox", name="Place", exact=True)
        clicked = 0
        for marker in largest_markers(frame, 8):
            if clicked == 3:
                break
            if not click_marker(page, frame, marker):
                times[f"{marker['name']} ({marker['count']} mentions): covered by smaller markers, not clicked"] = 0
                continue
            clicked += 1
            start = time.monotonic()
            tries = 1
            while not panel_shows(page, marker["name"], timeout=10) and tries < 3:
                tries += 1  # the first click after the page loads can land as a click on the map (see README)
                click_marker(page, frame, marker)
                start = time.monotonic()
            label = f"panel after clicking {marker['name']} ({marker['count']} mentions)"
            times[label + (f", click {tries}" if tries > 1 else "")] = time.monotonic() - start
            assert places.input_value().startswith(marker["name"])
            settle(page)
        assert clicked == 3
        assert context.outside == []
        context.close()
    finally:  # printed even when a step fails: the numbers so far say where it stopped
        with capsys.disabled():
            print(f"\n{ARTICLES}-article timings in chromium (not asserted):")
            for what, seconds in times.items():
                print(f"  {what}: {seconds:.2f} s")

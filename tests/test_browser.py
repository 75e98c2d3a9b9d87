"""The dashboard in a real browser: Debian's chromium driven by Playwright, a real server.

The network is blocked for the page (only the app's own host answers), as for a user offline.
"""

import contextlib
import csv
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from helpers import closed_port

from geo import gazetteer
from geo.dashboard.explore import Filters, filter_mentions, load_corpus
from geo.dashboard.mapview import AREA_KINDS, EVENT_COLOURS, event_class
from geo.summary import summarise

playwright = pytest.importorskip("playwright.sync_api")
ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOT = ROOT / "docs" / "dashboard.png"
XSS = "Shelling hit Aleppo <script>alert(1)</script> and <img src=x onerror=alert(1)> Hama `${alert(2)}`.\n"

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_server(url: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"streamlit did not start at {url}")


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("articles")
    for f in (ROOT / "articles").glob("*.txt"):
        shutil.copy(f, folder)
    (folder / "zz_xss.txt").write_text(
        "---\ntitle: <img src=x onerror=alert(3)> XSS test\n---\n" + XSS, encoding="utf-8"
    )
    return folder


@contextlib.contextmanager
def streamlit_server(**env_vars):
    """`streamlit run app.py` on a free local port with these environment variables; yields its URL."""
    port = free_port()
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), **env_vars)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "app.py"),
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_server(url)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture(scope="module")
def server(corpus_dir):
    with streamlit_server(GEO_ARTICLES=str(corpus_dir)) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield b
        b.close()


@pytest.fixture()
def page(browser, server):
    context = browser.new_context(viewport={"width": 1500, "height": 1300})
    page = context.new_page()
    page.dialogs = []
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    page.outside = []

    def offline(route):
        if route.request.url.startswith(server):
            route.continue_()
        else:
            page.outside.append(route.request.url)
            route.abort()

    context.route("**/*", offline)
    yield page
    context.close()


def map_frame(page):
    page.wait_for_selector("iframe[title='streamlit_folium.st_folium']", timeout=60_000)
    frame = page.frame_locator("iframe[title='streamlit_folium.st_folium']")
    frame.locator(".leaflet-container").wait_for(timeout=60_000)
    return next(f for f in page.frames if "st_folium" in f.url)


def marker_count(frame) -> int:
    return frame.evaluate("""() => Object.values(window)
        .filter(v => v instanceof L.MarkerClusterGroup)
        .reduce((n, g) => n + g.getLayers().length, 0)""")


def annotated_places(articles=()) -> int:
    """Places in Syria that the hand annotations (tests/golden) give for these articles of the test corpus.

    Counted from the annotations, not by the library under test: the map must show exactly these.
    """
    goldens = {f"{g.stem}.txt": g for g in (ROOT / "tests" / "golden").glob("*.csv")}
    ids = set()
    for name in articles or [*goldens, "zz_xss.txt"]:
        if name == "zz_xss.txt":
            ids |= {"gn:170063", "gn:170017"}  # its text names Aleppo and Hama
            continue
        with open(goldens[name], encoding="utf-8", newline="") as f:
            ids |= {row["place_id"] for row in csv.DictReader(f)}
    places = gazetteer.load().places
    # Points only for places in Syria that are not areas: governorates, districts and the country are shaded.
    return sum(places[i].in_syria and places[i].kind not in ("country", "governorate", "district") for i in ids)


def test_map_renders_every_place_offline(page, server, corpus_dir, tmp_path):
    page.goto(server)
    frame = map_frame(page)
    frame.wait_for_function("() => Object.values(window).some(v => v instanceof L.MarkerClusterGroup)")
    assert marker_count(frame) == annotated_places()
    assert frame.locator(".leaflet-interactive, .marker-cluster").count() > 0
    assert frame.locator("path.leaflet-interactive").count() >= 14  # governorate outlines draw without tiles
    # Tests write only to temporary folders; `bash scripts/screenshot.sh` refreshes the README's picture.
    shot = SCREENSHOT if os.environ.get("GEO_UPDATE_SCREENSHOT") == "1" else tmp_path / "dashboard.png"
    page.screenshot(path=shot)
    assert shot.stat().st_size > 10_000
    assert all(server not in u for u in page.outside)


def test_tiles_off_draws_the_offline_map_and_asks_no_tile_server(page, server):
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))  # in every frame: "Map has no maxZoom specified"
    page.goto(f"{server}/?tiles=0")
    frame = map_frame(page)
    frame.wait_for_function("() => Object.values(window).some(v => v instanceof L.MarkerClusterGroup)")
    frame.wait_for_function("() => document.querySelectorAll('.geo-marker, .geo-cluster').length > 0", timeout=30_000)
    assert frame.locator("path.leaflet-interactive").count() >= 14  # OCHA's governorates under the places
    assert frame.locator(".leaflet-tile").count() == 0
    assert not page.get_by_role("switch", name="Background map").is_checked()
    assert errors == [] and page.outside == []


def test_clicking_aleppo_shows_its_excerpts(page, server):
    page.goto(f"{server}/?place=gn:170017")  # Hama chosen first: the click must bring Aleppo
    page.get_by_role("heading", name="Hama").wait_for(timeout=60_000)
    frame = map_frame(page)
    frame.wait_for_function("() => Object.values(window).some(v => v instanceof L.MarkerClusterGroup)")
    settle(page)
    aleppo = frame.evaluate("""() => {  // the city: the governorate shares its name, and has no circle
        const l = Object.values(window).find(v => v instanceof L.MarkerClusterGroup).getLayers()
            .find(l => l.getTooltip().getContent().startsWith("Aleppo · حلب"));
        return {lat: l.getLatLng().lat, lon: l.getLatLng().lng, count: l.options.count};
    }""")
    for _ in range(2):  # the first click after the page loads can land on the map instead (see README)
        assert click_marker(page, frame, aleppo)
        with contextlib.suppress(playwright.Error):
            page.get_by_role("heading", name="Aleppo").wait_for(timeout=10_000)
            break
    page.get_by_role("heading", name="Aleppo").wait_for(timeout=30_000)
    panel = page.locator("mark", has_text="Aleppo")
    assert panel.count() > 3
    aleppo = gazetteer.load().places["gn:170063"]
    assert wait_until(lambda: map_view(frame)["rings"] == [[aleppo.lat, aleppo.lon]])  # the map rings it too


def click_marker(page, frame, marker: dict) -> bool:
    """Zoom in on the marker past the clustering zoom and click it with the mouse where no smaller one covers it.

    False when smaller markers cover all of it (a click there selects one of them, as it should).
    """
    frame.evaluate(
        """m => { const map = Object.values(window).find(v => v instanceof L.Map);
                  map.closePopup(); map.setView([m.lat, m.lon], 12, {animate: false}); }""",
        marker,
    )
    spot = None
    deadline = time.monotonic() + 30
    while spot is None and time.monotonic() < deadline:
        spot = frame.evaluate(
            """m => { const group = Object.values(window).find(v => v instanceof L.MarkerClusterGroup);
                      const l = group.getLayers().find(l => l.getLatLng().lat === m.lat && l.getLatLng().lng === m.lon
                                                          && l.options.count === m.count);
                      if (!l || !l._path) return null;
                      const r = l._path.getBoundingClientRect();
                      if (!r.width) return null;
                      for (let i = 0; i <= 8; i++) for (let j = 0; j <= 8; j++) {  // a point of its own
                          const x = r.x + r.width * i / 8, y = r.y + r.height * j / 8;
                          if (document.elementFromPoint(x, y) === l._path) return [x, y];
                      }
                      return false; }""",
            marker,
        )
        if spot is None:
            time.sleep(0.2)
    assert spot is not None, marker
    if spot is False:
        return False
    box = page.locator("iframe[title='streamlit_folium.st_folium']").first.bounding_box()
    page.mouse.move(box["x"] + spot[0], box["y"] + spot[1])  # as a hand does: onto it, then press
    page.wait_for_timeout(100)
    page.mouse.down()
    page.wait_for_timeout(80)
    page.mouse.up()
    return True


def map_view(frame) -> dict:
    """Where the map looks and which place it rings (the panel's choice)."""
    return frame.evaluate("""() => {
        const map = Object.values(window).find(v => v instanceof L.Map);
        const rings = [];
        map.eachLayer(l => { if (l.options && l.options.className === "geo-highlight") rings.push(l.getLatLng()); });
        const c = map.getCenter();
        return {lat: c.lat, lon: c.lng, zoom: map.getZoom(), rings: rings.map(r => [r.lat, r.lng])};
    }""")


def test_choosing_a_place_in_the_list_moves_the_map_there_and_rings_it(page, server):
    hama = gazetteer.load().places["gn:170017"]
    page.goto(server)
    frame = map_frame(page)
    frame.wait_for_function("() => Object.values(window).some(v => v instanceof L.MarkerClusterGroup)")
    settle(page)
    before = map_view(frame)
    assert before["zoom"] < 9 and len(before["rings"]) <= 1
    choose(page, "Place", "Hama (")  # the city, not the governorate "Hama" listed after it
    page.get_by_role("heading", name="Hama").wait_for(timeout=30_000)
    assert wait_until(lambda: map_view(frame)["zoom"] >= 9)
    settle(page)
    after = map_view(frame)
    assert abs(after["lat"] - hama.lat) < 0.05 and abs(after["lon"] - hama.lon) < 0.05, after
    assert after["rings"] == [[hama.lat, hama.lon]]


def test_choosing_one_article_leaves_only_its_places(page, server, corpus_dir):
    name = sorted(p.name for p in corpus_dir.glob("0*.txt"))[2]
    page.goto(f"{server}/?articles={name}")
    frame = map_frame(page)
    frame.wait_for_function("() => Object.values(window).some(v => v instanceof L.MarkerClusterGroup)")
    expected = annotated_places([name])
    assert expected < annotated_places()
    page.wait_for_function(
        """n => { const f = [...document.querySelectorAll('iframe')].find(i => i.title.includes('st_folium'));
                   const w = f && f.contentWindow;
                   return w && w.L && Object.values(w).filter(v => v instanceof w.L.MarkerClusterGroup)
                        .reduce((k, g) => k + g.getLayers().length, 0) === n; }""",
        arg=expected,
        timeout=30_000,
    )


def test_the_csv_download_names_articles_and_counts_read_as_words(page, server, tmp_path):
    page.goto(server)
    map_frame(page)
    settle(page)  # the map's first value starts a rerun: a click during it can be lost
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="Download mentions (CSV)").click()
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


def test_article_text_runs_no_script(page, server):
    page.goto(f"{server}/?articles=zz_xss.txt")
    frame = map_frame(page)
    frame.wait_for_function("() => Object.values(window).some(v => v instanceof L.MarkerClusterGroup)")
    frame.evaluate("""() => { const g = Object.values(window).find(v => v instanceof L.MarkerClusterGroup);
                              g.getLayers().forEach(l => { l.openPopup(); l.openTooltip(); }); }""")
    page.get_by_text("Read an article").click()
    page.wait_for_timeout(1500)
    assert page.dialogs == []
    for target in [page, frame]:
        assert target.locator("img[src='x']").count() == 0
    assert "<script>alert(1)</script>" in page.content() or page.get_by_text("<script>alert(1)</script>").count() > 0


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


# --- curating in the browser (issue 6) --------------------------------------------------------------


@pytest.fixture(scope="module")
def curate_server(tmp_path_factory):
    """A server on a writable copy of the test gazetteer and a small corpus: the test edits files."""
    from conftest import copy_gazetteer

    base = tmp_path_factory.mktemp("curate")
    gaz = copy_gazetteer(base)
    articles = base / "articles"
    articles.mkdir()
    (articles / "a.txt").write_text(
        "Shelling hit the Zubdiya neighbourhood of Aleppo on Monday. "
        "Clashes broke out near Filita and in Jubar, activists said.\n",
        encoding="utf-8",
    )
    with streamlit_server(
        GEO_ARTICLES=str(articles),
        GEO_GAZETTEER=str(gaz),
        GEO_CACHE_DIR=str(base / "cache"),
        GEO_NOMINATIM=f"127.0.0.1:{closed_port()}",  # a geocoder that is down, as offline
    ) as url:
        yield url, gaz


def offline_context(browser, server: str, **options):
    """A browser context in which only `server` answers; `context.outside` lists every other request."""
    context = browser.new_context(**options)
    context.outside = []

    def offline(route):
        if route.request.url.startswith(server):
            route.continue_()
        else:
            context.outside.append(route.request.url)
            route.abort()

    context.route("**/*", offline)
    return context


def choose(page, label: str, option_start: str) -> None:
    """Pick an option of a Streamlit selectbox the way a user does: open it, click the option."""
    page.get_by_role("combobox", name=label, exact=True).click()
    page.get_by_role("option").filter(has_text=option_start).first.click()


def test_unmapped_names_flow_in_the_browser(browser, curate_server):
    url, gaz = curate_server
    context = browser.new_context(viewport={"width": 1400, "height": 1400})
    page = context.new_page()
    page.goto(f"{url}/?view=curate")
    page.get_by_role("heading", name="Curate the gazetteer").wait_for(timeout=90_000)
    page.get_by_text("Names not in the gazetteer").first.wait_for()
    choose(page, "Name", "Filita")
    page.locator(".geo-unmapped-excerpt mark", has_text="Filita").first.wait_for(timeout=30_000)
    page.get_by_role("tab", name="Not a place").click()
    page.get_by_role("button", name="“Filita” is not a place").click()
    page.get_by_text("will not be proposed or matched again").wait_for(timeout=90_000)
    assert "Filita,not a place" in (gaz / "curated" / "not_places.csv").read_text(encoding="utf-8")
    # the rerun after the edit puts the next name first in the list
    page.locator(".geo-unmapped-excerpt mark", has_text="Jubar").first.wait_for(timeout=60_000)
    page.get_by_role("combobox", name="Name").click()
    page.get_by_role("option").first.wait_for()
    options = page.get_by_role("option").all_inner_texts()
    assert any(o.startswith("Jubar") for o in options) and not any(o.startswith("Filita") for o in options)
    page.keyboard.press("Escape")

    # from an excerpt on the map, "wrong place?" opens the fix for that very mention
    page.goto(url)
    page.locator("a.geo-fix-link").first.wait_for(timeout=90_000)
    page.locator("a.geo-fix-link").first.click()
    page.get_by_text("The right place").wait_for(timeout=60_000)
    assert (
        "“Aleppo” at 42" in page.get_by_label("Mention").first.input_value()
        or page.get_by_text("“Aleppo” at 42").count() > 0
    )
    context.close()


def wait_until(condition, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(playwright.Error):
            if condition():
                return True
        time.sleep(0.3)
    return False


def picker_drawn(frame) -> bool:
    return frame.evaluate("""() => document.querySelectorAll('svg path').length >= 14
        && document.querySelectorAll('.geo-pin').length === 1""")


def test_curate_state_follows_the_chosen_name_and_fix_mode_can_be_left(browser, curate_server):
    url, gaz = curate_server
    context = offline_context(browser, url, viewport={"width": 1400, "height": 1600})
    page = context.new_page()
    page.goto(f"{url}/?view=curate&tiles=0")
    page.get_by_role("heading", name="Curate the gazetteer").wait_for(timeout=90_000)
    choose(page, "Name", "Zubdiya")
    page.locator(".geo-unmapped-excerpt mark", has_text="Zubdiya").first.wait_for(timeout=30_000)
    page.get_by_role("tab", name="A new place").click()
    name = page.get_by_role("textbox", name="Name", exact=True)
    assert name.input_value() == "Zubdiya"
    # the click-to-place map: the app's own Leaflet and pin, and the outlines drawn without tiles
    # under load (the 800-article timings beside it) the picker's frame takes longer than 30 s to draw
    assert wait_until(lambda: any(picker_drawn(f) for f in page.frames if "st_folium" in f.url), timeout=90)
    page.get_by_role("button", name="Look up coordinates").click()
    warning = page.get_by_text("is unreachable: no internet connection here")
    warning.wait_for(timeout=30_000)
    assert "HTTPConnectionPool" not in warning.inner_text() and "Errno" not in warning.inner_text()

    choose(page, "Name", "Jubar")  # another name: a fresh form, no look-up of the first one
    page.locator(".geo-unmapped-excerpt mark", has_text="Jubar").first.wait_for(timeout=30_000)
    settle(page)
    page.get_by_role("tab", name="A new place").click()
    assert page.get_by_role("textbox", name="Name", exact=True).input_value() == "Jubar"
    assert page.get_by_text("is unreachable: no internet connection here").count() == 0

    # "wrong place?" opens the fix of one mention, with nothing chosen: Save alone is refused
    page.goto(f"{url}/?tiles=0")
    page.locator("a.geo-fix-link").first.wait_for(timeout=90_000)
    page.locator("a.geo-fix-link").first.click()
    page.get_by_text("The right place").wait_for(timeout=60_000)
    assert "start" in query(page) and "article" in query(page)
    choice = page.get_by_role("radiogroup", name="Choose")
    assert choice.get_by_role("radio", checked=True).count() == 0
    before = sorted(p.read_text(encoding="utf-8") for p in (gaz / "curated").glob("*.csv"))
    page.get_by_role("button", name="Save the correction").click()
    page.get_by_text("Nothing saved: choose the right place").wait_for(timeout=30_000)
    assert sorted(p.read_text(encoding="utf-8") for p in (gaz / "curated").glob("*.csv")) == before
    page.get_by_role("button", name="← Every curation task").click()
    page.get_by_role("tab", name="Names not in the gazetteer").wait_for(timeout=30_000)
    settle(page)
    assert "start" not in query(page) and "article" not in query(page) and query(page).get("view") == "curate"
    assert context.outside == []  # no CDN, no tile server, no geocoder from the browser
    context.close()


def test_upload_files_in_the_browser(browser, curate_server, tmp_path):
    from test_import import docx_bytes, minimal_pdf

    url, gaz = curate_server
    articles = gaz.parent / "articles"
    (tmp_path / "memo.docx").write_bytes(
        docx_bytes(["Clashes in Hama", "Rebels and the army clashed in Hama."], "Hama memo")
    )
    (tmp_path / "report.pdf").write_bytes(minimal_pdf("Air strikes hit Idlib on Tuesday.", "Idlib report"))
    context = browser.new_context(viewport={"width": 1400, "height": 1400})
    page = context.new_page()
    page.goto(f"{url}/?view=add")
    page.get_by_role("heading", name="Add articles").wait_for(timeout=90_000)
    page.locator("input[type=file]").first.set_input_files([tmp_path / "memo.docx", tmp_path / "report.pdf"])
    page.get_by_role("button", name="Save 2 articles").wait_for(timeout=60_000)
    settle(page)
    page.get_by_role("button", name="Save 2 articles").click()
    page.get_by_text("Added 2016-05-11_idlib-report.md").wait_for(timeout=60_000)
    page.get_by_text("_hama-memo.md").wait_for()  # dated by the .docx's creation date, editable in the form
    assert "Air strikes hit Idlib" in (articles / "2016-05-11_idlib-report.md").read_text(encoding="utf-8")
    (memo,) = articles.glob("*_hama-memo.md")
    assert "title: Hama memo" in memo.read_text(encoding="utf-8")
    context.close()


def test_import_a_csv_table_in_the_browser(browser, curate_server, tmp_path):
    url, gaz = curate_server
    articles = gaz.parent / "articles"
    (tmp_path / "table.csv").write_text(
        "unit_id,article_title,article_content,source,date\n"
        '7,Shelling of Deraa,"Shelling hit Deraa, killing 3 people.",sana,4/16/2017\n'
        '8,Strikes on Idlib,"Air strikes hit Idlib province.",reuters,12/1/2016\n',
        encoding="utf-8",
    )
    context = browser.new_context(viewport={"width": 1400, "height": 1400})
    page = context.new_page()
    page.goto(f"{url}/?view=add")
    page.get_by_role("heading", name="Add articles").wait_for(timeout=90_000)
    page.get_by_role("tab", name="CSV table").click()
    page.locator("input[type=file]").last.set_input_files(tmp_path / "table.csv")
    page.get_by_role("button", name="Import the table").wait_for(timeout=60_000)
    settle(page)  # a click while the upload's rerun still runs can be lost
    page.get_by_role("button", name="Import the table").click()  # FA-KES's column names are chosen
    page.get_by_text("2 articles added, 0 already in the folder.").wait_for(timeout=60_000)
    saved = (articles / "2017-04-16_shelling-of-deraa.md").read_text(encoding="utf-8")
    assert "source: sana" in saved and "killing 3 people" in saved
    assert (articles / "2016-12-01_strikes-on-idlib.md").exists()
    context.close()


def settle(page) -> None:
    """Wait until Streamlit has finished the rerun a change started (its status widget is gone)."""
    page.wait_for_timeout(300)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", polling=100, timeout=60_000
    )
    page.wait_for_timeout(700)


def query(page) -> dict[str, str]:
    from urllib.parse import parse_qsl, urlsplit

    return dict(parse_qsl(urlsplit(page.url).query))


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

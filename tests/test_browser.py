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

from geo import gazetteer

playwright = pytest.importorskip("playwright.sync_api")
ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOT = ROOT / "docs" / "dashboard.png"
sys.path.insert(0, str(ROOT / "scripts"))
from loadtest import CHROMIUM_ARGS  # noqa: E402  (one list of chromium's switches for the tests and the load test)

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
    # hostile text on every page these tests open (test_browser_security.py checks each view for injection)
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
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:  # a script run still going: the test is over, nothing to save
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def server(corpus_dir):
    with streamlit_server(GEO_ARTICLES=str(corpus_dir)) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture()
def page(browser, server):
    context = offline_context(browser, server, viewport={"width": 1500, "height": 1300})
    page = context.new_page()
    page.dialogs = []
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    page.outside = context.outside  # every request for another host
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
    iframe = page.locator("iframe[title='streamlit_folium.st_folium']").first
    # The press focuses the map (Leaflet's keyboard handler), and focusing scrolls a map partly out of view
    # into it: the release then lands elsewhere and no click happens (the "first click lost" of the README).
    iframe.scroll_into_view_if_needed()
    box = iframe.bounding_box()
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


def wait_until(condition, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(playwright.Error):
            if condition():
                return True
        time.sleep(0.3)
    return False


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

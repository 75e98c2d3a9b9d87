"""A hostile corpus in a real browser (issue 10): every popup, every place, every view, and no side effect.

The corpus carries template code in titles and sentences, HTML and Markdown links in file names and
front matter, and a link to a file outside the folder. The test opens the map, every marker's popup
and tooltip, every place's excerpts, the article tabs and the other two views; then asserts that the
server ran nothing (the sentinel directory is not created, no PID is shown), that no dialog opened
and that no element, handler or link was injected in any frame.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from test_browser import CHROMIUM, browser, map_frame, settle, streamlit_server  # noqa: F401 (fixtures)

from geo import gazetteer
from geo.dashboard.explore import load_corpus

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed")

LINK = "[lnk](javascript:alert(1))"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    sentinel = base / "sentinel"
    secret = base / "secret.txt"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    articles = base / "articles"
    articles.mkdir()
    mkdir = f"{{{{ cycler.__init__.__globals__.os.mkdir('{sentinel}') }}}}"
    pid = "{{ 'PID=' ~ cycler.__init__.__globals__.os.getpid() }}"
    (articles / "hostile.txt").write_text(
        f"---\ntitle: Report {mkdir} {pid} <img src=x onerror=alert(3)>\ndate: 2016-05-05\n"
        "source: <img src=x onerror=alert(5)>\n---\n"
        f"Shelling hit Aleppo and Hama on Monday. {pid} was seen in Homs.\n\n"
        "In Idlib {% raw %} and {# and `${alert(2)}` and <img src=x onerror=alert(3)> and "
        "<script>alert(4)</script> and " + LINK + ".\n\n"
        '=HYPERLINK("http://example.invalid") Clashes in Hama.\n',
        encoding="utf-8",
    )
    (articles / f"{LINK}.txt").write_text(
        f"---\ntitle: {LINK}\ndate: [d](javascript:alert(6))\nauthor: {LINK}\n---\n"
        "Clashes broke out in Homs and near Kafr Nabl.\n",
        encoding="utf-8",
    )
    (articles / "passwd.txt").symlink_to(secret)
    with streamlit_server(GEO_ARTICLES=str(articles)) as url:
        yield url, articles, sentinel


def injected(frame) -> dict:
    """What an attacker would have added to a frame: dialogs are counted separately."""
    return frame.evaluate("""() => ({
        handlers: [...document.querySelectorAll('*')].filter(e => [...e.attributes]
            .some(a => a.name.startsWith('on'))).map(e => e.outerHTML.slice(0, 120)),
        images: [...document.querySelectorAll("img[src='x']")].length,
        links: [...document.querySelectorAll('a[href]')].filter(a => /^\\s*javascript:/i.test(a.getAttribute('href')))
            .map(a => a.outerHTML.slice(0, 120)),
        scripts: [...document.querySelectorAll('script')].filter(s => /^\\s*alert\\(/.test(s.textContent)).length,
    })""")


def assert_clean(page, sentinel: Path) -> None:
    assert not sentinel.exists(), "article text ran as code on the server"
    for frame in page.frames:
        assert injected(frame) == {"handlers": [], "images": 0, "links": [], "scripts": 0}, frame.url
    text = page.content() + "".join(f.content() for f in page.frames)
    assert not re.search(r"PID=\d", text)
    assert "root:x:0:0" not in text
    assert "TemplateSyntaxError" not in text
    assert page.dialogs == []


def open_page(browser, url):  # noqa: F811
    context = browser.new_context(viewport={"width": 1500, "height": 1300})
    page = context.new_page()
    page.dialogs = []
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(url) else route.abort())
    return context, page


def test_hostile_corpus_runs_nothing_in_any_view(browser, hostile):  # noqa: F811
    url, articles, sentinel = hostile
    context, page = open_page(browser, url)

    page.goto(url)
    frame = map_frame(page)
    frame.wait_for_function("() => Object.values(window).some(v => v instanceof L.MarkerClusterGroup)")
    shown = frame.evaluate("""() => {
        const map = Object.values(window).find(v => v instanceof L.Map);
        const group = Object.values(window).find(v => v instanceof L.MarkerClusterGroup);
        const seen = [];
        group.getLayers().forEach(l => {   // every popup and tooltip, opened on the map in turn
            const popup = L.popup().setLatLng(l.getLatLng()).setContent(l.getPopup().getContent()).openOn(map);
            seen.push(popup.getElement().textContent);
            L.tooltip().setLatLng(l.getLatLng()).setContent(l.getTooltip().getContent()).addTo(map);
        });
        return seen;
    }""")
    assert len(shown) >= 4
    assert any("{{ 'PID=' ~ cycler" in s for s in shown)  # the reader sees the text as written
    assert any("<img src=x onerror=alert(3)>" in s for s in shown)
    page.get_by_text("Skipped an article").first.wait_for(timeout=30_000)
    assert "outside the articles folder" in page.get_by_text("Skipped an article").first.inner_text()
    assert_clean(page, sentinel)

    corpus = load_corpus(articles, gazetteer.load())
    shown_places = {m.place.id for m in corpus.mentions if m.place.in_syria}  # abroad is off by default
    settle(page)
    places = page.get_by_role("combobox", name="Place", exact=True)
    places.click()
    page.get_by_role("option").first.wait_for(timeout=30_000)
    options = page.get_by_role("option").all_inner_texts()
    page.keyboard.press("Escape")
    assert len(options) == len(shown_places)  # the list offers every place of the corpus in Syria
    for i, option in enumerate(options):  # every place's excerpt panel, chosen in the list: a rerun, not a load
        heading = option.rsplit(" (", 1)[0]
        places.click()
        page.get_by_role("option").nth(i).click()
        page.get_by_role("heading", name=heading).first.wait_for(timeout=60_000)
        page.locator(".geo-excerpt").first.wait_for(timeout=60_000)
        settle(page)
        assert_clean(page, sentinel)
    assert page.get_by_text(LINK).count() > 0  # a title shown as written, not as a link

    for tab in ("Per article", "Read an article"):
        page.get_by_role("tab", name=tab).click()
        settle(page)  # a click on the list while a rerun redraws it can be lost (seen once in a loaded full run)
        assert_clean(page, sentinel)
    box = page.get_by_role("combobox", name="Article", exact=True)
    for _ in range(3):  # under load a click during a rerun opens nothing: open the list until it shows
        box.click()
        try:
            page.get_by_role("option").first.wait_for(timeout=5_000)
            break
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
    page.get_by_role("option").filter(has_text="Report").first.click()
    page.get_by_text("was seen in Homs").first.wait_for(timeout=30_000)
    assert_clean(page, sentinel)

    for view in ("add", "curate"):
        page.goto(f"{url}/?view={view}")
        page.get_by_role("heading", name=re.compile("Add articles|Curate the gazetteer")).wait_for(timeout=60_000)
        settle(page)
        assert_clean(page, sentinel)
    start = next(m.start for m in corpus.mentions if m.article == "hostile.txt")
    page.goto(f"{url}/?view=curate&article=hostile.txt&start={start}")
    page.get_by_text("The right place").wait_for(timeout=60_000)
    assert_clean(page, sentinel)
    context.close()

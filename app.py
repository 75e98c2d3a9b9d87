"""The geo dashboard: a thin Streamlit shell over the geo package.

Run with `streamlit run app.py` (see README). It chooses the view and loads what every view needs (the
gazetteer, the store in step with the articles: geo.dashboard.server); the views are geo.dashboard's
page_map, page_import and page_curate. All parsing, filtering and map building is in src/geo.
"""

from __future__ import annotations

from pathlib import Path

# Imported up front, as when the timeline was an Altair chart: without it the Curate view's picker map was
# never seen drawn by tests/test_browser_curate.py's fix-mode test (90 s; 20 s with it). Cause not found.
import altair  # noqa: F401
import streamlit as st

from geo import gazetteer, settings
from geo.dashboard import layout, page_curate, page_import, page_map, server
from geo.dashboard.url_state import from_url_once, write_url
from geo.errors import GazetteerError, GeoError
from geo.sinks import markdown as md

ARTICLES = settings.articles_dir()
STORE = settings.store_path(ARTICLES)


def narrow_screen_ui() -> None:
    """At 800 px or less: the sidebar folded and the map the full width (geo.dashboard.layout)."""
    st.html(layout.NARROW_CSS)
    st.iframe(layout.FOLD_SIDEBAR_JS, height=1)  # trusted: our own script, no article text


VIEWS = {"map": "Map", "add": "Add articles", "curate": "Curate the gazetteer"}


def view_ui() -> str:
    """Which view: the map, adding articles, or curating; kept in the URL as ?view=."""
    current = st.query_params.get("view", "map")
    from_url_once("view", current if current in VIEWS else "map")
    view = st.sidebar.radio("View", list(VIEWS), key="view", format_func=VIEWS.get)
    write_url({"view": "" if view == "map" else view})
    if view != "curate":
        page_curate.leave_fix_mode()
    return view


def main() -> None:
    st.set_page_config(page_title="geo: places in Syria news", layout="wide")
    narrow_screen_ui()
    view = view_ui()
    gaz_root = str(gazetteer.default_root())
    slot = st.empty()  # the store's progress bar and message, when it syncs
    try:
        gaz_signature = gazetteer.files_signature(Path(gaz_root))
        try:
            gaz = server.load_gazetteer(gaz_root, gaz_signature)  # a broken one fails here, with its file and line
        except GazetteerError as broken:  # serve the last index that loaded, and say what to fix
            try:
                gaz = server.load_gazetteer(gaz_root, server.LAST_GOOD)
            except GazetteerError:
                raise broken from None
            gaz_signature = server.LAST_GOOD
            shown = f"The gazetteer has an error: {broken}. Showing the last version that loaded, until it is fixed."
            st.warning(md(shown))
        store = server.open_store(ARTICLES, STORE, gaz, gaz_signature, slot)
        for bound in (settings.show_excerpt_chars, settings.show_article_chars, settings.show_article_mentions):
            bound()  # read again where the page uses them: a bad value is said here, not halfway down the page
    except GeoError as e:
        st.error(md(f"Cannot load: {e}"))
        st.stop()
    if view == "add":
        page_import.render(ARTICLES)
        return
    if view == "curate":
        corpus = server.store_corpus(store.key, store, gaz)
        unmapped = server.find_unmapped(store.key, corpus, gaz)
        page_curate.render(corpus, gaz, unmapped, on_change=st.cache_data.clear)
        return
    page_map.render(store, gaz)


main()

"""The dashboard's Map view: filters, the timeline, the map and the panel of a place's excerpts, tables.

What a set of filters shows is the same for every session, so it is made once and kept server-wide per
store version and filters (`st.cache_resource`, the last SHARED_VIEWS sets): the page's numbers, the
rendered map (geo.dashboard.shared_map), a place's panel, the tables. A session keeps only its widgets
and the ring around its chosen place. Widgets are keyed and take their first value from the URL.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import urllib.parse
from dataclasses import replace
from typing import cast

import pandas as pd
import streamlit as st

from geo import gazetteer, settings, sinks
from geo.corpus.reader import read_article
from geo.dashboard import event_fix, explore, layout, mapview, queries, shared_map
from geo.dashboard.server import Opened
from geo.dashboard.url_state import from_url_once, query_list, write_url
from geo.dashboard.wording import plural
from geo.errors import GeoError
from geo.events import lexicon
from geo.sinks import markdown as md

EVENT_CHOICES = list(mapview.EVENT_COLOURS)
DATE_FORMATS = {"day": "%d %b %Y", "week": "%d %b %Y", "month": "%b %Y", "year": "%Y"}
KIND_CHOICES = ["city", "town/village", "neighbourhood", "governorate", "region", "site", "country"]
SHARED_VIEWS = 16  # filter sets whose numbers and map are kept for every session (a map: up to 3 MB)
MAP_RETURNS = ["last_object_clicked"]


def filters_key(f: explore.Filters) -> tuple:
    """The filters as a hashable tuple: a key of the shared caches."""
    return tuple(tuple(v) if isinstance(v, list) else v for v in dataclasses.astuple(f))


@st.cache_resource(show_spinner=False, max_entries=SHARED_VIEWS)
def shared_snapshot(version: str, fkey: tuple, _store: Opened, _f: explore.Filters, _gaz) -> queries.Snapshot:
    """The page's numbers for one set of filters, computed by the first session that asks, read by all."""
    cur = _store.con.cursor()
    try:
        return queries.snapshot(cur, _f, _store.titles, _gaz)
    finally:
        cur.close()


@st.cache_resource(show_spinner=False, max_entries=SHARED_VIEWS)
def shared_timeline(version: str, fkey: tuple, _store: Opened, _f: explore.Filters):
    """The timeline of filters without their date range (the chart spans every date), for every session."""
    cur = _store.con.cursor()
    try:
        return queries.timeline_of(cur, _f)
    finally:
        cur.close()


@st.cache_resource(show_spinner=False, max_entries=SHARED_VIEWS)
def shared_map_frame(
    version: str, fkey: tuple, colour_by: str, tiles: bool, _snap: queries.Snapshot, _titles: dict
) -> shared_map.MapFrame:
    """The map rendered once per store version, filters, colours and tiles, for every session."""
    fmap = mapview.build_map(
        _snap.rows,
        gazetteer.default_root() / "syria_governorates.geojson",
        _titles,
        tiles=tiles,
        colour_by=colour_by,
        governorate_totals=_snap.governorates,
    )
    return shared_map.prepare(fmap, "map", MAP_RETURNS)


@st.cache_resource(show_spinner=False, max_entries=4 * SHARED_VIEWS)
def shared_panel(
    version: str, fkey: tuple, place_id: str, shown: int, _store: Opened, _f: explore.Filters, _row, _gaz
) -> tuple[list[dict], int, list, int]:
    """The panel's first page of casualty rows and their number, and the first `shown` excerpts of a place
    and theirs: what every session choosing it reads."""
    cur = _store.con.cursor()  # DuckDB connections are not shared across threads: a cursor of its own
    try:
        tolls = queries.place_casualties(cur, _f, _row, _gaz, events=explore.EXCERPT_PAGE)
        casualties = explore.casualty_rows(tolls, _store.titles)
        n_casualties = queries.place_toll_count(cur, _f, place_id) if len(casualties) == explore.EXCERPT_PAGE else 0
        ordered, total = queries.place_excerpts(cur, _f, place_id, shown, _gaz)  # only the excerpts shown
        return casualties, max(n_casualties, len(casualties)), ordered, total
    finally:
        cur.close()


@st.cache_resource(show_spinner=False, max_entries=SHARED_VIEWS)
def shared_tables(version: str, fkey: tuple, _snap: queries.Snapshot) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The places and articles tables as data frames, converted once (10,000 rows took 50 ms a rerun)."""
    return pd.DataFrame(_snap.place_table), pd.DataFrame(_snap.article_table)


def snapshot_of(store: Opened, f: explore.Filters, gaz: gazetteer.Gazetteer) -> queries.Snapshot:
    return shared_snapshot(store.version, filters_key(f), store, f, gaz)


def filters_ui(store: Opened) -> explore.Filters:
    """Sidebar filters: keyed widgets, initialised from the URL once and written back to it."""
    st.sidebar.header("Filters")
    titles = store.titles
    names = store.by_title
    govs = store.governorates
    from_url_once("f-articles", [n for n in query_list("articles") if n in titles])
    from_url_once("f-events", [e for e in query_list("ev") if e in EVENT_CHOICES])
    from_url_once("f-count", "distinct events" if st.query_params.get("count") == "events" else "mentions")
    from_url_once("f-colour", "kind of place" if st.query_params.get("colour") == "kind" else "event type")
    from_url_once("f-gov", [g for g in query_list("gov") if g in govs])
    from_url_once("f-kinds", [k for k in query_list("kind") if k in KIND_CHOICES])
    from_url_once("f-min", _int(st.query_params.get("min"), 1, 1000))
    from_url_once("f-q", st.query_params.get("q", ""))
    from_url_once("f-abroad", st.query_params.get("abroad") == "1")
    # Options can shrink (an article deleted, a gazetteer edit): keep only values still offered.
    for key, offered in (("f-articles", titles), ("f-gov", govs)):
        st.session_state[key] = [v for v in st.session_state[key] if v in offered]
    chosen = st.sidebar.multiselect(
        "Articles", names, key="f-articles", format_func=lambda n: titles[n], placeholder="All articles"
    )
    event_types = st.sidebar.multiselect(
        "Event types", EVENT_CHOICES, key="f-events", placeholder="All, and places only named"
    )
    distinct = st.sidebar.radio(
        "Count",
        ["mentions", "distinct events"],
        key="f-count",
        help="Distinct events: the sentences of one article that report one type of event at one place "
        "on one date count once. Places with no event drop out.",
    )
    colour_by = st.sidebar.radio(
        "Colour markers by",
        ["event type", "kind of place"],
        key="f-colour",
        help="Event type: the type most reported at the place (by distinct events).",
    )
    gov = st.sidebar.multiselect("Governorates", govs, key="f-gov", placeholder="All governorates")
    kinds = st.sidebar.multiselect("Place kinds", KIND_CHOICES, key="f-kinds", placeholder="All kinds")
    min_mentions = st.sidebar.number_input("Minimum mentions", 1, 1000, key="f-min")
    search = st.sidebar.text_input("Find a place", key="f-q")
    abroad = st.sidebar.toggle("Show places outside Syria", key="f-abroad")
    start = _iso_date(st.query_params.get("from"))
    end = _iso_date(st.query_params.get("to"))
    f = explore.Filters(
        chosen, start, end, gov, kinds, int(min_mentions), search, abroad, event_types, distinct == "distinct events"
    )
    st.session_state["colour_by"] = "kind" if colour_by == "kind of place" else "event"
    write_url(
        {
            "ev": "|".join(event_types),
            "count": "events" if f.distinct else "",
            "colour": "kind" if colour_by == "kind of place" else "",
            "articles": "|".join(chosen),
            "gov": "|".join(gov),
            "kind": "|".join(kinds),
            "min": str(f.min_mentions) if f.min_mentions > 1 else "",
            "q": search,
            "abroad": "1" if abroad else "",
        }
    )
    return f


def _int(value: str | None, low: int, high: int) -> int:
    try:
        return min(high, max(low, int(value or low)))
    except ValueError:
        return low


def _iso_date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def timeline_ui(store: Opened, f: explore.Filters, gaz: gazetteer.Gazetteer) -> explore.Filters:
    """Mentions or events over time, filtered like the map; its date range filters the map."""
    undated = f.without_dates()
    line = snapshot_of(store, undated, gaz).timeline if undated == f else None
    if line is None:  # a date range from the URL: the chart still spans every date
        line = shared_timeline(store.version, filters_key(undated), store, undated)
    if not line.rows or line.first is None or line.last is None:
        return f
    rows, unit, first, last = line.rows, line.unit, line.first, line.last
    what = "distinct events" if f.distinct else "mentions"
    earlier = f"; {line.left_out} dated before {line.shown_from} are left off the chart" if line.left_out else ""
    st.caption(
        f"{what.capitalize()} per {unit}, by event date (stated in the sentence, else the publication date){earlier}"
    )
    # A Vega-Lite spec by hand, not an Altair chart: Altair validates its schema on every rerun (0.28 s).
    st.vega_lite_chart(spec=timeline_spec(rows, unit, what), width="stretch")
    if first >= last:
        return f
    # The slider's bounds follow the other filters: its value is kept, clamped to them.
    wanted = st.session_state.get("f-dates") or (f.start or first, f.end or last)
    st.session_state["f-dates"] = (min(max(wanted[0], first), last), max(min(wanted[1], last), first))
    chosen = cast(
        "tuple[dt.date, dt.date]",
        st.slider("Dates shown on the map", min_value=first, max_value=last, key="f-dates", format="YYYY-MM-DD"),
    )
    start, end = chosen if chosen != (first, last) else (None, None)
    write_url({"from": start.isoformat() if start else "", "to": end.isoformat() if end else ""})
    return replace(f, start=start, end=end)


def timeline_spec(rows: list[dict], unit: str, what: str) -> dict:
    """The timeline's bars: per period, stacked by event type in the map's colours."""
    colours = mapview.EVENT_COLOURS
    return {
        "data": {"values": [{**r, "period": r["period"].isoformat()} for r in rows]},
        "mark": {"type": "bar"},
        "encoding": {
            "x": {"field": "period", "type": "temporal", "title": None, "axis": {"format": DATE_FORMATS[unit]}},
            "y": {"field": "count", "type": "quantitative", "title": what},
            "color": {
                "field": "event type",
                "type": "nominal",
                "scale": {"domain": list(colours), "range": list(colours.values())},
                "legend": {"orient": "bottom", "title": None, "labelLimit": 0},
            },
            "tooltip": [
                {"field": "period", "type": "temporal"},
                {"field": "event type", "type": "nominal"},
                {"field": "count", "type": "quantitative"},
            ],
        },
        "height": 180,
    }


def top_places_spec(top: list[queries.PlaceRow]) -> dict:
    """The most mentioned places as horizontal bars, in the order of the table (most first)."""
    return {
        "data": {"values": [{"place": s.place.name, "mentions": s.count} for s in top]},
        "mark": {"type": "bar"},
        "encoding": {
            "y": {"field": "place", "type": "nominal", "sort": None, "title": None, "axis": {"labelLimit": 0}},
            "x": {"field": "mentions", "type": "quantitative"},
            "tooltip": [{"field": "place", "type": "nominal"}, {"field": "mentions", "type": "quantitative"}],
        },
    }


def totals_ui(store: Opened, totals: queries.Totals, distinct: bool) -> None:
    a, b, c, d = st.columns(4)
    a.metric("Articles", f"{totals.articles} of {len(store.titles)}")
    b.metric("Mentions", totals.mentions)
    c.metric("Distinct events", totals.events)
    d.metric("Places", totals.places)
    st.caption(
        "A mention is each time a place is named. A distinct event is what one article reports of one type, "
        "at one place, on one date: two sentences about the same strike are one event. "
        + ("Markers and counts below are distinct events." if distinct else "Markers and counts below are mentions.")
    )


def map_ui(store: Opened, snap: queries.Snapshot, chosen: queries.PlaceRow | None) -> None:
    """The map, the chosen place ringed; after a choice in the list it moves there.

    The map itself is shared by every session with the same filters (shared_map_frame); only the ring and
    the move are this session's."""
    from_url_once("f-tiles", st.query_params.get("tiles") != "0")
    tiles = st.toggle(
        "Background map (OpenStreetMap tiles, needs internet)",
        key="f-tiles",
        help="On: your browser asks tile.openstreetmap.org for the map's images. Off: nothing leaves this "
        "machine, and the map shows OCHA's governorate outlines under the places.",
    )
    write_url({"tiles": "" if tiles else "0"})
    colour_by = st.session_state.get("colour_by", "event")
    st.html(mapview.legend_html(colour_by))
    frame = shared_map_frame(store.version, filters_key(snap.filters), colour_by, bool(tiles), snap, store.titles)
    fly = st.session_state.pop("fly", False) and chosen is not None and chosen.place.kind not in mapview.AREA_KINDS
    shared_map.show(
        frame,
        key="map",
        height=560,
        width="stretch",
        returned_objects=MAP_RETURNS,
        # Both change the shown map in place, without reloading it; it moves only when `center` changes.
        center=(chosen.place.lat, chosen.place.lon) if fly and chosen else None,
        zoom=mapview.HIGHLIGHT_ZOOM if fly else None,
        feature_group=mapview.highlight_layer(chosen) if chosen else None,
    )


def chosen_place(summaries: list[queries.PlaceRow]) -> queries.PlaceRow | None:
    """The side panel's place: the marker just clicked, else the list's choice, else the URL's, else the first.

    Decided before the map is drawn, so that the map can ring the place the panel shows.
    """
    if not summaries:
        return None
    by_id = {s.place.id: s for s in summaries}
    clicked = (st.session_state.get("map") or {}).get("last_object_clicked")
    if clicked and clicked != st.session_state.get("last_clicked"):  # a new click, not one already applied
        st.session_state["last_clicked"] = clicked
        # A marker reports its place's own position (mapview.PlaceMarkers); a click on a governorate elsewhere.
        at = [s for s in summaries if s.place.kind not in mapview.AREA_KINDS and mapview.same_point(s.place, clicked)]
        if at:
            st.session_state["place"] = at[0].place.id
    if st.session_state.get("place") not in by_id:
        wanted = st.query_params.get("place")
        st.session_state["place"] = wanted if wanted in by_id else summaries[0].place.id
    return by_id[st.session_state["place"]]


def excerpts_ui(
    store: Opened, f: explore.Filters, summaries, chosen: queries.PlaceRow | None, gaz: gazetteer.Gazetteer
) -> None:
    """The panel beside the map: every excerpt of the chosen place in the selected articles."""
    if not summaries or chosen is None:
        st.info("No place matches these filters.")
        return
    ids = [s.place.id for s in summaries]
    by_id = {s.place.id: s for s in summaries}
    unit = "event" if chosen.distinct else "mention"
    place_id = st.selectbox(
        "Place",
        ids,
        key="place",
        format_func=lambda i: f"{by_id[i].place.name} ({plural(by_id[i].count, unit)})",
        on_change=lambda: st.session_state.update(fly=True),  # chosen in the list: the map moves there
    )
    st.query_params["place"] = place_id
    s = by_id[place_id]
    p = s.place
    st.subheader(md(f"{p.name} {p.name_ar}"))
    st.caption(
        md(
            f"{p.kind} · {p.where} · {p.lat:.4f}, {p.lon:.4f} · "
            f"{plural(s.n_mentions, 'mention')} · {plural(s.n_events, 'distinct event')} · {p.id}"
        )
    )
    titles = store.titles
    counts = s.event_counts()
    st.html(
        "<div style='font-size:13px'>"
        + " ".join(
            f"<span style='margin-right:10px;white-space:nowrap'><span style='color:{mapview.EVENT_COLOURS[t]}'>■"
            f"</span> {sinks.html(t)}: <b>{n}</b></span>"
            for t, n in counts.most_common()
        )
        + f" <span style='color:#888'>({'distinct events' if s.distinct else 'mentions'})</span></div>"
    )
    shown_key = f"shown-{place_id}"
    shown = st.session_state.get(shown_key, explore.EXCERPT_PAGE)
    excerpt_chars = settings.show_excerpt_chars()
    casualties, n_casualties, ordered, total = shared_panel(
        store.version, filters_key(f), place_id, shown, store, f, s, gaz
    )
    if casualties:
        with st.expander(f"Casualties reported here: {plural(n_casualties, 'event')}", expanded=True):
            if n_casualties > explore.EXCERPT_PAGE:  # "Syria" in 800 articles reports 500: the panel shows a page
                st.caption(f"The first {explore.EXCERPT_PAGE} of {n_casualties}: the mentions CSV has every figure.")
            for row in casualties[: explore.EXCERPT_PAGE]:
                figures = " · ".join(
                    f"{label} {'?' if row[key] is None else row[key]}"
                    for key, label in (("killed", "killed"), ("injured", "injured"))
                    if row[key] != 0
                )
                st.markdown(
                    f"**{md(figures)}** · {md(row['sub_event_type'] or '')} · "
                    f"{md(row['date'])} ({md(row['date_source'])}) · *{md(row['article'])}*"
                )
                for m in row["sources"]:
                    cut = mapview.excerpt_cut(m, excerpt_chars)
                    st.html(
                        f"<div class='geo-casualty-source'>{mapview.highlighted_excerpt(m, excerpt_chars)}</div>"
                        + (f"<div style='color:#888;font-size:12px'>{sinks.html(cut)}</div>" if cut else "")
                    )
    tiles_param = "&amp;tiles=0" if st.query_params.get("tiles") == "0" else ""  # the curate view keeps tiles off
    with st.container(height=470):
        for m in ordered[:shown]:
            article = store.meta.article(m.article)
            date = article.meta.get("date", "") if article else ""
            st.markdown(f"**{md(titles.get(m.article, m.article))}** {md(date)}")
            st.html(
                f"<div class='geo-excerpt'>{mapview.highlighted_excerpt(m, excerpt_chars)}</div>"
                f"<div style='color:#888;font-size:12px'>{sinks.html(mapview.excerpt_cut(m, excerpt_chars))}"
                f"{sinks.html(event_note(m))}"
                f"why this place: {sinks.html(m.reason)} · "
                f"<a class='geo-fix-link' target='_self' href='?view=curate&amp;article="
                f"{sinks.html(urllib.parse.quote(m.article))}&amp;start={m.start}{tiles_param}'>wrong place?</a></div>"
            )
        if total > shown:  # only what is read is rendered: "Syria" in 800 articles has 2,000 excerpts
            st.caption(f"{shown} of {total} excerpts, newest first")
            st.button(
                f"Show {min(explore.EXCERPT_PAGE, total - shown)} more",
                key=f"more-{place_id}",
                on_click=lambda: st.session_state.update({shown_key: shown + explore.EXCERPT_PAGE}),
            )
    event_fix.render(ordered[:shown], lexicon.default_root(), on_saved=st.cache_data.clear)


def event_note(m) -> str:
    """The event decision, with its evidence, in one line."""
    e = m.event
    if not e:
        return ""
    what = f"{e.event_type} / {e.sub_event_type} (trigger: “{e.trigger}”)" if e.event_type else "no event"
    toll = f" · {e.casualty_text}" if e.casualty_text else ""
    when = f" · {e.event_date} ({e.date_source}{': ' + e.date_text if e.date_text else ''})" if e.event_date else ""
    return f"{what}{toll}{when} · "


def tables_ui(store: Opened, snap: queries.Snapshot, gaz: gazetteer.Gazetteer) -> None:
    titles = store.titles
    summaries = snap.rows
    places, articles = shared_tables(store.version, filters_key(snap.filters), snap)
    tab_places, tab_chart, tab_articles, tab_read = st.tabs(["Places", "Top places", "Per article", "Read an article"])
    with tab_places:
        st.dataframe(places, width="stretch", hide_index=True)
    with tab_chart:
        st.vega_lite_chart(spec=top_places_spec(summaries[:20]), width="stretch")  # by hand, as the timeline
    with tab_articles:  # one table, not one element per article: 789 of them made every rerun slow to draw
        st.dataframe(articles, width="stretch", hide_index=True)
    with tab_read:
        names = sorted(titles, key=lambda n: titles[n].lower())
        name = st.selectbox("Article", names, format_func=lambda n: titles[n], key="read")
        known = store.meta.article(name) if name else None
        try:
            article = read_article(store.folder / known.path, store.folder) if known else None
        except GeoError as e:
            st.warning(md(f"Cannot read it now: {e}"))
            article = None
        if article:
            meta = " · ".join(
                f"{k}: {v}" for k, v in article.meta.items() if k in ("author", "date", "source", "language")
            )
            st.caption(md(meta))
            cur = store.con.cursor()
            try:
                marks = settings.show_article_mentions()
                found = queries.article_mentions(cur, article.name, gaz, limit=marks + 1)
                total = queries.article_mention_count(cur, article.name) if len(found) > marks else len(found)
            finally:
                cur.close()
            shown, left_out = explore.article_view(article, found, settings.show_article_chars(), marks, total)
            if left_out:
                st.caption(md(left_out))
            st.html(shown)


def export_ui(store: Opened, f: explore.Filters, gaz: gazetteer.Gazetteer) -> None:
    a, b = st.columns(2)

    def view_mentions():
        """Made when a button is clicked, not on every rerun, on a cursor of its own (this run's is closed then)."""
        cur = store.con.cursor()
        try:
            with queries.View(cur, f) as view:
                return queries.mentions(view, gaz)
        finally:
            cur.close()

    a.download_button(
        "Download mentions (CSV)",
        lambda: explore.to_csv(view_mentions(), store.meta),
        "mentions.csv",
        "text/csv; charset=utf-8",
    )
    b.download_button(
        "Download mentions (GeoJSON)",
        lambda: explore.to_geojson(view_mentions()),
        "mentions.geojson",
        "application/geo+json",
    )


def render(store: Opened, gaz: gazetteer.Gazetteer) -> None:
    """The Map view: filters, timeline, totals, the map and its panel, tables, downloads."""
    st.title("Where it happens: places in the articles")
    for error in store.errors:
        st.warning(md(f"Skipped an article: {error}"))
    for warning in store.warnings:
        st.warning(md(warning))
    if not store.titles:
        where = f"No articles in {store.folder}"
        st.info(md(f"{where}: add some in the “Add articles” view, or put .txt or .md files there."))
    f = filters_ui(store)
    f = timeline_ui(store, f, gaz)
    snap = snapshot_of(store, f, gaz)  # shared by every session with these filters
    summaries = snap.rows
    totals_ui(store, snap.totals, f.distinct)
    chosen = chosen_place(summaries)
    with st.container(key=layout.MAP_ROW):
        left, right = st.columns([3, 2])
        with left:
            map_ui(store, snap, chosen)
        with right:
            excerpts_ui(store, f, summaries, chosen, gaz)
    tables_ui(store, snap, gaz)
    export_ui(store, f, gaz)
    st.caption(mapview.OCHA_ATTRIBUTION + ". Tiles © OpenStreetMap contributors when shown.")

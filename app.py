"""The geo dashboard: a thin Streamlit shell over the geo package.

Run with `streamlit run app.py` (see README). Each section is a function returning what it
collected; main() composes them. All parsing, filtering and map building is in src/geo.
"""

from __future__ import annotations

import datetime as dt
import os
import urllib.parse
from dataclasses import replace
from pathlib import Path

import altair as alt
import streamlit as st
from streamlit_folium import st_folium

from geo import curation, explore, gazetteer, mapview, page_curate, page_import, summary
from geo.errors import GeoError

ROOT = Path(__file__).resolve().parent
ARTICLES = Path(os.environ.get("GEO_ARTICLES", ROOT / "articles"))
EVENT_CHOICES = list(mapview.EVENT_COLOURS)
DATE_FORMATS = {"day": "%d %b %Y", "week": "%d %b %Y", "month": "%b %Y", "year": "%Y"}
KIND_CHOICES = ["city", "town/village", "neighbourhood", "governorate", "region", "site", "country"]


@st.cache_resource(show_spinner="Loading the gazetteer…", max_entries=2)
def load_gazetteer(root: str, signature: tuple) -> gazetteer.Gazetteer:
    """Reloaded when a gazetteer file changes (an edit in the Curate view, or by hand)."""
    return gazetteer.load(Path(root))


@st.cache_data(show_spinner="Reading the articles…", max_entries=4)
def load_corpus(folder: str, signature: tuple, gaz_root: str, gaz_signature: tuple) -> explore.Corpus:
    return explore.load_corpus(Path(folder), load_gazetteer(gaz_root, gaz_signature))


@st.cache_data(show_spinner="Looking for names not in the gazetteer…", max_entries=2)
def find_unmapped(folder: str, signature: tuple, gaz_root: str, gaz_signature: tuple):
    corpus = load_corpus(folder, signature, gaz_root, gaz_signature)
    return curation.unmapped_names(corpus.articles, corpus.mentions, load_gazetteer(gaz_root, gaz_signature))


def query_list(name: str) -> list[str]:
    value = st.query_params.get(name, "")
    return [v for v in value.split("|") if v]


def filters_ui(corpus: explore.Corpus) -> explore.Filters:
    """Sidebar filters, initialised from and written back to the URL."""
    st.sidebar.header("Filters")
    titles = corpus.titles()
    names = sorted(titles, key=lambda n: titles[n].lower())
    chosen = st.sidebar.multiselect(
        "Articles",
        names,
        default=[n for n in query_list("articles") if n in titles],
        format_func=lambda n: titles[n],
        placeholder="All articles",
    )
    event_types = st.sidebar.multiselect(
        "Event types",
        EVENT_CHOICES,
        default=[e for e in query_list("ev") if e in EVENT_CHOICES],
        placeholder="All, and places only named",
    )
    distinct = st.sidebar.radio(
        "Count",
        ["mentions", "distinct events"],
        index=1 if st.query_params.get("count") == "events" else 0,
        help="Distinct events: the sentences of one article that report one type of event at one place "
        "on one date count once. Places with no event drop out.",
    )
    colour_by = st.sidebar.radio(
        "Colour markers by",
        ["event type", "kind of place"],
        index=1 if st.query_params.get("colour") == "kind" else 0,
        help="Event type: the type most reported at the place (by distinct events).",
    )
    govs = sorted({m.place.governorate for m in corpus.mentions if m.place.governorate})
    gov = st.sidebar.multiselect(
        "Governorates", govs, default=[g for g in query_list("gov") if g in govs], placeholder="All governorates"
    )
    kinds = st.sidebar.multiselect(
        "Place kinds",
        KIND_CHOICES,
        default=[k for k in query_list("kind") if k in KIND_CHOICES],
        placeholder="All kinds",
    )
    min_mentions = st.sidebar.number_input("Minimum mentions", 1, 1000, int(st.query_params.get("min", 1)))
    search = st.sidebar.text_input("Find a place", st.query_params.get("q", ""))
    abroad = st.sidebar.toggle("Show places outside Syria", st.query_params.get("abroad") == "1")
    q_from, q_to = st.query_params.get("from"), st.query_params.get("to")
    start = _iso_date(q_from)
    end = _iso_date(q_to)
    f = explore.Filters(
        chosen, start, end, gov, kinds, int(min_mentions), search, abroad, event_types, distinct == "distinct events"
    )
    st.session_state["colour_by"] = "kind" if colour_by == "kind of place" else "event"
    params = {
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
    for key, value in params.items():
        if value:
            st.query_params[key] = value
        elif key in st.query_params:
            del st.query_params[key]
    return f


def _iso_date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def timeline_ui(corpus: explore.Corpus, f: explore.Filters) -> explore.Filters:
    """Mentions or events over time, filtered like the map; its date range filters the map."""
    line = summary.timeline(explore.filter_mentions(corpus, f.without_dates()), f.distinct)
    if not line.rows:
        return f
    rows, unit, first, last = line.rows, line.unit, line.first, line.last
    what = "distinct events" if f.distinct else "mentions"
    earlier = f"; {line.left_out} dated before {line.shown_from} are left off the chart" if line.left_out else ""
    st.caption(
        f"{what.capitalize()} per {unit}, by event date (stated in the sentence, else the publication date){earlier}"
    )
    colours = mapview.EVENT_COLOURS
    chart = (
        alt.Chart(alt.Data(values=[{**r, "period": r["period"].isoformat()} for r in rows]))
        .mark_bar()
        .encode(
            x=alt.X("period:T", title=None, axis=alt.Axis(format=DATE_FORMATS[unit])),
            y=alt.Y("count:Q", title=what),
            color=alt.Color(
                "event type:N",
                scale=alt.Scale(domain=list(colours), range=list(colours.values())),
                legend=alt.Legend(orient="bottom", title=None, labelLimit=0),
            ),
            tooltip=["period:T", "event type:N", "count:Q"],
        )
        .properties(height=180)
    )
    st.altair_chart(chart, width="stretch")
    if first >= last:
        return f
    chosen = st.slider(
        "Dates shown on the map",
        min_value=first,
        max_value=last,
        value=(max(first, f.start or first), min(last, f.end or last)),
        format="YYYY-MM-DD",
    )
    start, end = chosen if chosen != (first, last) else (None, None)
    for key, value in (("from", start), ("to", end)):
        if value:
            st.query_params[key] = value.isoformat()
        elif key in st.query_params:
            del st.query_params[key]
    return replace(f, start=start, end=end)


def totals_ui(corpus: explore.Corpus, mentions, summaries, distinct: bool) -> None:
    articles = {m.article for m in mentions}
    a, b, c, d = st.columns(4)
    a.metric("Articles", f"{len(articles)} of {len(corpus.articles)}")
    b.metric("Mentions", len(mentions))
    c.metric("Distinct events", len(summary.distinct_events(mentions)))
    d.metric("Places", len(summaries))
    st.caption(
        "A mention is each time a place is named. A distinct event is what one article reports of one type, "
        "at one place, on one date: two sentences about the same strike are one event. "
        + ("Markers and counts below are distinct events." if distinct else "Markers and counts below are mentions.")
    )


def map_ui(summaries, titles) -> str | None:
    """The map; returns the id of the place whose marker was clicked, if any."""
    tiles = st.toggle("Background map (OpenStreetMap tiles, needs internet)", st.query_params.get("tiles") != "0")
    if tiles and "tiles" in st.query_params:
        del st.query_params["tiles"]
    elif not tiles:
        st.query_params["tiles"] = "0"
    colour_by = st.session_state.get("colour_by", "event")
    st.html(mapview.legend_html(colour_by))
    fmap = mapview.build_map(
        summaries, gazetteer.default_root() / "syria_governorates.geojson", titles, tiles=tiles, colour_by=colour_by
    )
    state = st_folium(fmap, key="map", height=560, width="stretch", returned_objects=["last_object_clicked"])
    clicked = (state or {}).get("last_object_clicked")
    if not clicked:
        return None
    best = min(
        summaries, key=lambda s: (s.place.lat - clicked["lat"]) ** 2 + (s.place.lon - clicked["lng"]) ** 2, default=None
    )
    return best.place.id if best else None


def excerpts_ui(corpus: explore.Corpus, summaries, clicked: str | None) -> None:
    """The panel beside the map: every excerpt of the chosen place in the selected articles."""
    if not summaries:
        st.info("No place matches these filters.")
        return
    ids = [s.place.id for s in summaries]
    by_id = {s.place.id: s for s in summaries}
    if clicked and clicked in by_id and st.session_state.get("last_clicked") != clicked:
        st.session_state["last_clicked"] = clicked
        st.session_state["place"] = clicked
    if st.session_state.get("place") not in by_id:
        wanted = st.query_params.get("place")
        st.session_state["place"] = wanted if wanted in by_id else ids[0]
    place_id = st.selectbox(
        "Place", ids, key="place", format_func=lambda i: f"{by_id[i].place.name} ({by_id[i].count})"
    )
    st.query_params["place"] = place_id
    s = by_id[place_id]
    p = s.place
    st.subheader(f"{p.name} {p.name_ar}")
    st.caption(
        f"{p.kind} · {p.governorate or 'outside Syria'} · {p.lat:.4f}, {p.lon:.4f} · "
        f"{len(s.mentions)} mentions · {len(s.events)} distinct events · `{p.id}`"
    )
    titles = corpus.titles()
    counts = s.event_counts()
    st.html(
        "<div style='font-size:13px'>"
        + " ".join(
            f"<span style='margin-right:10px;white-space:nowrap'><span style='color:{mapview.EVENT_COLOURS[t]}'>■"
            f"</span> {mapview.safe(t)}: <b>{n}</b></span>"
            for t, n in counts.most_common()
        )
        + f" <span style='color:#888'>({'distinct events' if s.distinct else 'mentions'})</span></div>"
    )
    casualties = explore.casualty_rows(s, titles)
    if casualties:
        with st.expander(f"Casualties reported here: {len(casualties)} events", expanded=True):
            for row in casualties:
                figures = " · ".join(
                    f"{label} {'?' if row[key] is None else row[key]}"
                    for key, label in (("killed", "killed"), ("injured", "injured"))
                    if row[key] != 0
                )
                st.markdown(
                    f"**{escape_md(figures)}** · {escape_md(row['sub_event_type'] or '')} · "
                    f"{row['date']} ({row['date_source']}) · *{escape_md(row['article'])}*"
                )
                for m in row["sources"]:
                    st.html(f"<div class='geo-casualty-source'>{mapview.highlighted_excerpt(m)}</div>")
    with st.container(height=470):
        for m in s.mentions:
            article = corpus.article(m.article)
            date = article.meta.get("date", "") if article else ""
            st.markdown(f"**{escape_md(titles.get(m.article, m.article))}** {date}")
            st.html(
                f"<div class='geo-excerpt'>{mapview.highlighted_excerpt(m)}</div>"
                f"<div style='color:#888;font-size:12px'>{mapview.safe(event_note(m))}"
                f"why this place: {mapview.safe(m.reason)} · "
                f"<a class='geo-fix-link' target='_self' href='?view=curate&amp;article="
                f"{mapview.safe(urllib.parse.quote(m.article))}&amp;start={m.start}'>wrong place?</a></div>"
            )


def event_note(m) -> str:
    """The event decision, with its evidence, in one line."""
    e = m.event
    if not e:
        return ""
    what = f"{e.event_type} / {e.sub_event_type} (trigger: “{e.trigger}”)" if e.event_type else "no event"
    toll = f" · {e.casualty_text}" if e.casualty_text else ""
    when = f" · {e.event_date} ({e.date_source}{': ' + e.date_text if e.date_text else ''})" if e.event_date else ""
    return f"{what}{toll}{when} · "


def escape_md(text: str) -> str:
    return "".join("\\" + c if c in "\\`*_{}[]()#+-.!|<>~" else c for c in text)


def tables_ui(corpus: explore.Corpus, mentions, summaries) -> None:
    titles = corpus.titles()
    tab_places, tab_chart, tab_articles, tab_read = st.tabs(["Places", "Top places", "Per article", "Read an article"])
    with tab_places:
        st.dataframe(explore.place_table(summaries, titles), width="stretch", hide_index=True)
    with tab_chart:
        top = summaries[:20]
        st.bar_chart(
            {"place": [s.place.name for s in top], "mentions": [s.count for s in top]},
            x="place",
            y="mentions",
            horizontal=True,
        )
    with tab_articles:
        by_article: dict[str, list] = {}
        for m in mentions:
            by_article.setdefault(m.article, []).append(m)
        for name in sorted(by_article, key=lambda n: titles.get(n, n)):
            places = mapview.summarise(by_article[name])
            st.markdown(
                f"**{escape_md(titles.get(name, name))}**: "
                + ", ".join(f"{escape_md(s.place.name)} ({s.count})" for s in places)
            )
    with tab_read:
        names = sorted(titles, key=lambda n: titles[n].lower())
        name = st.selectbox("Article", names, format_func=lambda n: titles[n], key="read")
        article = corpus.article(name)
        if article:
            meta = " · ".join(
                f"{k}: {v}" for k, v in article.meta.items() if k in ("author", "date", "source", "language")
            )
            st.caption(meta)
            st.html(explore.article_html(article, corpus.mentions))


def export_ui(mentions) -> None:
    a, b = st.columns(2)
    # Callables: the files are made when the button is clicked, not on every rerun.
    a.download_button("Download mentions (CSV)", lambda: explore.to_csv(mentions), "mentions.csv", "text/csv")
    b.download_button(
        "Download mentions (GeoJSON)", lambda: explore.to_geojson(mentions), "mentions.geojson", "application/geo+json"
    )


VIEWS = {"map": "Map", "add": "Add articles", "curate": "Curate the gazetteer"}


def view_ui() -> str:
    """Which view: the map, adding articles, or curating; kept in the URL as ?view=."""
    current = st.query_params.get("view", "map")
    view = st.sidebar.radio(
        "View", list(VIEWS), index=list(VIEWS).index(current) if current in VIEWS else 0, format_func=VIEWS.get
    )
    if view == "map":
        st.query_params.pop("view", None)
    else:
        st.query_params["view"] = view
    return view


def main() -> None:
    st.set_page_config(page_title="geo: places in Syria news", layout="wide")
    view = view_ui()
    gaz_root = str(gazetteer.default_root())
    try:
        gaz_signature = gazetteer.files_signature(Path(gaz_root))
        gaz = load_gazetteer(gaz_root, gaz_signature)  # a broken gazetteer fails here, with its file and line
        signature = explore.corpus_signature(ARTICLES)
        corpus = load_corpus(str(ARTICLES), signature, gaz_root, gaz_signature)
    except GeoError as e:
        st.error(f"Cannot load: {e}")
        st.stop()
    if view == "add":
        page_import.render(ARTICLES)
        return
    if view == "curate":
        unmapped = find_unmapped(str(ARTICLES), signature, gaz_root, gaz_signature)
        page_curate.render(corpus, gaz, unmapped, on_change=st.cache_data.clear)
        return
    st.title("Where it happens: places in the articles")
    for error in corpus.errors:
        st.warning(f"Skipped an article: {error}")
    if not corpus.articles:
        st.info(f"No articles in {ARTICLES}: add some in the “Add articles” view, or put .txt or .md files there.")
    f = filters_ui(corpus)
    f = timeline_ui(corpus, f)
    mentions = explore.filter_mentions(corpus, f)
    summaries = mapview.summarise(mentions, f.distinct)
    totals_ui(corpus, mentions, summaries, f.distinct)
    left, right = st.columns([3, 2])
    with left:
        clicked = map_ui(summaries, corpus.titles())
    with right:
        excerpts_ui(corpus, summaries, clicked)
    tables_ui(corpus, mentions, summaries)
    export_ui(mentions)
    st.caption(mapview.OCHA_ATTRIBUTION + ". Tiles © OpenStreetMap contributors when shown.")


main()

"""The dashboard's "Curate the gazetteer" view: unmapped names, new places, and wrong resolutions.

Streamlit widgets only; the edits are geo.curation's (validated, locked, atomic, plain CSV) and
the candidates geo.lookup's (geopy online, the gazetteer's own names offline).
"""

from __future__ import annotations

import html

import streamlit as st
from streamlit_folium import st_folium

from geo import settings
from geo.dashboard import mapview
from geo.dashboard.explore import Corpus
from geo.dashboard.wording import plural
from geo.errors import GeoError
from geo.gazetteer import Gazetteer, curation, lookup
from geo.models import KINDS, Mention
from geo.sinks import markdown as md

NEW_PLACE_KINDS = [k for k in KINDS if k not in ("country", "governorate", "district", "sub-district")]


def tiles_wanted() -> bool:
    """The same choice as the main map's background toggle (?tiles=0: no tile server is asked)."""
    return st.session_state.get("f-tiles", st.query_params.get("tiles") != "0")


def render(corpus: Corpus, gaz: Gazetteer, unmapped: list[curation.Unmapped], on_change) -> None:
    """`on_change()` is called after a file was written, so the app reloads the gazetteer and re-parses."""
    st.header("Curate the gazetteer")
    flash = st.session_state.pop("flash", None)
    if flash:
        st.success(md(flash))
    st.caption(
        f"Every change is written to a CSV file under `{gaz.root.name}/curated/` (reviewable in a diff), "
        "checked first, and used by the next parse: the map updates without a restart."
    )
    if "start" in st.query_params:  # "wrong place?" from an excerpt on the map: straight to the fix
        st.button("← Every curation task", key="leave-fix", on_click=leave_fix_mode)
        _fix(corpus, gaz, on_change)
        return
    names_tab, fix_tab = st.tabs(["Names not in the gazetteer", "Fix a resolution"])
    with names_tab:
        _unmapped(corpus, gaz, unmapped, on_change)
    with fix_tab:
        _fix(corpus, gaz, on_change)


FIX_PARAMS = ("article", "start")


def leave_fix_mode() -> None:
    """Out of the one-mention fix: the URL loses article= and start=, or the view would stay stuck in it."""
    for param in FIX_PARAMS:
        if param in st.query_params:
            del st.query_params[param]


def _done(message: str, on_change) -> None:
    st.session_state["flash"] = message
    leave_fix_mode()  # the mention just fixed is no longer the one the URL names
    on_change()
    st.rerun()


def keyed(widget: str, name: str) -> str:
    """A widget key per unmapped name: choosing another name starts from a fresh form and look-up."""
    return f"{widget}-{name}"


def _excerpt(text: str, start: int, end: int, ex_start: int) -> str:
    s, e = start - ex_start, end - ex_start
    return f"{html.escape(text[:s])}<mark>{html.escape(text[s:e])}</mark>{html.escape(text[e:])}"


def _unmapped(corpus: Corpus, gaz: Gazetteer, unmapped: list[curation.Unmapped], on_change) -> None:
    if not unmapped:
        st.info("Every name that looks like a place is in the gazetteer (or marked as not a place).")
        return
    one = len(unmapped) == 1
    st.caption(
        f"{plural(len(unmapped), 'name')} {'looks like a place' if one else 'look like places'} (after “in”, “near”, "
        "“village of”…, before “district”, “countryside”…, or starting with Kafr, Tal, Ain, Deir…) but "
        f"{'matches' if one else 'match'} nothing. Most evidence first."
    )
    titles = corpus.titles()
    st.dataframe(
        [
            {
                "name": u.name,
                "times": u.count,
                "after a place word": u.cue_count,
                "articles": "; ".join(titles.get(a, a) for a, _ in u.articles.most_common(3))
                + (f" (+{len(u.articles) - 3} more)" if len(u.articles) > 3 else ""),
            }
            for u in unmapped
        ],
        hide_index=True,
        height=220,
        width="stretch",
    )
    by_name = {u.name: u for u in unmapped}
    wanted = st.query_params.get("name")
    index = list(by_name).index(wanted) if wanted in by_name else 0
    name = st.selectbox(
        "Name",
        list(by_name),
        index=index,
        key="unmapped-name",
        format_func=lambda n: f"{n} ({by_name[n].count}× in {plural(len(by_name[n].articles), 'article')})",
    )
    u = by_name[name]
    for ex in u.examples:
        st.html(
            f"<div class='geo-unmapped-excerpt'><b>{html.escape(titles.get(ex.article, ex.article))}</b>: "
            f"{_excerpt(ex.excerpt, ex.start, ex.end, ex.excerpt_start)}</div>"
        )
    alias_col, new_col, stop_col = st.tabs(["Same place as…", "A new place", "Not a place"])
    with alias_col:
        _map_to_existing(gaz, name, on_change)
    with new_col:
        _new_place(gaz, name, on_change)
    with stop_col:
        reason = st.text_input(
            "Why (optional)", key=keyed("stop-reason", name), placeholder="a person, an organisation…"
        )
        if st.button(md(f"“{name}” is not a place"), key=keyed("stop", name)):
            curation.add_not_place(gaz.root, name, reason or "not a place (marked in the dashboard)")
            _done(f"“{name}” will not be proposed or matched again (gazetteer/curated/not_places.csv).", on_change)


def _place_choices(gaz: Gazetteer, query: str) -> list[lookup.Candidate]:
    return lookup.fuzzy_candidates(query, gaz, limit=8, cutoff=60) if query.strip() else []


def _map_to_existing(gaz: Gazetteer, name: str, on_change) -> None:
    query = st.text_input("Search the gazetteer", name, key=keyed("alias-query", name))
    choices = _place_choices(gaz, query)
    if not choices:
        st.info("No gazetteer place is spelled like this: try another spelling, or create a new place.")
        return
    by_ref = {c.ref: c for c in choices}
    ref = st.radio(
        "Places spelled like it",
        list(by_ref),
        index=None,  # nothing chosen for the user: one careless click would merge two places
        key=keyed("alias-choice", name),
        format_func=lambda r: md(f"{by_ref[r].name} · {r}"),
    )
    if ref is None:
        st.caption("Choose the place it names to add it as a spelling.")
        return
    chosen = by_ref[ref]
    if st.button(md(f"Add “{name}” as a name of {chosen.name.split(' (')[0]}"), key=keyed("add-alias", name)):
        try:
            added = curation.add_alias(gaz.root, gaz, name, chosen.ref)
        except GeoError as e:
            st.error(md(e))
            return
        note = "added to gazetteer/curated/aliases.csv" if added else "was already there"
        _done(f"“{name}” → {chosen.name}: {note}.", on_change)


def _new_place(gaz: Gazetteer, name: str, on_change) -> None:
    key = keyed("new", name)
    state = st.session_state.setdefault(key, {"lat": 35.0, "lon": 38.0})
    a, b = st.columns(2)
    place_name = a.text_input("Name", name, key=keyed("new-name", name))
    kind = b.selectbox("Kind", NEW_PLACE_KINDS, index=NEW_PLACE_KINDS.index("village"), key=keyed("new-kind", name))
    name_ar = a.text_input("Arabic name (optional)", key=keyed("new-ar", name))
    username = b.text_input("GeoNames username (optional, for its web service)", key="geonames-user")
    if st.button("Look up coordinates", key=keyed("lookup", name)):
        st.session_state[f"{key}-found"] = _lookups(gaz, place_name, username)
    for message in st.session_state.get(f"{key}-found", ([], []))[1]:
        st.warning(md(message))
    found = st.session_state.get(f"{key}-found", ([], []))[0]
    if found:
        i = st.radio(
            "Candidates (choose one to use its coordinates)",
            range(len(found)),
            key=keyed("lookup-choice", name),
            format_func=lambda i: md(f"{found[i].name} · {found[i].lat:.4f}, {found[i].lon:.4f} · {found[i].source}"),
        )
        pick = found[i]
        if st.button("Use these coordinates", key=keyed("use-candidate", name)):
            state.update(lat=pick.lat, lon=pick.lon)
    st.caption("Or click the map to place it:")
    outlines = gaz.root / "syria_governorates.geojson"
    small = mapview.picker_map(state["lat"], state["lon"], outlines, tiles=tiles_wanted())
    clicked = st_folium(small, key=keyed("pick-map", name), height=300, returned_objects=["last_clicked"])
    point = (clicked or {}).get("last_clicked")
    if point and (point["lat"], point["lng"]) != state.get("clicked"):
        state.update(lat=point["lat"], lon=point["lng"], clicked=(point["lat"], point["lng"]))
    c, d = st.columns(2)
    # keyed by the value too: a click on the map or a candidate replaces what was typed
    lat_key, lon_key = f"lat-{name}-{state['lat']}", f"lon-{name}-{state['lon']}"
    lat = c.number_input("Latitude", -90.0, 90.0, float(state["lat"]), format="%.5f", key=lat_key)
    lon = d.number_input("Longitude", -180.0, 180.0, float(state["lon"]), format="%.5f", key=lon_key)
    governorate = curation.governorate_at(gaz.root, lat, lon)
    st.caption(md(f"Governorate from the coordinates: {governorate or 'outside Syria'}"))
    if st.button(md(f"Create “{place_name}”"), key=keyed("create-place", name)):
        try:
            place_id = curation.add_place(gaz.root, gaz, place_name, lat, lon, kind, name_ar.strip())
        except GeoError as e:
            st.error(md(e))
            return
        _done(f"Created {place_name} ({place_id}) in gazetteer/curated/places.csv.", on_change)


def _lookups(gaz: Gazetteer, name: str, username: str) -> tuple[list[lookup.Candidate], list[str]]:
    """Online candidates when the services answer; the gazetteer's own otherwise. Never written silently."""
    found: list[lookup.Candidate] = []
    messages = []
    services = [lambda: lookup.nominatim(name, **_nominatim_server())]
    if username.strip():
        services.append(lambda: lookup.geonames(name, username.strip()))
    for ask in services:
        try:
            found += ask()
        except lookup.LookupUnavailable as e:  # its message is in plain words (lookup.plain_failure)
            messages.append(f"{e}.")
    if not found:
        found = lookup.fuzzy_candidates(name, gaz)
        if found and messages:
            messages.append("The gazetteer's own places spelled like it are offered instead.")
        if not found:
            messages.append("No candidate: type the coordinates or click the map.")
    return found, messages


def _nominatim_server() -> dict:
    """$GEO_NOMINATIM (host[:port], http) points the look-ups at another server, e.g. in tests."""
    server = settings.nominatim_server()
    return {"domain": server, "scheme": "http"} if server else {}


def _fix(corpus: Corpus, gaz: Gazetteer, on_change) -> None:
    titles = corpus.titles()
    if not corpus.articles:
        st.info("No articles yet.")
        return
    names = sorted(titles, key=lambda n: titles[n].lower())
    wanted = st.query_params.get("article")
    article = st.selectbox(
        "Article",
        names,
        index=names.index(wanted) if wanted in names else 0,
        key="fix-article",
        format_func=lambda n: titles[n],
    )
    mentions = [m for m in corpus.mentions if m.article == article]
    if not mentions:
        st.info("No place found in this article.")
        return
    starts = [str(m.start) for m in mentions]
    wanted_start = st.query_params.get("start")
    i = st.selectbox(
        "Mention",
        range(len(mentions)),
        index=starts.index(wanted_start) if wanted_start in starts else 0,
        key="fix-mention",
        format_func=lambda i: (
            f"“{mentions[i].text}” at {mentions[i].start} → {mentions[i].place.name} "
            f"({mentions[i].place.kind}, {mentions[i].place.where})"
        ),
    )
    mention: Mention = mentions[i]
    excerpt = _excerpt(mention.excerpt, mention.start, mention.end, mention.excerpt_start)
    st.html(f"<div class='geo-fix-excerpt'>{excerpt}</div>")
    st.caption(md(f"Why: {mention.reason}"))
    query = st.text_input("The right place", mention.text, key="fix-query")
    choices = [c for c in _place_choices(gaz, query) if c.ref != mention.place.id]
    by_ref = {c.ref: c for c in choices} | {"": lookup.Candidate("not a place here", 0, 0, "", "", "")}
    ref = st.radio(
        "Choose",
        list(by_ref),
        index=None,  # no candidate chosen for the user: one careless Save would move a place
        key="fix-choice",
        format_func=lambda r: md(f"{by_ref[r].name} {r}"),
    )
    right = by_ref[ref] if ref is not None else None
    scopes = {
        "only": "only to this mention (an override for this article)",
        "everywhere": md(f"everywhere “{mention.text}” is written (an alias)"),
    }
    scope = st.radio("Apply", list(scopes), key="fix-scope", disabled=not (right and right.ref), format_func=scopes.get)
    if st.button("Save the correction", key="fix-save"):
        if right is None:
            st.error("Nothing saved: choose the right place above first (or “not a place here”).")
            return
        try:
            if not right.ref or scope.startswith("only"):
                curation.add_override(gaz.root, gaz, mention, right.ref)
                where = "gazetteer/curated/overrides.csv"
            else:
                curation.add_alias(gaz.root, gaz, mention.text, right.ref, note=f"correction: was {mention.place.id}")
                where = "gazetteer/curated/aliases.csv"
        except GeoError as e:
            st.error(md(e))
            return
        _done(f"Saved in {where}: “{mention.text}” → {right.name}.", on_change)

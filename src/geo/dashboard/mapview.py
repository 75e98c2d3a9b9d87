"""Mentions -> a folium.Map. No Streamlit here: the map can be built and tested on its own.

Markers: one per place, area proportional to its mention count, coloured by kind, clustered
at low zoom. Governorates: OCHA polygons shaded by mention count, in the layer control.
Leaflet and its plugins load from `asset_base` (files the app serves itself), never a CDN.
Every string from an article reaches the page through `sinks` (HTML-escaped, then as inert JSON data).
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Protocol

import folium
from branca.element import CssLink, Element, Figure, JavascriptLink, Template
from folium.elements import JSCSSMixin
from folium.map import Layer

from geo import sinks
from geo.dashboard.wording import plural
from geo.models import Mention, Place
from geo.summary import NO_EVENT_LABEL, governorate_counts


class MapPlace(Protocol):
    """What the map shows of a place: summary.PlaceSummary, or dashboard.queries.PlaceRow from the store."""

    @property
    def place(self) -> Place: ...

    @property
    def count(self) -> int: ...

    @property
    def distinct(self) -> bool: ...

    @property
    def dominant_event(self) -> str: ...

    def event_counts(self) -> Counter[str]: ...

    def per_article(self) -> Counter[str]: ...


KIND_COLOURS = {
    "city": "#d62728",
    "town": "#ff7f0e",
    "village": "#ff7f0e",
    "neighbourhood": "#9467bd",
    "governorate": "#1f77b4",
    "district": "#1f77b4",
    "sub-district": "#1f77b4",
    "region": "#2ca02c",
    "site": "#8c564b",
    "country": "#7f7f7f",
}
KIND_GROUPS = {
    "city": "city",
    "town": "town/village",
    "village": "town/village",
    "neighbourhood": "neighbourhood",
    "governorate": "governorate",
    "district": "governorate",
    "sub-district": "governorate",
    "region": "region",
    "site": "site",
    "country": "country",
}
POPUP_ARTICLES = 5
MAX_RADIUS = 28
MAX_ZOOM = 18
# Areas are shaded (the governorate layer), not drawn as a circle at a centroid in the desert.
AREA_KINDS = frozenset({"country", "governorate", "district", "sub-district"})
CLUSTER_CSS = """
.geo-cluster { background: rgba(80, 80, 80, 0.3); border-radius: 50%; }
.geo-cluster div { background: rgba(50, 50, 50, 0.8); color: #fff; border-radius: 50%; width: 30px; height: 30px;
  margin: 5px; text-align: center; line-height: 30px; font: 12px sans-serif; }
"""
OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
OCHA_ATTRIBUTION = "Boundaries: OCHA COD-AB (OCHA, UNCS), CC BY 4.0; places: Who's On First, GeoNames"


EVENT_COLOURS = {
    "Battles": "#d62728",
    "Explosions/Remote violence": "#ff7f0e",
    "Violence against civilians": "#9467bd",
    "Protests": "#2ca02c",
    "Riots": "#bcbd22",
    "Strategic developments": "#1f77b4",
    NO_EVENT_LABEL: "#7f7f7f",
}


def highlighted_excerpt(m: Mention, max_chars: int | None = None) -> str:
    """The excerpt as safe HTML with the mention in <mark>, cut by offsets, never by search.

    Past `max_chars` characters (a sentence of a huge article can be the whole article) only a window
    around the mention is shown, "…" where text is left out."""
    s = m.start - m.excerpt_start
    e = m.end - m.excerpt_start
    text = m.excerpt
    if not (0 <= s <= e <= len(text)):
        return sinks.html(text if max_chars is None else text[:max_chars])
    first, last = 0, len(text)
    if max_chars is not None and len(text) > max_chars:
        side = max(0, (max_chars - (e - s)) // 2)
        first, last = max(0, s - side), min(len(text), e + side)
    before = ("…" if first else "") + sinks.html(text[first:s])
    after = sinks.html(text[e:last]) + ("…" if last < len(text) else "")
    return f"{before}<mark>{sinks.html(text[s:e])}</mark>{after}"


def excerpt_cut(m: Mention, max_chars: int) -> str:
    """What highlighted_excerpt(m, max_chars) left out, in words ("" when nothing)."""
    if len(m.excerpt) <= max_chars:
        return ""
    return f"excerpt cut to about {max_chars:,} of its {len(m.excerpt):,} characters · "


def radius(count: int) -> float:
    """Pixels; the circle's area grows with the count, up to a cap so that a city hides no neighbourhood."""
    return min(MAX_RADIUS, 5 + 4 * math.sqrt(count))


def popup_html(summary: MapPlace, titles: Mapping[str, str]) -> str:
    p = summary.place
    per_article = summary.per_article().most_common()
    total = getattr(summary, "n_articles", len(per_article))  # a store's PlaceRow brings only the first few
    rows = "".join(
        f"<tr><td>{sinks.html(titles.get(a, a))}</td><td style='text-align:right'>{n}</td></tr>"
        for a, n in per_article[:POPUP_ARTICLES]
    )
    if total > POPUP_ARTICLES:  # Aleppo in 800 articles: a popup of a few lines, the panel has the rest
        more = total - POPUP_ARTICLES
        rows += f"<tr><td colspan='2' style='color:#666'>and {plural(more, 'more article')}</td></tr>"
    # No excerpts here: they are in the panel beside the map, which a click on the marker fills. Two per popup
    # were 0.3 MB of the 1 MB map at 800 articles, re-sent and re-parsed on every filter change.
    excerpts = "<div style='color:#666;font-size:12px;margin-top:4px'>Its excerpts: in the panel beside the map.</div>"
    events = "".join(
        f"<span style='color:{EVENT_COLOURS.get(t, '#333')}'>■</span> {sinks.html(t)}: {n}<br>"
        for t, n in summary.event_counts().most_common()
    )
    unit = "event" if summary.distinct else "mention"
    return (
        f"<div class='geo-popup' style='max-width:360px'><b>{sinks.html(p.name)}</b> "
        f"<span dir='rtl'>{sinks.html(p.name_ar)}</span><br>"
        f"<small>{sinks.html(p.kind)}{', ' + sinks.html(p.governorate) if p.governorate else ''}"
        f" · {plural(summary.count, unit)}</small>"
        f"<div style='font-size:12px;margin-top:4px'>{events}</div>"
        f"<table style='font-size:12px;margin-top:4px'>{rows}</table>{excerpts}</div>"
    )


def same_point(place, clicked: dict) -> bool:
    """Whether a map click ({"lat", "lng"}, as Leaflet reports a marker's position) is this place's marker."""
    return abs(place.lat - clicked["lat"]) < 1e-7 and abs(place.lon - clicked["lng"]) < 1e-7


def tooltip_text(summary: MapPlace) -> str:
    p = summary.place
    arabic = f" · {p.name_ar}" if p.name_ar else ""
    return sinks.html(f"{p.name}{arabic}: {plural(summary.count, 'event' if summary.distinct else 'mention')}")


def marker_colour(summary: MapPlace, colour_by: str) -> str:
    if colour_by == "kind":
        return KIND_COLOURS.get(summary.place.kind, "#333")
    return EVENT_COLOURS[summary.dominant_event]


def event_class(event_type: str) -> str:
    """A CSS class name for an event type: "Explosions/Remote violence" -> "explosions-remote-violence"."""
    return re.sub(r"[^a-z]+", "-", event_type.lower()).strip("-")


def legend_html(colour_by: str) -> str:
    """The colour key of the markers, as safe HTML."""
    if colour_by == "kind":
        colours = {group: KIND_COLOURS[kind] for kind, group in KIND_GROUPS.items()}
    else:
        colours = EVENT_COLOURS
    items = "".join(
        f"<span style='white-space:nowrap'><span style='color:{c}'>●</span> {sinks.html(label)}</span>"
        for label, c in colours.items()
    )
    return f"<div class='geo-legend' style='font-size:13px;display:flex;flex-wrap:wrap;gap:2px 12px'>{items}</div>"


def _use_local_assets(element, asset_base: str, js: list[tuple[str, str]], css: list[tuple[str, str]]) -> None:
    element.default_js = [(name, f"{asset_base}/{path}") for name, path in js]
    element.default_css = [(name, f"{asset_base}/{path}") for name, path in css]


def _shade(count: int, top: int) -> str:
    if not count:
        return "#f7f7f7"
    level = math.sqrt(count / top) if top else 0
    blues = ["#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c"]
    return blues[min(len(blues) - 1, int(level * (len(blues) - 1) + 0.5))]


class _Rendered(Element):
    """Text already rendered, put in the page as it is.

    branca's MacroElement.render wraps what each macro rendered in Element(text), which compiles that text
    as a Jinja template again: for the markers' script, megabytes of JSON tokenised on every map build."""

    def __init__(self, text: str):
        super().__init__()
        self.text = text

    def render(self, **kwargs) -> str:
        return self.text


class PlaceMarkers(JSCSSMixin, Layer):
    """All place markers as one clustered layer, built in the browser from JSON.

    Rendering one folium element per marker costs about 1.5 ms each in Jinja; 600 places made
    the dashboard's every rerun slow. Here the markers' data (already-escaped HTML strings) is
    one JSON array, and a few lines of JS make the circles, tooltips and popups.
    """

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>{{ this.css }}</style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.markerClusterGroup(Object.assign({{ this.options|tojson }}, {
            // Neutral (no event colour), and counting mentions, not places: 68 Aleppo mentions are not a "3".
            iconCreateFunction: function (cluster) {
                var n = cluster.getAllChildMarkers().reduce(function (s, m) { return s + m.options.count; }, 0);
                return L.divIcon({html: "<div><span>" + n + "</span></div>", className: "geo-cluster",
                                  iconSize: L.point(40, 40)});
            }}));
        {{ this.data_js }}.forEach(function (d) {
            var marker = L.circleMarker([d.lat, d.lon], {
                radius: d.radius, color: d.colour, fillColor: d.colour, fillOpacity: 0.6, weight: 1,
                count: d.count, className: "geo-marker geo-event-" + d.event_class});
            // A click reports the marker's own position, not the pointer's: the app finds the place by it
            // (the pointer on Aleppo's wide circle is nearer to some neighbourhood than to Aleppo).
            marker.on("click", function (e) { e.latlng = marker.getLatLng(); });
            marker.bindTooltip(d.tooltip);
            marker.bindPopup(d.popup, {maxWidth: 380});
            {{ this.get_name() }}.addLayer(marker);
        });
        {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        // Leaflet focuses the map on a press (its keyboard handler) with focus(), which scrolls the page
        // to bring the map's frame into view: the release then lands elsewhere and the first click on a
        // marker after the page loads was lost. The same focus, without the scroll; the keys still work.
        (function (map) {
            var keys = map.keyboard;
            if (!keys) return;
            L.DomEvent.off(map._container, "mousedown", keys._onMouseDown, keys);
            L.DomEvent.on(map._container, "mousedown", function () {
                if (!keys._focused) map._container.focus({preventScroll: true});
            });
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, summaries: Sequence[MapPlace], titles: Mapping[str, str], asset_base: str, colour_by: str):
        super().__init__(name="Places", overlay=True, control=True)
        self._name = "PlaceMarkers"
        self.options = {"maxClusterRadius": 35, "disableClusteringAtZoom": 9}
        self.css = CLUSTER_CSS
        self.data = [
            {
                "lat": s.place.lat,
                "lon": s.place.lon,
                "count": s.count,
                "radius": round(radius(s.count), 1),
                "colour": marker_colour(s, colour_by),
                "event_class": event_class(s.dominant_event),
                "tooltip": tooltip_text(s),
                "popup": popup_html(s, titles),
            }
            for s in summaries
            if s.place.kind not in AREA_KINDS
        ]
        self.data_js = sinks.js_data(self.data)  # the only way article text enters the script
        _use_local_assets(
            self,
            asset_base,
            [("markerclusterjs", "markercluster/leaflet.markercluster.js")],
            [
                ("markerclustercss", "markercluster/MarkerCluster.css"),
                ("markerclusterdefaultcss", "markercluster/MarkerCluster.Default.css"),
            ],
        )

    def render(self, **kwargs) -> None:  # type: ignore[override]  # MacroElement.render returns nothing too
        """JSCSSMixin's links, then the macros' output as it is (_Rendered), not compiled again."""
        figure = self.get_root()
        assert isinstance(figure, Figure), "the markers render inside a folium map's figure"
        for name, url in self.default_js:
            figure.header.add_child(JavascriptLink(url), name=name)
        for name, url in self.default_css:
            figure.header.add_child(CssLink(url), name=name)
        module = self._template.module
        figure.header.add_child(_Rendered(module.header(self, kwargs)), name=self.get_name())
        figure.script.add_child(_Rendered(module.script(self, kwargs)), name=self.get_name())


def build_map(
    summaries: Sequence[MapPlace],
    governorates_geojson: Path | dict,
    titles: Mapping[str, str] | None = None,
    asset_base: str = "/app/static/vendor",
    tiles: bool = True,
    colour_by: str = "event",
    governorate_totals: Mapping[str, int] | None = None,
) -> folium.Map:
    """The map of the given places; `titles` maps article file names to titles for popups.

    Markers are coloured by their place's dominant event type, or by `colour_by="kind"` of place.
    `governorate_totals` (mentions per governorate, counted by the store) default to the summaries' mentions.
    """
    titles = titles or {}
    # maxZoom on the map itself: without a tile layer Leaflet has none, and the marker clusters then throw
    # "Map has no maxZoom specified" and leave the map blank (?tiles=0).
    m = folium.Map(location=[35.0, 38.5], zoom_start=6, tiles=None, control_scale=True, prefer_canvas=False)
    m.options["maxZoom"] = MAX_ZOOM  # folium gives max_zoom to its own tile layer only
    _use_local_assets(m, asset_base, [("leaflet", "leaflet/leaflet.js")], [("leaflet_css", "leaflet/leaflet.css")])
    if tiles:
        folium.TileLayer(OSM_TILES, attr=OSM_ATTRIBUTION, name="OpenStreetMap", max_zoom=MAX_ZOOM).add_to(m)

    outline = (
        json.loads(Path(governorates_geojson).read_text(encoding="utf-8"))
        if not isinstance(governorates_geojson, dict)
        else governorates_geojson
    )
    gov_counts = (
        governorate_totals
        if governorate_totals is not None
        else governorate_counts(m for s in summaries for m in getattr(s, "mentions", ()))
    )
    top = max(gov_counts.values(), default=0)
    features = []
    for f in outline["features"]:
        name = f["properties"]["adm1_name"]
        props = {
            "name": name,
            "name_ar": f["properties"].get("adm1_name1") or "",
            "mentions": gov_counts.get(name, 0),
            "fill": _shade(gov_counts.get(name, 0), top),
        }
        features.append({"type": "Feature", "geometry": f["geometry"], "properties": props})
    folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name="Governorates (mentions)",
        style_function=lambda feat: {
            "fillColor": feat["properties"]["fill"],
            "color": "#555",
            "weight": 1,
            "fillOpacity": 0.45,
        },
        tooltip=folium.GeoJsonTooltip(fields=["name", "name_ar", "mentions"], aliases=["", "", "mentions"]),
        attr=OCHA_ATTRIBUTION,
    ).add_to(m)

    PlaceMarkers(summaries, titles, asset_base, colour_by).add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    if summaries:
        lats = [s.place.lat for s in summaries]
        lons = [s.place.lon for s in summaries]
        if max(lats) - min(lats) < 0.05 and max(lons) - min(lons) < 0.05:
            m.location, m.options["zoom"] = [lats[0], lons[0]], 11
        else:
            m.fit_bounds([[min(lats), min(lons)], [max(lats), max(lons)]], padding=(20, 20))
    else:
        m.fit_bounds([[32.3, 35.6], [37.4, 42.4]])
    sinks.check_map_inert(m)
    return m


HIGHLIGHT_ZOOM = 10  # past disableClusteringAtZoom: the chosen place is its own circle, not inside a cluster


def highlight_layer(summary: MapPlace) -> folium.FeatureGroup:
    """A ring around the place chosen in the side panel, added to the shown map without reloading it."""
    group = folium.FeatureGroup(name="Chosen place", control=False)
    if summary.place.kind not in AREA_KINDS:  # areas have no circle to ring: they are shaded
        folium.CircleMarker(
            [summary.place.lat, summary.place.lon],
            radius=radius(summary.count) + 5,
            color="#000",
            weight=3,
            fill=False,
            dash_array="5 4",
            interactive=False,
            class_name="geo-highlight",
        ).add_to(group)
    return group


def picker_map(
    lat: float, lon: float, governorates_geojson: Path, asset_base: str = "/app/static/vendor", tiles: bool = True
) -> folium.Map:
    """A small map with one pin, to click a new place's position: Leaflet from the app, like the main map.

    The governorate outlines are drawn under the pin, so that offline (no tiles) the map is not blank.
    """
    m = folium.Map(location=[lat, lon], zoom_start=7, tiles=None)
    m.options["maxZoom"] = MAX_ZOOM
    _use_local_assets(m, asset_base, [("leaflet", "leaflet/leaflet.js")], [("leaflet_css", "leaflet/leaflet.css")])
    if tiles:
        folium.TileLayer(OSM_TILES, attr=OSM_ATTRIBUTION, name="OpenStreetMap", max_zoom=MAX_ZOOM).add_to(m)
    outline = json.loads(Path(governorates_geojson).read_text(encoding="utf-8"))
    folium.GeoJson(
        outline,
        style_function=lambda feat: {"color": "#555", "weight": 1, "fillOpacity": 0.05},
        attr=OCHA_ATTRIBUTION,
        interactive=False,  # a click goes to the map (the new position), not to a governorate
    ).add_to(m)
    pin = folium.DivIcon(  # drawn by CSS: Leaflet's image pin guesses its path wrong inside Streamlit's iframe
        html="<div style='width:14px;height:14px;border-radius:50%;background:#d62728;border:2px solid #fff;"
        "box-shadow:0 0 3px #000'></div>",
        icon_size=(18, 18),
        icon_anchor=(9, 9),
        class_name="geo-pin",
    )
    marker = folium.Marker([lat, lon], icon=pin)
    _use_local_assets(marker, asset_base, [], [])
    marker.add_to(m)
    sinks.check_map_inert(m)
    return m


def kind_group(kind: str) -> str:
    return KIND_GROUPS.get(kind, kind)

"""The map as streamlit-folium sends it, prepared once and shown by every session (issue 17).

`st_folium(fmap)` renders the folium map on every call: Jinja over every element, a regex over the
whole script (2.9 MB at 10,000 articles) to make its key, a SHA-256 of it. The same map is the same
strings, so `prepare` does that work once (the app caches its result per store version, filters,
colours and tiles, for every session) and `show` hands the strings to streamlit-folium's component,
exactly the arguments st_folium would have given it (tests/test_shared_map.py holds them equal).
Only the ring around the chosen place is made per session, on a throwaway map: the shared one is
never changed after `prepare`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import folium
import streamlit as st
import streamlit_folium as sf  # pinned (requirements.txt): its private helpers are what st_folium runs


@dataclass(frozen=True)
class MapFrame:
    """The strings and values of one rendered map: what the component needs, nothing of folium."""

    script: str
    header: str
    html: str
    map_id: str
    hash_key: str
    defaults: dict[str, Any]
    css_links: tuple[str, ...]
    js_links: tuple[str, ...]

    @property
    def size(self) -> int:
        """Characters sent to the browser: the cache's weight and the README's "map HTML"."""
        return len(self.script) + len(self.header) + len(self.html)


def prepare(fmap: folium.Map, key: str, returned_objects: Sequence[str]) -> MapFrame:
    """st_folium's rendering of `fmap`, done once. `fmap` is used up: streamlit-folium renames its ids."""
    fmap.get_root().render()
    fmap.render()
    html = sf._get_html(fmap)
    header = sf._get_header(fmap)
    script = sf._get_map_string(fmap)
    map_id = sf.get_full_id(fmap)
    bounds = fmap.get_bounds()
    southwest, northeast = bounds
    every = {
        "last_clicked": None,
        "last_object_clicked": None,
        "last_object_clicked_count": None,
        "last_object_clicked_tooltip": None,
        "last_object_clicked_popup": None,
        "all_drawings": None,
        "last_active_drawing": None,
        "bounds": {
            "_southWest": {"lat": southwest[0], "lng": southwest[1]},
            "_northEast": {"lat": northeast[0], "lng": northeast[1]},
        },
        "zoom": fmap.options.get("zoom"),
        "last_circle_radius": None,
        "last_circle_polygon": None,
        "selected_layers": None,
        "selected_tags": None,
        "last_geocoder_result": None,
    }
    defaults = {k: v for k, v in every.items() if k in returned_objects}
    css: list[str] = []
    js: list[str] = []
    for elem in _walk(fmap):
        css.extend(href for _, href in getattr(elem, "default_css", []))
        js.extend(src for _, src in getattr(elem, "default_js", []))
    return MapFrame(
        script,
        header,
        html,
        map_id,
        sf.generate_js_hash(script, key, False),
        defaults,
        tuple(dict.fromkeys(css)),
        tuple(dict.fromkeys(js)),
    )


def _walk(element):
    if isinstance(element, folium.elements.JSCSSMixin):
        yield element
    for child in getattr(element, "_children", {}).values():
        yield from _walk(child)


def feature_group_script(group: folium.FeatureGroup) -> str:
    """A layer added to the shown map without reloading it (st_folium's feature_group_to_add), made on a
    throwaway map so that the shared one stays as it was."""
    return sf._get_feature_group_string(group, map=folium.Map(tiles=None), idx=0)


def show(
    frame: MapFrame,
    key: str,
    height: int,
    width: str | int | None,
    returned_objects: Sequence[str],
    center: tuple[float, float] | None = None,
    zoom: int | None = None,
    feature_group: folium.FeatureGroup | None = None,
    on_change: Callable[[], None] | None = None,
):
    """The component, as st_folium(..., key=key) calls it: the map's last state lands in st.session_state[key]."""

    def changed() -> None:
        st.session_state[key] = st.session_state.get(frame.hash_key, {})
        if on_change is not None:
            on_change()

    return sf._component_func(
        script=frame.script,
        header=frame.header,
        html=frame.html,
        id=frame.map_id,
        key=frame.hash_key,
        height=height,
        width=width,
        returned_objects=list(returned_objects),
        default=dict(frame.defaults),
        zoom=zoom,
        center=center,
        feature_group=feature_group_script(feature_group) if feature_group is not None else None,
        return_on_hover=False,
        layer_control=None,
        pixelated=False,
        css_links=list(frame.css_links),
        js_links=list(frame.js_links),
        on_change=changed,
        wrap_longitude=False,
    )

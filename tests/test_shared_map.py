"""The map prepared once for every session (geo.dashboard.shared_map) is what st_folium sends, string for string."""

from __future__ import annotations

import folium
import streamlit_folium as sf

from geo import gazetteer, summary
from geo.dashboard import mapview, shared_map
from geo.pipeline import parse_text

TEXTS = {"a.txt": "Shelling hit Aleppo and Saraqeb.", "b.txt": "Protesters gathered in Homs and in Aleppo."}


def a_map(gaz) -> folium.Map:
    mentions = [m for name, text in TEXTS.items() for m in parse_text(name, text, gaz, with_events=False)]
    return mapview.build_map(summary.summarise(mentions), gazetteer.default_root() / "syria_governorates.geojson")


def sent(monkeypatch, show) -> dict:
    """The arguments streamlit-folium's component is called with (recorded instead of sent to a browser)."""
    calls: list[dict] = []
    monkeypatch.setattr(sf, "_component_func", lambda **kwargs: calls.append(kwargs))
    show()
    (call,) = calls
    call.pop("on_change")
    return call


def test_the_shared_frame_sends_what_st_folium_sends(monkeypatch, gaz):
    chosen = summary.summarise(parse_text("a.txt", TEXTS["a.txt"], gaz, with_events=False))[0]
    returned = ["last_object_clicked"]
    frame = shared_map.prepare(a_map(gaz), "map", returned)
    for center, zoom in ((None, None), ((36.2, 37.1), 10)):
        ours = sent(
            monkeypatch,
            lambda c=center, z=zoom: shared_map.show(
                frame, "map", 560, "stretch", returned, c, z, mapview.highlight_layer(chosen)
            ),
        )
        theirs = sent(
            monkeypatch,
            lambda c=center, z=zoom: sf.st_folium(
                a_map(gaz),
                key="map",
                height=560,
                width="stretch",
                returned_objects=returned,
                center=c,
                zoom=z,
                feature_group_to_add=mapview.highlight_layer(chosen),
            ),
        )
        assert ours == theirs
    assert frame.size > 10_000 and "geo-marker" in frame.script


def test_showing_the_frame_leaves_it_unchanged(monkeypatch, gaz):
    """The frame is shared between sessions: a session's ring must not stay in it for the next one."""
    chosen = summary.summarise(parse_text("a.txt", TEXTS["a.txt"], gaz, with_events=False))[0]
    frame = shared_map.prepare(a_map(gaz), "map", ["last_object_clicked"])
    before = (frame.script, frame.header, frame.html)
    with_ring = sent(
        monkeypatch, lambda: shared_map.show(frame, "map", 560, "stretch", ["last_object_clicked"], None, None,
                                             mapview.highlight_layer(chosen))  # fmt: skip
    )
    assert "geo-highlight" in with_ring["feature_group"] and (frame.script, frame.header, frame.html) == before
    plain = sent(monkeypatch, lambda: shared_map.show(frame, "map", 560, "stretch", ["last_object_clicked"]))
    assert plain["feature_group"] is None and plain["script"] == with_ring["script"]

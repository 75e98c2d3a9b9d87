"""One dashboard session over Streamlit's websocket protocol, as its front end speaks it (issue 17).

scripts/loadtest.py runs its sessions as browsers by default; 20 browsers on the server's two cores
measure the browsers. `--client ws` runs each session as this: a websocket to /_stcore/stream, the
BackMsg and ForwardMsg protobufs of the installed Streamlit, and what its front end keeps of a page
(the elements by delta path, every widget's value as the widget committed it on mount or was last set,
the messages it may be sent by reference only). No page is drawn: the server does exactly the work a
browser session asks of it over the websocket (the page's static files and the map frame's assets,
fetched over HTTP by a browser, are not asked for).

A session: a run with `?tiles=0` (timed to the map's delta and to the end of the run), the governorate
filter set (timed to a map with other markers), a click on the largest marker the panel does not
show yet, as streamlit-folium's front end reports it (timed to the panel naming its place). An
exception element, a run that ends otherwise than successfully, or a missed deadline is the session's
error.
"""

from __future__ import annotations

import html
import json
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.proto.Element_pb2 import Element
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import connect

MAP_COMPONENT = "streamlit_folium.st_folium"
MARKER_DATA_END = ".forEach(function (d) {"  # mapview.PlaceMarkers: the markers' JSON array, then this
GOVERNORATES = "Governorates"  # the filter's label (page_map.filters_ui)
PANEL = "Place"  # the panel's place picker (page_map.excerpts_ui)


@dataclass
class Page:
    """What the front end holds of the app between runs."""

    elements: dict[tuple[int, ...], Element] = field(default_factory=dict)
    widgets: dict[str, WidgetState] = field(default_factory=dict)
    seen: set[str] = field(default_factory=set)  # widget ids drawn by the current run
    cache: dict[str, ForwardMsg] = field(default_factory=dict)  # cacheable messages by hash
    page_script_hash: str = ""
    errors: list[str] = field(default_factory=list)
    received: int = 0  # bytes of ForwardMsgs


def mount_state(element: Element) -> WidgetState | None:
    """The value a widget commits when it is drawn (or is set from the script), as the front end sends it."""
    kind = element.WhichOneof("type")
    w = getattr(element, kind) if kind else None
    state = WidgetState(id=getattr(w, "id", ""))
    if kind == "multiselect":
        values = list(w.raw_values) if w.set_value else [w.options[i] for i in w.default]
        state.string_array_value.data[:] = values
    elif kind in ("selectbox", "radio"):
        if w.set_value or w.HasField("raw_value"):
            state.string_value = w.raw_value
        elif w.HasField("default") and w.options:
            state.string_value = w.options[w.default]
        else:
            return None
    elif kind == "checkbox":
        state.bool_value = w.value if w.set_value else w.default
    elif kind == "number_input":
        value = w.value if w.set_value else w.default
        if w.data_type == w.INT:
            state.int_value = int(value)
        else:
            state.double_value = value
    elif kind == "text_input":
        state.string_value = w.value if w.set_value else w.default
    elif kind == "slider":
        state.double_array_value.data[:] = list(w.value) if w.set_value else list(w.default)
    else:  # buttons commit nothing until pressed; a component only when its frame calls setComponentValue
        return None
    return state


def widget_id(element: Element) -> str | None:
    kind = element.WhichOneof("type")
    if kind == "component_instance":
        return element.component_instance.id
    return getattr(getattr(element, kind), "id", None) if kind else None


def apply(page: Page, msg: ForwardMsg) -> Element | None:
    """One ForwardMsg into the page, as the front end applies it; the element it drew, if any."""
    page.received += msg.ByteSize()
    kind = msg.WhichOneof("type")
    if kind == "ref_hash":  # sent by reference: the front end has it, with this message's place
        cached = page.cache.get(msg.ref_hash)
        if cached is None:
            page.errors.append(f"a reference to message {msg.ref_hash} never received")
            return None
        full = ForwardMsg()
        full.CopyFrom(cached)
        full.metadata.CopyFrom(msg.metadata)
        msg, kind = full, "delta"
    elif msg.metadata.cacheable:
        page.cache[msg.hash] = msg
    if kind == "new_session":
        page.page_script_hash = msg.new_session.page_script_hash
        page.seen = set()
        return None
    if kind != "delta" or msg.delta.WhichOneof("type") != "new_element":
        return None
    element = msg.delta.new_element
    path = tuple(msg.metadata.delta_path)
    page.elements.pop(path, None)  # re-inserted: the dict's order is the order drawn
    page.elements[path] = element
    if element.WhichOneof("type") == "exception":
        e = element.exception
        page.errors.append(f"exception on the page: {e.type}: {e.message[:200]}")
    wid = widget_id(element)
    if wid:
        page.seen.add(wid)
        state = mount_state(element)
        was_set = bool(getattr(getattr(element, element.WhichOneof("type") or ""), "set_value", False))
        if state is not None and (wid not in page.widgets or was_set):
            page.widgets[wid] = state
    return element


def find(page: Page, kind: str, label: str | None = None) -> Any:
    """The newest element of this kind (and label) on the page, or None."""
    for element in reversed(page.elements.values()):
        if element.WhichOneof("type") == kind and (label is None or getattr(element, kind).label == label):
            return getattr(element, kind)
    return None


def is_map(element: Element) -> bool:
    return element.WhichOneof("type") == "component_instance" and element.component_instance.component_name == (
        MAP_COMPONENT
    )


def markers(component) -> list[dict]:
    """The map's markers (lat, lon, count, tooltip), read from its script as the browser would run it."""
    script = json.loads(component.json_args)["script"]
    end = script.index(MARKER_DATA_END)
    start = script.rindex("}));", 0, end) + len("}));")
    return json.loads(script[start:end])


def marker_name(marker: dict) -> str:
    """The place's name as its tooltip starts (mapview.tooltip_text): what the panel is expected to name."""
    return html.unescape(marker["tooltip"]).split(" · ")[0].split(":")[0]


class Client:
    """One front end: sends reruns as it does, reads ForwardMsgs into its Page."""

    def __init__(self, ws, query_string: str) -> None:
        self.ws = ws
        self.page = Page()
        self.query_string = query_string

    async def rerun(self, changed: WidgetState | None = None) -> None:
        """A rerun_script BackMsg: every widget's value (one of them just changed), the cached hashes."""
        if changed is not None:
            self.page.widgets[changed.id] = changed
        state = ClientState(query_string=self.query_string, page_script_hash=self.page.page_script_hash)
        state.widget_states.widgets.extend(self.page.widgets.values())
        state.cached_message_hashes.extend(self.page.cache)
        await self.ws.send(BackMsg(rerun_script=state).SerializeToString())

    async def run(self, wanted: Callable[[Element], bool], deadline: float) -> tuple[float, float]:
        """Read until the run ends; monotonic times of the first element `wanted` accepts and of the end."""
        seen_at: float | None = None
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("the run did not end before the deadline")
            msg = ForwardMsg()
            msg.ParseFromString(await _recv(self.ws, left))
            element = apply(self.page, msg)
            if element is not None and seen_at is None and wanted(element):
                seen_at = time.monotonic()
            if msg.WhichOneof("type") == "script_finished":
                status = msg.script_finished
                if status == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    continue
                if status != ForwardMsg.FINISHED_SUCCESSFULLY:
                    raise RuntimeError(f"the run ended with {ForwardMsg.ScriptFinishedStatus.Name(status)}")
                for wid in set(self.page.widgets) - self.page.seen:  # the front end drops widgets not drawn
                    del self.page.widgets[wid]
                self.page.seen = set()
                if seen_at is None:
                    raise RuntimeError("the run ended without the element waited for")
                return seen_at, time.monotonic()


async def _recv(ws, timeout: float) -> bytes:
    import asyncio

    data = await asyncio.wait_for(ws.recv(), timeout)
    if isinstance(data, str):
        raise RuntimeError("a text frame: Streamlit sends binary protobufs")
    return data


async def one_session(url: str, s, timeout: float, governorate: str, query: dict[str, str] | None = None):
    """Open, filter, click over one websocket; `s` (loadtest.Session) gets the times and errors."""
    ws_url = url.replace("http://", "ws://", 1) + "/_stcore/stream"
    query_string = urllib.parse.urlencode(query if query is not None else {"tiles": "0"})
    step = "map"
    client: Client | None = None
    try:
        async with connect(
            ws_url, subprotocols=["streamlit"], origin=url, max_size=None, open_timeout=timeout
        ) as ws:  # fmt: skip
            client = Client(ws, query_string)
            start = time.monotonic()
            await client.rerun()
            shown, finished = await client.run(is_map, start + timeout)
            s.map, s.loaded = shown - start, finished - start
            before = markers(find(client.page, "component_instance"))

            step = "filter"
            box = find(client.page, "multiselect", GOVERNORATES)
            if box is None or governorate not in box.options:
                raise LookupError(f"no {GOVERNORATES} filter offering {governorate}")
            chosen = WidgetState(id=box.id)
            chosen.string_array_value.data[:] = [governorate]
            start = time.monotonic()
            await client.rerun(chosen)
            shown, _ = await client.run(
                lambda e: is_map(e) and markers(e.component_instance) != before, start + timeout
            )
            s.filter = shown - start

            step = "click"
            component = find(client.page, "component_instance")
            # The largest marker whose place the panel does not show yet: the panel naming it proves the click.
            panel = shown_option(find(client.page, "selectbox", PANEL))
            others = [m for m in markers(component) if not panel.startswith(marker_name(m) + " (")]
            largest = max(others, key=lambda m: m["count"])
            name = marker_name(largest)
            s.clicked = name
            # streamlit-folium's frame: {returned_objects} once a marker is clicked (Leaflet's latlng, which
            # mapview.PlaceMarkers sets to the marker's own position); as JSON, like setComponentValue's.
            clicked = WidgetState(id=component.id)
            clicked.json_value = json.dumps({"last_object_clicked": {"lat": largest["lat"], "lng": largest["lon"]}})
            s.clicks = 1
            start = time.monotonic()
            await client.rerun(clicked)
            shown, _ = await client.run(lambda e: names(e, name), start + timeout)
            s.click = shown - start
            s.received_kb = round(client.page.received / 1024)
    except Exception as e:  # any failure is this session's error, the others go on
        s.errors.append(f"{step}: {type(e).__name__}: {str(e).splitlines()[0][:200] if str(e) else ''}")
    if client is not None:
        s.errors.extend(client.page.errors)
    return s


def names(element: Element, place: str) -> bool:
    """Whether this is the panel's place picker showing `place` ("Aleppo (68 mentions)")."""
    if element.WhichOneof("type") != "selectbox" or element.selectbox.label != PANEL:
        return False
    return shown_option(element.selectbox).startswith(place + " (")


def shown_option(box) -> str:
    """The option a selectbox shows: its value set from the script, else its default."""
    if box is None:
        return ""
    if box.HasField("raw_value"):
        return box.raw_value
    return box.options[box.default] if box.HasField("default") and box.options else ""

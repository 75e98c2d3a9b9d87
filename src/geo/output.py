"""Writers for `geo parse` (one record per mention) and `geo events` (one per event): JSON lines, CSV, GeoJSON.

A batch of records is rendered to text by a pure function (`render`), so that worker processes
can hand back finished output and the parent only writes it (`geo parse --jobs`). CSV text cells
that a spreadsheet would run as a formula (=, +, -, @) get a leading ' (sinks.csv_cell).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TextIO

from geo.models import EVENT_COLUMNS, RECORD_FIELDS, Event, EventRecord, Mention, Place, event_record
from geo.sinks import csv_cell

FORMATS = ("jsonl", "csv", "geojson")


def mention_row(m: Mention) -> tuple[dict, tuple[float, float]]:
    return m.record(), (m.place.lon, m.place.lat)


def event_row(e: EventRecord) -> tuple[dict, tuple[float, float]]:
    return e.record(), (e.longitude, e.latitude)


def render(items: Iterable[Any], fmt: str, columns: Sequence[str], row: Callable[[Any], tuple[dict, tuple]]) -> str:
    """The text of these records in `fmt`: JSON lines, CSV rows (no header), or GeoJSON features joined by commas."""
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=list(columns), lineterminator="\n")
        for item in items:
            record = row(item)[0]
            if "casualties" in record:
                record["casualties"] = json.dumps(record["casualties"], ensure_ascii=False)
            writer.writerow({k: csv_cell(v) for k, v in record.items()})
        return buf.getvalue()
    if fmt == "jsonl":
        return "".join(json.dumps(row(item)[0], ensure_ascii=False) + "\n" for item in items)
    features = []
    for item in items:
        record, (lon, lat) = row(item)
        feature = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]}, "properties": record}
        features.append(json.dumps(feature, ensure_ascii=False))
    return ",\n".join(features)


def render_mentions(fmt: str, result: Any) -> str:
    """A parse result's mentions as output text (a module-level function: worker processes can run it)."""
    if fmt == "jsonl":
        return mention_lines(result.mentions)
    return render(result.mentions, fmt, RECORD_FIELDS, mention_row)


_string = json.encoder.encode_basestring  # what json.dumps(..., ensure_ascii=False) writes for a str
_dumps = json.JSONEncoder(ensure_ascii=False).encode
_place_json: dict[str, tuple[Place, str]] = {}  # place id -> (the place, its fields' JSON): made once per place


def mention_lines(mentions: Sequence[Mention]) -> str:
    """`render(mentions, "jsonl", ...)`, byte for byte, with each place's fields and each event's encoded
    once, not once per mention (JSON encoding was 16% of a parse)."""
    lines = []
    names: dict[str, str] = {}  # the article's name, excerpts: shared by many mentions
    events: dict[int, str] = {}  # id(event) -> its fields' JSON; the events outlive this call
    for m in mentions:
        place = _place_fields(m.place)
        event = events.get(id(m.event))
        if event is None:
            event = events[id(m.event)] = _event_fields(m.event)
        article = names.get(m.article) or names.setdefault(m.article, _string(m.article))
        excerpt = names.get(m.excerpt) or names.setdefault(m.excerpt, _string(m.excerpt))
        event_id = "null" if m.event_id is None else _string(m.event_id)
        lines.append(
            f'{{"article": {article}, "start": {m.start!r}, "end": {m.end!r}, "text": {_string(m.text)}, '
            f'{place}, "excerpt": {excerpt}, "excerpt_start": {m.excerpt_start!r}, "reason": {_string(m.reason)}, '
            f'{event}, "event_id": {event_id}}}\n'
        )
    return "".join(lines)


def _place_fields(place: Place) -> str:
    """`"place_id": ..., ..., "in_syria": ...` of a mention's record, from the cache while the place is the same."""
    cached = _place_json.get(place.id)
    if cached is not None and cached[0] is place:
        return cached[1]
    fields = {
        "place_id": place.id,
        "name": place.name,
        "name_ar": place.name_ar,
        "kind": place.kind,
        "lat": place.lat,
        "lon": place.lon,
        "governorate": place.governorate,
        "in_syria": place.in_syria,
    }
    text = _dumps(fields)[1:-1]
    _place_json[place.id] = (place, text)
    return text


def _event_fields(event: Event | None) -> str:
    """`json.dumps(event_record(event))` without its braces, byte for byte, written field by field
    (the encoder's dict of dicts for each event was a fifth of the writing)."""
    if event is None:
        return _NO_EVENT
    e, j = event, _json
    casualties = ", ".join(
        f'{{"kind": {j(c.kind)}, "figure": {j(c.figure)}, "qualifier": {j(c.qualifier)}, "victims": {j(c.victims)}, '
        f'"subset": {j(c.subset)}, "text": {j(c.text)}, "start": {j(c.start)}}}'
        for c in e.casualties
    )
    return (
        f'"event_type": {j(e.event_type)}, "sub_event_type": {j(e.sub_event_type)}, "trigger": {j(e.trigger)}, '
        f'"killed": {j(e.killed)}, "injured": {j(e.injured)}, "casualty_text": {j(e.casualty_text)}, '
        f'"event_date": {j(e.event_date)}, "date_source": {j(e.date_source)}, '
        f'"trigger_start": {j(e.trigger_start)}, "date_text": {j(e.date_text)}, "casualties": [{casualties}], '
        f'"decided_by": {j(e.decided_by)}'
    )


_NO_EVENT = _dumps(event_record(None))[1:-1]


def _json(value: object) -> str:
    """What json.dumps(..., ensure_ascii=False) writes for one str, int, bool or None (else it is asked)."""
    if type(value) is str:
        return _string(value)
    if value is None:
        return "null"
    if type(value) is bool:
        return "true" if value else "false"
    if type(value) is int:
        return int.__repr__(value)  # as json does: an int subclass's own repr is not used
    return _dumps(value)


def render_events(fmt: str, result: Any) -> str:
    """A parse result's event records as output text."""
    return render(result.events, fmt, EVENT_COLUMNS, event_row)


class TableWriter:
    """One output stream: its header, the rendered batches in order, its closing."""

    def __init__(self, out: TextIO, fmt: str, columns: Sequence[str], row: Callable[[Any], tuple[dict, tuple]]):
        self.out, self.fmt, self.columns, self.row, self.first = out, fmt, columns, row, True
        if fmt == "csv":
            out.write(",".join(columns) + "\n")
        elif fmt == "geojson":
            out.write('{"type": "FeatureCollection", "features": [\n')

    def write(self, items: Iterable[Any]) -> None:
        self.write_rendered(render(items, self.fmt, self.columns, self.row))

    def write_rendered(self, text: str) -> None:
        if not text:
            return
        if self.fmt == "geojson" and not self.first:
            self.out.write(",\n")
        self.out.write(text)
        self.first = False

    def close(self) -> None:
        if self.fmt == "geojson":
            self.out.write("\n]}\n")
        self.out.flush()


class Writer(TableWriter):
    """`geo parse` output: one record per mention (models.RECORD_FIELDS)."""

    def __init__(self, out: TextIO, fmt: str):
        super().__init__(out, fmt, RECORD_FIELDS, mention_row)


class EventWriter(TableWriter):
    """`geo events` output: ACLED-like columns (events.records.EVENT_COLUMNS)."""

    def __init__(self, out: TextIO, fmt: str):
        super().__init__(out, fmt, EVENT_COLUMNS, event_row)

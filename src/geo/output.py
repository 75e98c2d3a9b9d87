"""Writers for `geo parse` (one record per mention) and `geo events` (one per event): JSON lines, CSV, GeoJSON.

CSV text cells that a spreadsheet would run as a formula (=, +, -, @) get a leading ' (sinks.csv_cell).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import TextIO

from geo.events.records import EVENT_COLUMNS, EventRecord
from geo.models import RECORD_FIELDS, Mention
from geo.sinks import csv_cell


class Writer:
    def __init__(self, out: TextIO, fmt: str):
        self.out, self.fmt, self.first = out, fmt, True
        if fmt == "csv":
            self.csv = csv.DictWriter(out, fieldnames=RECORD_FIELDS, lineterminator="\n")
            self.csv.writeheader()
        elif fmt == "geojson":
            out.write('{"type": "FeatureCollection", "features": [\n')

    def write(self, mentions: Iterable[Mention]) -> None:
        for m in mentions:
            record = m.record()
            if self.fmt == "jsonl":
                self.out.write(json.dumps(record, ensure_ascii=False) + "\n")
            elif self.fmt == "csv":
                record["casualties"] = json.dumps(record["casualties"], ensure_ascii=False)
                self.csv.writerow({k: csv_cell(v) for k, v in record.items()})
            else:
                feature = {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [m.place.lon, m.place.lat]},
                    "properties": record,
                }
                self.out.write(("" if self.first else ",\n") + json.dumps(feature, ensure_ascii=False))
                self.first = False

    def close(self) -> None:
        if self.fmt == "geojson":
            self.out.write("\n]}\n")
        self.out.flush()


class EventWriter:
    """`geo events` output: ACLED-like columns (events.records.EVENT_COLUMNS)."""

    def __init__(self, out: TextIO, fmt: str):
        self.out, self.fmt, self.first = out, fmt, True
        if fmt == "csv":
            self.csv = csv.DictWriter(out, fieldnames=EVENT_COLUMNS, lineterminator="\n")
            self.csv.writeheader()
        elif fmt == "geojson":
            out.write('{"type": "FeatureCollection", "features": [\n')

    def write(self, events: Iterable[EventRecord]) -> None:
        for e in events:
            record = e.record()
            if self.fmt == "jsonl":
                self.out.write(json.dumps(record, ensure_ascii=False) + "\n")
            elif self.fmt == "csv":
                self.csv.writerow({k: csv_cell(v) for k, v in record.items()})
            else:
                feature = {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [e.longitude, e.latitude]},
                    "properties": record,
                }
                self.out.write(("" if self.first else ",\n") + json.dumps(feature, ensure_ascii=False))
                self.first = False

    def close(self) -> None:
        if self.fmt == "geojson":
            self.out.write("\n]}\n")
        self.out.flush()

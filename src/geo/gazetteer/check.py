"""`geo gazetteer check`: every problem in the gazetteer files, as file:line with the fix."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from geo.errors import DataFileError, GazetteerError
from geo.events import lexicon
from geo.gazetteer import (
    ALIAS_COLUMNS,
    ANY_CASE_KINDS,
    CONTEXT_COLUMNS,
    NOT_PLACE_COLUMNS,
    PLACE_COLUMNS,
    PROMINENCE_MAX,
    build,
    parse_place,
    read_rows,
    read_word_list,
    source_files,
)
from geo.text.normalise import ARABIC_SCRIPT, alias_key

BORDER_TOLERANCE_DEG = 0.05  # about 5 km: border villages sit on the simplified outline


@dataclass(frozen=True, slots=True)
class Problem:
    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}" if self.line else f"{self.path}: {self.message}"


def _inside_ring(lon: float, lat: float, ring: list) -> bool:
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i][0], ring[i][1]
        xj, yj = ring[j][0], ring[j][1]
        if (yi > lat) != (yj > lat) and lon < (xj - xi) * (lat - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


class Outline:
    """Syria's governorates from gazetteer/syria_governorates.geojson, for point-in-polygon."""

    def __init__(self, path: Path):
        self.polygons = []
        for f in json.loads(path.read_text(encoding="utf-8"))["features"]:
            g = f["geometry"]
            name = f["properties"].get("adm1_name", "")
            for poly in g["coordinates"] if g["type"] == "MultiPolygon" else [g["coordinates"]]:
                xs = [p[0] for p in poly[0]]
                ys = [p[1] for p in poly[0]]
                self.polygons.append(((min(xs), min(ys), max(xs), max(ys)), poly, name))

    def governorate(self, lat: float, lon: float) -> str:
        """The governorate containing the point (within about 5 km of the border), '' outside Syria."""
        t = BORDER_TOLERANCE_DEG
        for dlat, dlon in ((0, 0), (t, 0), (-t, 0), (0, t), (0, -t)):
            y, x = lat + dlat, lon + dlon
            for (x0, y0, x1, y1), poly, name in self.polygons:
                if x0 <= x <= x1 and y0 <= y <= y1 and _inside_ring(x, y, poly[0]):
                    if not any(_inside_ring(x, y, hole) for hole in poly[1:]):
                        return name
        return ""

    def contains(self, lat: float, lon: float) -> bool:
        return bool(self.governorate(lat, lon))


def common_word_alias(alias: str, kind: str | None, common) -> str | None:
    """The problem with a curated alias that is an ordinary English word, or None."""
    if alias_key(alias) in common and not alias.isupper() and kind not in ANY_CASE_KINDS:
        return (
            f"alias {alias!r} is a common English word or name: it will count only when capitalised and "
            "with context; remove it, or confirm it by adding it to curated/ambiguous_names.txt"
        )
    return None


def name_ar_problem(name_ar: str) -> str | None:
    """name_ar holds the name in Arabic script, or nothing: a Latin transliteration belongs in aliases."""
    if name_ar and not ARABIC_SCRIPT.search(name_ar):
        return (
            f"name_ar {name_ar!r} is not in Arabic script: write it in Arabic, or leave it empty and add it as an alias"
        )
    return None


def check(root: Path) -> list[Problem]:
    """Validate every gazetteer file; an empty list means it is sound."""
    files = source_files(root)
    problems: list[Problem] = []

    def add(path: Path | str, line: int | None, message: str) -> None:
        problems.append(Problem(str(path), line, message))

    outline_path = root / "syria_governorates.geojson"
    outline = Outline(outline_path) if outline_path.exists() else None
    if outline is None:
        add(outline_path, None, "missing: run scripts/build_gazetteer.py to derive it")

    places: dict[str, tuple[Path, int]] = {}
    kinds: dict[str, str] = {}
    parents: list[tuple[Path, int, str]] = []
    for key in ("places", "curated_places"):
        try:
            for line, row in read_rows(files[key], PLACE_COLUMNS, required=key == "places"):
                try:
                    place = parse_place(files[key], line, row)
                except GazetteerError as e:
                    add(files[key], line, e.message)
                    continue
                if place.id in places:
                    first = places[place.id]
                    add(
                        files[key], line, f"duplicate id {place.id} (first at {first[0]}:{first[1]}): give one a new id"
                    )
                    continue
                places[place.id] = (files[key], line)
                kinds[place.id] = place.kind
                arabic = name_ar_problem(place.name_ar)
                if arabic:
                    add(files[key], line, f"{place.id}: {arabic}")
                if place.parent:
                    parents.append((files[key], line, place.parent))
                if outline and place.governorate and not outline.contains(place.lat, place.lon):
                    swapped = outline.contains(place.lon, place.lat)
                    fix = (
                        "lat and lon look swapped: exchange them"
                        if swapped
                        else (
                            "a Syrian place (governorate set) outside Syria: fix the coordinates, "
                            "or clear governorate if it is abroad"
                        )
                    )
                    add(files[key], line, f"{place.id} {place.name!r} at lat={place.lat} lon={place.lon}: {fix}")
        except GazetteerError as e:
            add(e.path, e.line, e.message)
    for path, line, parent in parents:
        if parent not in places:
            add(path, line, f"unknown parent {parent!r}: use an id from a places file, or leave parent empty")
    try:
        for line, row in read_rows(files["prominence"], ("place_id", "score", "basis"), required=False):
            if not row["score"].isdigit() or not 0 <= int(row["score"]) <= PROMINENCE_MAX:
                add(files["prominence"], line, f"score {row['score']!r}: a whole number from 0 to {PROMINENCE_MAX}")
            elif row["place_id"] not in places:
                add(files["prominence"], line, f"unknown place {row['place_id']!r}: rerun scripts/build_prominence.py")
    except GazetteerError as e:
        add(e.path, e.line, e.message)

    common = (
        read_word_list(files["common_words"]) - read_word_list(files["ambiguous"]) - read_word_list(files["generic"])
    )
    merged = {row["old_id"]: row["new_id"] for _l, row in read_rows(files["merged_ids"], ("old_id", "new_id"), False)}
    for key in ("aliases", "curated_aliases"):
        try:
            for line, row in read_rows(files[key], ALIAS_COLUMNS, required=key == "aliases"):
                if merged.get(row["place_id"], row["place_id"]) not in places:
                    add(
                        files[key],
                        line,
                        f"place_id {row['place_id']!r} is not in any places file: fix the id or add the place",
                    )
                elif not row["alias"].strip():
                    add(files[key], line, "empty alias: remove the row")
                elif key == "curated_aliases" and (
                    problem := common_word_alias(
                        row["alias"], kinds.get(merged.get(row["place_id"], row["place_id"])), common
                    )
                ):
                    add(files[key], line, problem)
        except GazetteerError as e:
            add(e.path, e.line, e.message)
    for key, columns in (("not_places", NOT_PLACE_COLUMNS), ("context_words", CONTEXT_COLUMNS)):
        try:
            for line, row in read_rows(files[key], columns, required=False):
                first = row[columns[0]]
                if not first.strip():
                    add(files[key], line, f"empty {columns[0]}: remove the row")
        except GazetteerError as e:
            add(e.path, e.line, e.message)
    if not problems:
        try:
            build(root)  # the rules and everything else the index needs must load too
        except GazetteerError as e:
            add(e.path, e.line, e.message)
    return problems


def check_lexicon(root: Path | None = None) -> list[Problem]:
    """The lexicons must load: the event word lists, the place cues and the analysts' event corrections
    (first problem of each, as file:line)."""
    from geo.events import corrections
    from geo.places.cues import load_cues  # the cues' reader lives with its users, in places/

    root = root or lexicon.default_root()
    problems = []
    loaders = (lambda: lexicon.build(root), lambda: load_cues(root / "place_cues.csv"), lambda: corrections.load(root))
    for load in loaders:
        try:
            load()
        except DataFileError as e:
            problems.append(Problem(e.path, e.line, e.message))
    return problems

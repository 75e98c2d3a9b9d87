"""What a stored parse depends on, as digests: a change re-parses only the articles it can reach.

Three levels. `parser_digest`: the engine's code, the schema and the gazetteer and lexicon files whose
rules apply to every text (spelling and phonetic rules, context words, common words, the event word
lists and coder): a change there re-parses everything. Per name: each index key of the gazetteer
(the places it may name, their coordinates, district, governorate and prominence) and each phonetic
key: a change re-parses the articles whose text contains that name, or a name of that sound. Per
article: a reviewer's place override or an analyst's event correction re-parses that article.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterable
from pathlib import Path

from geo import settings, store
from geo.gazetteer import CACHE_VERSION, Gazetteer, source_files
from geo.models import Place

SCHEMA_VERSION = "1"
# Gazetteer files that apply to every text: no per-name diff can say which articles they reach.
GLOBAL_GAZETTEER_FILES = ("common_words", "spelling_rules", "context_words", "phonetic_rules")
CORRECTIONS_FILE = "event_corrections.csv"  # per article, see corrections_by_article
PACKAGE = Path(__file__).resolve().parents[1]
ENGINE_CODE = ("pipeline.py", "models.py", "places", "events", "text", "gazetteer", "corpus/reader.py",
               "corpus/encoding.py", "results/rows.py")  # fmt: skip
# In those folders but never run by a parse: training the coder, checking, editing and looking up the gazetteer.
NOT_PARSING = ("events/training.py", "gazetteer/check.py", "gazetteer/curation.py", "gazetteer/lookup.py")


def _digest(parts: Iterable[bytes | str]) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode() if isinstance(part, str) else part)
        h.update(b"\0")
    return h.hexdigest()[:24]


def _code_files() -> list[Path]:
    out: list[Path] = []
    for item in ENGINE_CODE:
        path = PACKAGE / item
        out.extend(sorted(path.rglob("*.py")) if path.is_dir() else [path])
    return [p for p in out if p.relative_to(PACKAGE).as_posix() not in NOT_PARSING]


def parser_digest(gazetteer_root: Path, lexicon_root: Path) -> str:
    """Changes when every stored parse may be wrong: code, schema, or a file of rules for all texts."""
    parts: list[bytes | str] = [SCHEMA_VERSION, CACHE_VERSION]
    for path in _code_files():
        parts += [str(path.relative_to(PACKAGE)), path.read_bytes()]
    files = source_files(gazetteer_root)
    for name in GLOBAL_GAZETTEER_FILES:
        parts += [name, files[name].read_bytes() if files[name].exists() else b"-"]
    for path in sorted(lexicon_root.glob("*")):
        if path.is_file() and path.name != CORRECTIONS_FILE and not path.name.startswith("."):
            parts += [path.name, path.read_bytes()]
    return _digest(parts)


def _place_digests(gaz: Gazetteer) -> dict[str, str]:
    """Per place: everything about it a parse can write down (itself, its district, governorate, prominence)."""

    def text(p: Place | None) -> str:
        return repr(tuple(getattr(p, f) for f in Place.__slots__)) if p else "-"

    return {
        pid: _digest(
            [text(p), gaz.district_of(p), text(gaz.governorate_place(p.governorate)), str(gaz.prominence.get(pid))]
        )
        for pid, p in gaz.places.items()
    }


def name_digests(gaz: Gazetteer) -> tuple[dict[str, str], dict[str, str]]:
    """(index key -> digest of what it names and how, phonetic key -> digest of its places).

    Hashing the 186k keys and 430k sounds of the real gazetteer takes seconds, and every new store, every
    gazetteer edit and every test's store asked for it again: the answer is kept in the cache folder per
    gazetteer version (and per this file's code), as the index itself is.
    """
    if not gaz.version:
        return _name_digests(gaz)
    code = hashlib.sha256(Path(__file__).read_bytes() + SCHEMA_VERSION.encode()).hexdigest()[:12]
    cache = settings.cache_dir() / f"name-digests-{gaz.version}-{code}.pickle"
    found = store.load_cache(cache)
    if isinstance(found, tuple) and len(found) == 2 and all(isinstance(d, dict) for d in found):
        return found
    digests = _name_digests(gaz)
    store.save_cache(cache, digests, "name-digests-*.pickle", keep=3)
    return digests


def _name_digests(gaz: Gazetteer) -> tuple[dict[str, str], dict[str, str]]:
    places = _place_digests(gaz)
    ids = list(gaz.places)
    order = {pid: i for i, pid in enumerate(ids)}
    keys: dict[str, str] = {}
    for key, flags, major, direct, derived, cands, admin, exact in gaz.entries.raw_rows(order):
        parts = [str(flags), str(major), repr(sorted(exact))]
        for group in (direct, derived, cands, admin):
            parts.append(",".join(places[ids[i]] for i in group))
        keys[key] = _digest(parts)
    for key in gaz.not_place_keys:
        keys.setdefault(key, "not a place")
    sounds = {key: _digest(places.get(i, i) for i in found) for key, found in gaz.phonetic.items()}
    return keys, sounds


def _rows_by_article(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    grouped: dict[str, list[str]] = {}
    with open(path, encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            grouped.setdefault(row.get("article") or "", []).append(repr(sorted(row.items())))
    return {article: _digest(sorted(rows)) for article, rows in grouped.items()}


def fixes_by_article(gazetteer_root: Path, lexicon_root: Path) -> dict[str, str]:
    """Article -> digest of its reviewers' overrides and analysts' event corrections."""
    overrides = _rows_by_article(source_files(gazetteer_root)["overrides"])
    corrections = _rows_by_article(lexicon_root / CORRECTIONS_FILE)
    return {a: _digest([overrides.get(a, "-"), corrections.get(a, "-")]) for a in overrides.keys() | corrections.keys()}


def changed(old: dict[str, str], new: dict[str, str]) -> set[str]:
    """Keys added, removed, or with another digest."""
    return {k for k in old.keys() | new.keys() if old.get(k) != new.get(k)}

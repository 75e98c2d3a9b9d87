"""Curating the gazetteer from what the articles say: unmapped names, and edits that land in files.

Every edit goes to a plain CSV file under gazetteer/curated/ (reviewable in a diff), is validated
before it is written, is written atomically, and happens under a lock that also re-reads the
file: two people editing at once both land, neither overwrites the other.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from filelock import FileLock

from geo.corpus.importer import slug
from geo.errors import GazetteerError
from geo.events import lexicon
from geo.gazetteer import (
    ALIAS_COLUMNS,
    NOT_PLACE_COLUMNS,
    OVERRIDE_COLUMNS,
    PLACE_COLUMNS,
    Gazetteer,
    parse_place,
    read_rows,
    read_word_list,
    source_files,
)
from geo.gazetteer.check import Outline, common_word_alias, name_ar_problem
from geo.models import KINDS, Article, Mention
from geo.places.cues import cue_pattern, default_pattern, place_like_names
from geo.store import write_csv_atomic
from geo.text.normalise import alias_key
from geo.text.sentences import sentence_at

LOCK_TIMEOUT = 30
def lock(root: Path) -> FileLock:
    """One lock per gazetteer folder, held while a file is re-read and rewritten."""
    return FileLock(str(Path(root) / ".edit.lock"), timeout=LOCK_TIMEOUT)


# --- unmapped names ---------------------------------------------------------------------------


@dataclass
class Example:
    article: str
    start: int
    end: int
    excerpt: str
    excerpt_start: int


@dataclass
class Unmapped:
    """A name that looks like a place but is not in the gazetteer."""

    name: str
    count: int = 0
    articles: Counter = field(default_factory=Counter)
    examples: list[Example] = field(default_factory=list)
    cue: str = ""
    cue_count: int = 0  # occurrences after or before a place word ("in", "village of", "district")


MAX_EXAMPLES = 5


def unmapped_names(
    articles: list[Article], mentions: Iterable[Mention], gaz: Gazetteer, cues: dict[str, list[str]] | None = None
) -> list[Unmapped]:
    """Names that look like places (by lexicons/place_cues.csv) but matched nothing, most frequent first."""
    pattern = cue_pattern(cues) if cues else default_pattern(str(lexicon.default_root()))
    found_spans: dict[str, list[tuple[int, int]]] = {}
    for m in mentions:
        found_spans.setdefault(m.article, []).append((m.start, m.end))
    out: dict[str, Unmapped] = {}
    for article in articles:
        for like in place_like_names(article.text, article.body_start, found_spans.get(article.name, []), gaz, pattern):
            out.setdefault(alias_key(like.name), Unmapped(like.name, cue=like.cue)).cue_count += 1
    if not out:
        return []
    # Count every occurrence of a proposed name, cue or not ("Zubdiya was hit again").
    names = sorted({u.name for u in out.values()}, key=len, reverse=True)
    every = re.compile(r"(?<![\w'’-])(" + "|".join(re.escape(n) for n in names) + r")(?![\w-])")
    for article in articles:
        spans = found_spans.get(article.name, [])
        text = article.text
        for match in every.finditer(text, article.body_start):
            start, end = match.span(1)
            if any(s < end and start < e for s, e in spans):
                continue
            u = out[alias_key(match.group(1))]
            u.count += 1
            u.articles[article.name] += 1
            if len(u.examples) < MAX_EXAMPLES:
                excerpt, ex_start = sentence_at(text, start, end)
                u.examples.append(Example(article.name, start, end, excerpt, ex_start))
    return sorted((u for u in out.values() if u.count), key=lambda u: (-u.cue_count, -u.count, u.name))


# --- edits --------------------------------------------------------------------------------------


def _rows(path: Path, columns: tuple[str, ...]) -> list[dict]:
    return [row for _, row in read_rows(path, columns, required=False)]


def _append(path: Path, columns: tuple[str, ...], row: dict, duplicate_of=None) -> bool:
    """Re-read the file, append the row unless `duplicate_of(existing)` says it is there; atomic."""
    rows = _rows(path, columns)
    if duplicate_of and any(duplicate_of(r) for r in rows):
        return False
    rows.append({c: row.get(c, "") for c in columns})
    write_csv_atomic(path, columns, rows)
    return True


def add_alias(root: Path, gaz: Gazetteer, alias: str, place_id: str, note: str = "added in the dashboard") -> bool:
    """Map a spelling to an existing place; False when the alias is already there."""
    alias = " ".join(alias.split())
    if not alias_key(alias):
        raise GazetteerError(root / "curated" / "aliases.csv", None, "an alias needs letters")
    path = root / "curated" / "aliases.csv"
    if place_id not in gaz.places:
        raise GazetteerError(path, None, f"no place with id {place_id!r}")
    files = source_files(root)
    confirmed = read_word_list(files["ambiguous"]) | read_word_list(files["generic"])
    problem = common_word_alias(alias, gaz.places[place_id].kind, gaz.common_words - confirmed)
    if problem:  # the same rule `geo gazetteer check` applies to this file
        raise GazetteerError(path, None, problem)
    with lock(root):
        return _append(
            path,
            ALIAS_COLUMNS,
            {"place_id": place_id, "alias": alias, "note": note},
            lambda r: r["place_id"] == place_id and alias_key(r["alias"]) == alias_key(alias),
        )


def add_place(
    root: Path,
    gaz: Gazetteer,
    name: str,
    lat: float,
    lon: float,
    kind: str,
    name_ar: str = "",
    source: str = "added in the dashboard",
) -> str:
    """Create a place in curated/places.csv; its governorate comes from the coordinates. Returns its id."""
    path = root / "curated" / "places.csv"
    name = " ".join(name.split())
    if kind not in KINDS:
        raise GazetteerError(path, None, f"kind {kind!r} is not one of {', '.join(KINDS)}")
    arabic = name_ar_problem(name_ar.strip())
    if arabic:
        raise GazetteerError(path, None, arabic)
    governorate = governorate_at(root, lat, lon)
    if kind not in ("country", "region") and not governorate:
        raise GazetteerError(path, None, f"{lat}, {lon} is outside Syria: check the coordinates (lat, lon)")
    with lock(root):
        rows = _rows(path, PLACE_COLUMNS)
        taken = {r["id"] for r in rows} | set(gaz.places)
        base = "user:" + (slug(name) or "place")
        place_id, n = base, 2
        while place_id in taken:
            place_id, n = f"{base}-{n}", n + 1
        row = {
            "id": place_id,
            "name": name,
            "name_ar": name_ar,
            "kind": kind,
            "lat": f"{lat:.5f}",
            "lon": f"{lon:.5f}",
            "governorate": governorate,
            "parent": "",
            "population": "",
            "source": source,
        }
        parse_place(path, len(rows) + 2, row)  # the same validation as loading
        rows.append(row)
        write_csv_atomic(path, PLACE_COLUMNS, rows)
    return place_id


def add_not_place(root: Path, phrase: str, reason: str = "not a place (marked in the dashboard)") -> bool:
    """Stop a name being matched or proposed; False when it is already on the list."""
    phrase = " ".join(phrase.split())
    with lock(root):
        return _append(
            root / "curated" / "not_places.csv",
            NOT_PLACE_COLUMNS,
            {"phrase": phrase, "reason": reason},
            lambda r: alias_key(r["phrase"]) == alias_key(phrase),
        )


def add_override(root: Path, gaz: Gazetteer, mention: Mention, place_id: str, note: str = "") -> None:
    """This mention, in this article only, is `place_id` ("" = not a place here). Replaces an earlier one."""
    path = root / "curated" / "overrides.csv"
    if place_id and place_id not in gaz.places:
        raise GazetteerError(path, None, f"no place with id {place_id!r}")
    with lock(root):
        rows = [
            r
            for r in _rows(path, OVERRIDE_COLUMNS)
            if not (r["article"] == mention.article and r["start"] == str(mention.start))
        ]
        rows.append(
            {
                "article": mention.article,
                "start": str(mention.start),
                "text": mention.text,
                "place_id": place_id,
                "note": note or f"was {mention.place.id} ({mention.place.name})",
            }
        )
        write_csv_atomic(path, OVERRIDE_COLUMNS, rows)


_outlines: dict[Path, Outline] = {}


def governorate_at(root: Path, lat: float, lon: float) -> str:
    """The OCHA governorate containing the point, '' outside Syria."""
    path = Path(root) / "syria_governorates.geojson"
    outline = _outlines.get(path) or _outlines.setdefault(path, Outline(path))
    return outline.governorate(lat, lon)

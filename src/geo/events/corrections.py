"""An analyst's correction of one mention's event: applied at once, and a label for the next training.

lexicons/event_corrections.csv holds one row per corrected mention (its article and offset, the
text there, the sentence, and the event as the analyst codes it). Parsing applies a row while the
text at that offset is unchanged, with `decided_by` "analyst"; `geo events train` learns from it.
Writes take the lexicon folder's lock and replace the file atomically, as gazetteer edits do.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from geo.errors import LexiconError
from geo.events.lexicon import EVENT_TYPES, NO_EVENT
from geo.models import Event, Mention
from geo.store import folder_lock, write_csv_atomic

FILE = "event_corrections.csv"
COLUMNS = (
    "article",
    "start",
    "text",
    "sentence",
    "place_start",
    "event_type",
    "sub_event_type",
    "killed",
    "event_date",
    "note",
)


@dataclass(frozen=True, slots=True)
class Correction:
    article: str
    start: int
    text: str
    sentence: str
    place_start: int
    event_type: str  # "" or "none": not an event
    sub_event_type: str
    killed: int | None
    event_date: str
    note: str = ""

    def row(self) -> dict:
        return {c: ("" if getattr(self, c) is None else getattr(self, c)) for c in COLUMNS}

    def applied_to(self, event: Event | None) -> Event:
        base = event or Event(None, None, "", None, 0, 0, (), None, "", "")
        if self.event_type in ("", NO_EVENT):
            return base._replace(event_type=None, sub_event_type=None, decided_by="analyst", certain=True)
        return base._replace(
            event_type=self.event_type,
            sub_event_type=self.sub_event_type,
            killed=self.killed if self.killed is not None else base.killed,
            event_date=self.event_date or base.event_date,
            decided_by="analyst",
            certain=True,
        )


def load(root: Path) -> dict[tuple[str, int], Correction]:
    """The corrections in lexicon folder `root`, by (article, offset); a broken row names its line."""
    path = root / FILE
    if not path.exists():
        return {}
    out = {}
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        missing = [c for c in ("article", "start", "text", "event_type") if c not in (reader.fieldnames or [])]
        if missing:
            raise LexiconError(path, 1, f"missing column(s) {', '.join(missing)}; expected {','.join(COLUMNS)}")
        for line, r in enumerate(reader, start=2):
            try:
                c = Correction(
                    r["article"],
                    int(r["start"]),
                    r["text"],
                    r.get("sentence") or "",
                    int(r.get("place_start") or 0),
                    (r["event_type"] or "").strip(),
                    (r.get("sub_event_type") or "").strip(),
                    int(r["killed"]) if (r.get("killed") or "").strip() else None,
                    (r.get("event_date") or "").strip(),
                    r.get("note") or "",
                )
            except ValueError as e:
                raise LexiconError(path, line, f"not a whole number: {e}") from None
            problem = check(c)
            if problem:
                raise LexiconError(path, line, problem)
            out[(c.article, c.start)] = c
    return out


@lru_cache(maxsize=4)
def _cached(root: Path, stamp: int) -> dict[tuple[str, int], Correction]:
    return load(root)


def current(root: Path) -> dict[tuple[str, int], Correction]:
    """`load(root)`, read again only when the file changed (asked once per article: only the stat is new)."""
    path = _paths.get(root)
    if path is None:
        path = _paths[root] = root / FILE
    try:
        stamp = os.stat(path).st_mtime_ns
    except FileNotFoundError:
        return {}
    return _cached(root, stamp)


_paths: dict[Path, Path] = {}


def check(c: Correction) -> str | None:
    if c.event_type in ("", NO_EVENT):
        return None
    if c.sub_event_type not in EVENT_TYPES.get(c.event_type, ()):
        return f"'{c.event_type}' / '{c.sub_event_type}' is not an ACLED event type and sub-event type"
    if c.killed is not None and c.killed < 0:
        return "killed cannot be negative"
    return None


def apply(
    mentions: list[Mention], corrections: dict[tuple[str, int], Correction], original_offset: Callable[[int], int] = int
) -> list[Mention]:
    """Mentions with the analysts' corrections applied (while the text at the offset is unchanged).
    `original_offset`: to the offsets of the file as written, when the mentions index a squeezed copy."""
    if not corrections:
        return mentions
    out = []
    for m in mentions:
        c = corrections.get((m.article, original_offset(m.start)))
        out.append(m if c is None or c.text != m.text else _corrected(m, c))
    return out


def _corrected(m: Mention, c: Correction) -> Mention:
    return replace(m, event=c.applied_to(m.event))


def save(root: Path, correction: Correction) -> None:
    """Add or replace the correction of one mention, under the folder's lock, atomically."""
    problem = check(correction)
    if problem:
        raise ValueError(problem)
    with folder_lock(root):
        rows = {key: c.row() for key, c in load(root).items()}
        rows[(correction.article, correction.start)] = correction.row()
        write_csv_atomic(root / FILE, COLUMNS, [rows[k] for k in sorted(rows)])


def correction_for(
    m: Mention, event_type: str, sub_event_type: str, killed: int | None, event_date: str, note: str = ""
) -> Correction:
    """The correction row of mention `m` as the analyst codes it."""
    return Correction(
        m.article,
        m.start,
        m.text,
        m.excerpt,
        m.start - m.excerpt_start,
        event_type,
        sub_event_type,
        killed,
        event_date,
        note,
    )

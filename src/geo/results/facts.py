"""The dashboard's table of mention facts, kept in the store beside `mentions` by every sync.

A filter change selects the mentions in view and counts them: with only `mentions` that meant joining
`articles` (for the publication date), building each mention's event key and numbering every row in
corpus order, on every change (0.25 s of CPU at 10,000 articles, half of it the numbering). `facts`
holds those columns made once, when the article is parsed: one narrow row per mention, no excerpt, no
casualty JSON, so that a filter is a scan of it. Corpus order is (file, ord), compared as it is.

It is derived: `refresh` remakes the rows of the files a sync parsed or deleted, and all of them when
the store's meta row `facts` is not VERSION (a new store, a store a geo without this table wrote to:
that geo rewrites `meta` without the row, so its edits are never read as current here).
"""

from __future__ import annotations

import duckdb

VERSION = "1"  # of the columns below and of EKEY: a change remakes every row on the next sync
_SEP = "\x1f"
# summary.event_key in SQL: the event record, else (article, place, type, date); NULL: no event.
EKEY = (
    "CASE WHEN m.event_type IS NULL THEN NULL WHEN m.event_id IS NOT NULL THEN m.event_id "
    f"ELSE concat_ws('{_SEP}', m.article, m.place_id, m.event_type, coalesce(m.event_date, '')) END"
)
COLUMNS = {
    "file": ("VARCHAR", "m.file"),
    "ord": ("BIGINT", "m.ord"),
    "article": ("VARCHAR", "m.article"),
    "start": ("BIGINT", "m.start"),
    "place_id": ("VARCHAR", "m.place_id"),
    "name": ("VARCHAR", "m.name"),
    "name_ar": ("VARCHAR", "m.name_ar"),
    "kind": ("VARCHAR", "m.kind"),
    "lat": ("DOUBLE", "m.lat"),
    "lon": ("DOUBLE", "m.lon"),
    "governorate": ("VARCHAR", "m.governorate"),
    "in_syria": ("BOOLEAN", "m.in_syria"),
    "text": ("VARCHAR", "m.text"),  # the name as written: what "Find a place" also searches
    "event_type": ("VARCHAR", "m.event_type"),
    "day": ("DATE", "m.day"),  # the event date: the timeline's
    "published": ("DATE", "a.published"),
    "dated": ("DATE", "coalesce(m.day, a.published)"),  # the date a date range filters by
    "ekey": ("VARCHAR", EKEY),
    "toll": ("BOOLEAN", "m.casualties <> '[]'"),
}
CREATE = "CREATE TABLE IF NOT EXISTS facts (" + ", ".join(f'"{c}" {t}' for c, (t, _) in COLUMNS.items()) + ")"
_SELECT = "SELECT " + ", ".join(f'{sql} AS "{c}"' for c, (_, sql) in COLUMNS.items())
_SELECT += " FROM mentions m JOIN articles a USING (file)"


def refresh(con: duckdb.DuckDBPyConnection, files: list[str] | None) -> None:
    """Remake the facts of `files` (their mentions as they are now; a deleted file's go), or of every file
    when `files` is None. Run inside the sync's transaction, after its mentions are written."""
    con.execute(CREATE)
    if files is None:
        con.execute("DELETE FROM facts")
        con.execute(f"INSERT INTO facts {_SELECT} ORDER BY m.file, m.ord")
    elif files:
        con.execute("DELETE FROM facts WHERE list_contains(?, file)", [files])
        con.execute(f"INSERT INTO facts {_SELECT} WHERE list_contains(?, m.file) ORDER BY m.file, m.ord", [files])

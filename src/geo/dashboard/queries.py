"""The dashboard's numbers as SQL over the store (results/database.py): one aggregated row per place.

Each function answers what explore.filter_mentions and summary.summarise answer over a list of
mentions, with the same rules (tests/test_dashboard_queries.py holds them equal on the seed
articles), without loading every mention: filters are a WHERE clause, counts are GROUP BYs, and
only the excerpts a person reads become Mention objects.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from geo.corpus.reader import read_article
from geo.dashboard.explore import Corpus, Filters
from geo.dashboard.mapview import POPUP_ARTICLES, kind_group
from geo.errors import ArticleError
from geo.gazetteer import Gazetteer
from geo.models import KINDS, Article, Casualty, Event, Mention, Place
from geo.summary import NO_EVENT_LABEL, TIMELINE_FROM_QUANTILE, PlaceSummary, Timeline, period_start, time_unit

Con = duckdb.DuckDBPyConnection
# The mentions' columns a filter and its counts read, from the store's `facts` (results/facts.py: made at
# sync time, no join, no numbering per filter change); corpus order is (file, ord), as a struct: FIRST.
_BASE = """
    SELECT m.file, m.ord, m.article, m.place_id, m.name, m.governorate, m.day,
           coalesce(m.event_type, $no_event) AS label, m.ekey
    FROM facts m
"""  # a place's other columns come from the gazetteer, else from `facts` (place_details)
FIRST = "{'f': file, 'o': ord}"  # min(FIRST): the first in corpus order


def _where(f: Filters, dates: bool = True) -> tuple[str, dict[str, Any]]:
    """The row filters of explore.filter_mentions as a WHERE clause and its parameters."""
    conds: list[str] = []
    params: dict[str, Any] = {"no_event": NO_EVENT_LABEL}
    if f.articles:
        conds.append("list_contains($articles, m.article)")
        params["articles"] = list(f.articles)
    if f.event_types:
        conds.append("list_contains($event_types, coalesce(m.event_type, $no_event))")
        params["event_types"] = list(f.event_types)
    if dates and (f.start or f.end):
        day = "m.dated"
        if f.start:
            conds.append(f"{day} >= $start")
            params["start"] = f.start
        if f.end:
            conds.append(f"{day} <= $end")
            params["end"] = f.end
        conds.append(f"{day} IS NOT NULL")
    if not f.abroad:
        conds.append("m.in_syria")
    if f.governorates:
        conds.append("list_contains($governorates, m.governorate)")
        params["governorates"] = list(f.governorates)
    if f.kinds:
        conds.append("list_contains($kinds, m.kind)")
        params["kinds"] = [k for k in KINDS if kind_group(k) in f.kinds] + [k for k in f.kinds if k not in KINDS]
    needle = f.search.strip().lower()
    if needle:
        conds.append(
            "(contains(lower(m.name), $needle) OR contains(lower(m.text), $needle) OR contains(m.name_ar, $q))"
        )
        params["needle"], params["q"] = needle, f.search.strip().lower()
    return (" WHERE " + " AND ".join(conds)) if conds else "", params


_PARAM = re.compile(r"\$([a-z_]+)")


def _run(con: Con, sql: str, params: dict[str, Any]) -> duckdb.DuckDBPyConnection:
    """Execute with the parameters the statement names (DuckDB refuses others)."""
    used = set(_PARAM.findall(sql))
    return con.execute(sql, {k: v for k, v in params.items() if k in used})


def _count(f: Filters) -> str:
    return "count(DISTINCT ekey)" if f.distinct else "count(*)"


def _view(f: Filters, dates: bool = True) -> tuple[str, dict[str, Any]]:
    """WITH base (mentions passing the filters) and kept (of places counted at least f.min_mentions)."""
    where, params = _where(f, dates)
    sql = f"WITH base AS ({_BASE} {where}), "
    if f.min_mentions > 1:
        sql += (
            f"counted AS (SELECT place_id FROM base GROUP BY place_id HAVING {_count(f)} >= $min), "
            "kept AS (SELECT * FROM base WHERE place_id IN (SELECT place_id FROM counted)) "
        )
        params["min"] = f.min_mentions
    else:
        sql += "kept AS (SELECT * FROM base) "
    return sql, params


class View:
    """The mentions in view, made once per filter change into a temporary table every query then reads.

    `dates=False`: the same filters over the whole time span (what the timeline shows). Use one View per
    connection or cursor at a time (temporary tables belong to their connection), and close it.
    """

    _ids = itertools.count()

    def __init__(self, con: Con, f: Filters, dates: bool = True):
        self.con, self.f = con, f
        self.table = f"geo_view_{next(View._ids)}"
        sql, params = _view(f, dates)
        _run(con, f"CREATE OR REPLACE TEMP TABLE {self.table} AS {sql} SELECT * FROM kept", params)

    def run(self, sql: str, params: dict[str, Any] | None = None) -> duckdb.DuckDBPyConnection:
        return _run(self.con, _KEPT.sub(self.table, sql), params or {})

    def close(self) -> None:
        self.con.execute(f"DROP TABLE IF EXISTS {self.table}")

    def __enter__(self) -> View:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_KEPT = re.compile(r"\bkept\b")


@dataclass
class PlaceRow:
    """One place on the map: what summary.PlaceSummary says of it, counted by the store."""

    place: Place
    n_mentions: int
    n_events: int
    distinct: bool
    by_type: dict[str, tuple[int, int]] = field(default_factory=dict)  # label -> (mentions, events), first seen first
    top_articles: list[tuple[str, int]] = field(default_factory=list)  # the articles naming it most, by the rule
    n_articles: int = 0  # articles that name it (with an event there, when counting distinct events)

    @property
    def count(self) -> int:
        return self.n_events if self.distinct else self.n_mentions

    def event_counts(self) -> Counter[str]:
        if self.distinct:
            return Counter({t: e for t, (_, e) in self.by_type.items() if t != NO_EVENT_LABEL and e})
        return Counter({t: n for t, (n, _) in self.by_type.items()})

    def per_article(self) -> Counter[str]:
        return Counter(dict(self.top_articles))

    @property
    def dominant_event(self) -> str:
        counts = Counter({t: e for t, (_, e) in self.by_type.items() if t != NO_EVENT_LABEL and e})
        return counts.most_common(1)[0][0] if counts else NO_EVENT_LABEL


def _place(row: Sequence[Any], gaz: Gazetteer | None) -> Place:
    """The gazetteer's place of this id (parent, population and source included), else one from the record."""
    pid, name, name_ar, kind, lat, lon, governorate, in_syria = row
    known = gaz.places.get(pid) if gaz is not None else None
    return known or Place(pid, name, name_ar, kind, lat, lon, governorate, "", 0, "", bool(in_syria))


_PLACE_COLS = "place_id, name, name_ar, kind, lat, lon, governorate, in_syria"


def place_details(con: Con, ids: list[str], gaz: Gazetteer | None) -> dict[str, Place]:
    """The places of these ids: the gazetteer's, else as a mention recorded them (a place since removed)."""
    known = gaz.places if gaz is not None else {}
    out = {pid: known[pid] for pid in ids if pid in known}
    missing = [pid for pid in ids if pid not in out]
    if missing:
        found = _run(
            con,
            f"SELECT {', '.join(f'any_value({c})' for c in _PLACE_COLS.split(', '))} FROM facts "
            "WHERE list_contains($ids, place_id) GROUP BY place_id",
            {"ids": missing},
        ).fetchall()
        out |= {r[0]: _place(r, None) for r in found}
    return out


def place_rows(v: View, gaz: Gazetteer | None = None) -> list[PlaceRow]:
    """summary.summarise(explore.filter_mentions(...)) as rows: most counted first, then by name."""
    f = v.f
    counted = v.run("SELECT place_id, count(*), count(DISTINCT ekey) FROM kept GROUP BY place_id").fetchall()
    counted = [r for r in counted if (r[2] if f.distinct else r[1])]
    places = place_details(v.con, [r[0] for r in counted], gaz)
    rows = {pid: PlaceRow(places[pid], n, e, f.distinct) for pid, n, e in counted}
    types = v.run(
        "SELECT place_id, label, count(*), count(DISTINCT ekey) FROM kept "
        f"GROUP BY place_id, label ORDER BY place_id, min({FIRST})",  # the struct ordered by, not fetched
    ).fetchall()
    for pid, label, n, e in types:
        if pid in rows:
            rows[pid].by_type[label] = (n, e)
    top = v.run(
        f"SELECT place_id, article, n, total FROM (SELECT place_id, article, {_count(f)} AS n, min({FIRST}) AS first, "
        "row_number() OVER (PARTITION BY place_id ORDER BY n DESC, first) AS r, "
        "count(*) OVER (PARTITION BY place_id) AS total FROM kept "
        + ("WHERE ekey IS NOT NULL " if f.distinct else "")
        + "GROUP BY place_id, article) WHERE r <= $top ORDER BY place_id, r",
        {"top": POPUP_ARTICLES},
    ).fetchall()
    for pid, article, n, total in top:
        if pid in rows:
            rows[pid].top_articles.append((article, n))
            rows[pid].n_articles = total
    return sorted(rows.values(), key=lambda s: (-s.count, s.place.name))


def governorate_counts(v: View) -> Counter[str]:
    """Mentions per governorate of the places on the map (summary.governorate_counts over the summaries)."""
    f = v.f
    shown = f"{_count(f)} > 0" if f.distinct else "true"
    found = v.run(
        f"SELECT governorate, count(*) FROM kept WHERE governorate <> '' AND place_id IN "
        f"(SELECT place_id FROM kept GROUP BY place_id HAVING {shown}) GROUP BY governorate",
    ).fetchall()
    return Counter(dict(found))


@dataclass(frozen=True)
class Totals:
    articles: int  # articles with a mention in the view
    mentions: int
    events: int
    places: int  # places on the map (by the counting rule)


def totals(v: View) -> Totals:
    f = v.f
    a, n, e = v.run("SELECT count(DISTINCT article), count(*), count(DISTINCT ekey) FROM kept").fetchone() or (0, 0, 0)
    places = v.run(
        f"SELECT count(*) FROM (SELECT place_id FROM kept GROUP BY place_id HAVING {_count(f)} > 0)"
    ).fetchone()
    return Totals(a, n, e, places[0] if places else 0)


_PERIOD = {"day": "day"} | {unit: f"CAST(date_trunc('{unit}', day) AS DATE)" for unit in ("week", "month", "year")}


def timeline(v: View) -> Timeline:
    """summary.timeline over the view without its date range: per period and event type, by event date."""
    f = v.f
    n, first, last = v.run("SELECT count(day), min(day), max(day) FROM kept").fetchone() or (0, None, None)
    if not n:
        return Timeline("day", [], None, None)
    at = int(TIMELINE_FROM_QUANTILE * (n - 1))
    found = v.run("SELECT day FROM kept WHERE day IS NOT NULL ORDER BY day LIMIT 1 OFFSET $at", {"at": at}).fetchone()
    assert found is not None
    shown_from = found[0]
    unit = time_unit(shown_from, last)
    shown_from = period_start(shown_from, unit)
    period = _PERIOD[unit]
    if f.distinct:
        grouped = (
            f"SELECT {period} AS period, label, count(*) AS n FROM (SELECT arg_min(day, {FIRST}) AS day, "
            f"arg_min(label, {FIRST}) AS label FROM kept WHERE day IS NOT NULL AND ekey IS NOT NULL GROUP BY ekey) "
            "GROUP BY period, label"
        )
    else:
        grouped = (
            f"SELECT {period} AS period, label, count(*) AS n FROM kept WHERE day IS NOT NULL GROUP BY period, label"
        )
    counts = v.run(grouped + " ORDER BY period, label").fetchall()
    rows = [{"period": p, "event type": t, "count": c} for p, t, c in counts if p >= shown_from]
    left_out = sum(c for p, _, c in counts if p < shown_from)
    return Timeline(unit, rows, first, last, shown_from, left_out)


def _event(r: dict) -> Event | None:
    if r["decided_by"] is None:
        return None
    casualties = tuple(
        Casualty(
            c["kind"],
            c["figure"],
            c["qualifier"],
            c["victims"],
            c["subset"],
            c["start"],
            c["start"] + len(c["text"]),
            c["text"],
        )  # fmt: skip
        for c in json.loads(r["casualties"] or "[]")
    )
    return Event(
        r["event_type"], r["sub_event_type"], r["trigger"], r["trigger_start"], r["killed"], r["injured"],
        casualties, r["event_date"], r["date_source"], r["date_text"], r["decided_by"],
    )  # fmt: skip


_MENTION_COLS = (
    'article, start, "end", text, place_id, name, name_ar, kind, lat, lon, governorate, in_syria, reason, excerpt, '
    "excerpt_start, event_type, sub_event_type, trigger, trigger_start, killed, injured, casualties, event_date, "
    "date_source, date_text, decided_by, event_id"
)
_M_COLS = ", ".join(f"m.{c.strip()}" for c in _MENTION_COLS.split(","))  # the same, from `mentions m`


def _mentions(cursor: duckdb.DuckDBPyConnection, gaz: Gazetteer | None) -> list[Mention]:
    """Mention objects from rows of _MENTION_COLS."""
    names = [d[0] for d in cursor.description]
    places: dict[str, Place] = {}
    out = []
    for values in cursor.fetchall():
        r = dict(zip(names, values, strict=True))
        place = places.get(r["place_id"])
        if place is None:
            place = places[r["place_id"]] = _place([r[c] for c in _PLACE_COLS.split(", ")], gaz)
        out.append(Mention(r["article"], r["start"], r["end"], r["text"], place, r["reason"], r["excerpt"],
                           r["excerpt_start"], _event(r), r["event_id"]))  # fmt: skip
    return out


def mentions(v: View, gaz: Gazetteer | None = None) -> list[Mention]:
    """Every mention in the view, in corpus order (explore.filter_mentions): for the downloads."""
    found = v.run(f"SELECT {_M_COLS} FROM kept k JOIN mentions m USING (file, ord) ORDER BY k.file, k.ord")
    return _mentions(found, gaz)


def _place_where(f: Filters) -> tuple[str, dict[str, Any]]:
    where, params = _where(f)
    return (where + " AND " if where else " WHERE ") + "m.place_id = $place", params


def place_excerpts(
    con: Con, f: Filters, place_id: str, limit: int, gaz: Gazetteer | None = None
) -> tuple[list[Mention], int]:
    """The first `limit` mentions of a place on the map, newest article first (explore.newest_first), and how
    many there are. No view table: a place on the map passes the minimum count, so its rows are those the
    row filters keep; one indexed query a session runs on its own."""
    where, params = _place_where(f)
    params |= {"place": place_id, "limit": limit}
    found = _mentions(
        _run(
            con,
            f"WITH p AS (SELECT file, ord, published, article, start FROM facts m {where} "
            "ORDER BY published DESC NULLS LAST, article, start LIMIT $limit) "
            f"SELECT {_M_COLS} FROM p JOIN mentions m USING (file, ord) "
            "ORDER BY p.published DESC NULLS LAST, p.article, p.start",
            params,
        ),
        gaz,
    )
    total = _run(con, f"SELECT count(*) FROM facts m {where}", params).fetchone()
    return found, total[0] if total else 0


def excerpts(v: View, place_id: str, limit: int, gaz: Gazetteer | None = None) -> tuple[list[Mention], int]:
    """place_excerpts with the view's filters."""
    return place_excerpts(v.con, v.f, place_id, limit, gaz)


_TOLL_EVENTS = (
    "WITH p AS (SELECT file, ord, ekey, toll FROM facts m {where}), "  # {where}: _place_where's clause
    f"e AS (SELECT ekey, min({FIRST}) AS first FROM p WHERE ekey IS NOT NULL GROUP BY ekey HAVING bool_or(toll)) "
)


def place_casualties(
    con: Con, f: Filters, row: PlaceRow, gaz: Gazetteer | None = None, events: int | None = None
) -> PlaceSummary:
    """The place's events that state a toll (the first `events` of them, in order of first report), with all
    their mentions: for explore.casualty_rows (no view table). "Syria" at 10,000 articles has 1,500 such
    events and 3,600 mentions: the panel reads a page of them."""
    where, params = _place_where(f)
    params |= {"place": row.place.id, "events": events}
    shown = "SELECT ekey FROM e" + (" ORDER BY first LIMIT $events" if events is not None else "")
    found = _mentions(
        _run(
            con,
            _TOLL_EVENTS.replace("{where}", where) + f"SELECT {_M_COLS} FROM p JOIN mentions m USING (file, ord) "
            f"WHERE p.ekey IN ({shown}) ORDER BY m.file, m.ord",
            params,
        ),
        gaz,
    )
    return PlaceSummary(row.place, found, f.distinct)


def place_toll_count(con: Con, f: Filters, place_id: str) -> int:
    """How many events at the place state a toll (place_casualties without a limit finds them all)."""
    where, params = _place_where(f)
    params["place"] = place_id
    found = _run(con, _TOLL_EVENTS.replace("{where}", where) + "SELECT count(*) FROM e", params).fetchone()
    return found[0] if found else 0


def casualty_summary(v: View, row: PlaceRow, gaz: Gazetteer | None = None) -> PlaceSummary:
    """place_casualties with the view's filters."""
    return place_casualties(v.con, v.f, row, gaz)


def article_table(v: View) -> list[dict]:
    """explore.article_table: one row per article in the view, its places by mentions."""
    found = v.run(
        "SELECT a.title, a.date, a.source, t.n, t.places FROM (SELECT file, sum(n) AS n, "
        "string_agg(name || ' (' || n || ')', ', ' ORDER BY n DESC, name) AS places FROM "
        "(SELECT file, place_id, any_value(name) AS name, count(*) AS n FROM kept GROUP BY file, place_id) "
        "GROUP BY file) t JOIN articles a USING (file)",  # an article is a file: joined once, after counting
    ).fetchall()
    rows = [
        {"article": title, "date": date or "", "source": source or "", "mentions": int(n), "places": places}
        for title, date, source, n, places in found
    ]
    return sorted(rows, key=lambda r: r["article"].lower())


def place_table(v: View, rows: list[PlaceRow], titles: dict[str, str], many: int = 30) -> list[dict]:
    """explore.place_table: a column per article up to `many` articles in the view, else their number."""
    f = v.f
    articles = v.run("SELECT count(DISTINCT article) FROM kept").fetchone()
    wide = (articles[0] if articles else 0) <= many
    by_place: dict[str, dict[str, int]] = {}
    if wide:  # else each row says how many articles name the place: place_rows counted them (n_articles)
        per = v.run(
            f"SELECT place_id, article, {_count(f)} AS n FROM kept "
            + ("WHERE ekey IS NOT NULL " if f.distinct else "")
            + f"GROUP BY place_id, article ORDER BY place_id, min({FIRST})",
        ).fetchall()
        for pid, article, n in per:
            by_place.setdefault(pid, {})[article] = n
    out = []
    for s in rows:
        row: dict[str, Any] = {
            "place": s.place.name,
            "arabic": s.place.name_ar,
            "kind": s.place.kind,
            "governorate": s.place.governorate,
            "mentions": s.n_mentions,
            "events": s.n_events,
            "main event": s.dominant_event,
        }
        if wide:
            for article, n in by_place.get(s.place.id, {}).items():
                row[titles.get(article, article)] = n
        else:
            row["articles"] = s.n_articles
        out.append(row)
    return out


def titles(con: Con) -> dict[str, str]:
    """Article file name -> title, for every article read (the filter's choices)."""
    return dict(con.execute("SELECT name, title FROM articles WHERE error IS NULL ORDER BY file").fetchall())


def governorates(con: Con) -> list[str]:
    return [
        r[0]
        for r in con.execute("SELECT DISTINCT governorate FROM mentions WHERE governorate <> '' ORDER BY 1").fetchall()
    ]


def articles(con: Con) -> dict[str, Article]:
    """The articles read, without their text (the files have it): title, date, metadata for tables and exports."""
    found = con.execute("SELECT file, name, meta, body_start FROM articles WHERE error IS NULL ORDER BY file")
    return {
        name: Article(file, name, "", body_start or 0, json.loads(meta or "{}"))
        for file, name, meta, body_start in found.fetchall()
    }


def article_mentions(con: Con, name: str, gaz: Gazetteer | None = None, limit: int | None = None) -> list[Mention]:
    """Every mention of one article (the first `limit`), in text order: the "Read an article" tab marks them."""
    sql = f"SELECT {_MENTION_COLS} FROM mentions WHERE article = $name ORDER BY file, ord"
    if limit is not None:
        sql += " LIMIT $limit"
    return _mentions(_run(con, sql, {"name": name, "limit": limit}), gaz)


def article_mention_count(con: Con, name: str) -> int:
    found = con.execute("SELECT count(*) FROM mentions WHERE article = $name", {"name": name}).fetchone()
    return found[0] if found else 0


def corpus(con: Con, folder: Path, gaz: Gazetteer | None = None) -> Corpus:
    """The whole corpus as explore.Corpus (texts read from the files, mentions from the store): for the
    curation view, which reads every text for names the gazetteer lacks. A file gone since is left out."""
    read = []
    for (file,) in con.execute("SELECT file FROM articles WHERE error IS NULL ORDER BY file").fetchall():
        try:
            read.append(read_article(folder / file, folder))
        except ArticleError:
            continue
    found = _mentions(_run(con, f"SELECT {_MENTION_COLS} FROM mentions ORDER BY file, ord", {}), gaz)
    errors, warnings = problems(con)
    return Corpus(read, found, errors, warnings)


def problems(con: Con) -> tuple[list[str], list[str]]:
    """(errors of unreadable articles, warnings of articles read with something to check)."""
    errors = [r[0] for r in con.execute("SELECT error FROM articles WHERE error IS NOT NULL ORDER BY file").fetchall()]
    warnings: list[str] = []
    for (found,) in con.execute("SELECT warnings FROM articles WHERE warnings <> '[]' ORDER BY file").fetchall():
        warnings.extend(json.loads(found))
    return errors, warnings


def date_bounds(con: Con) -> tuple[dt.date | None, dt.date | None]:
    found = con.execute("SELECT min(day), max(day) FROM mentions").fetchone()
    return (found[0], found[1]) if found else (None, None)


@dataclass(frozen=True)
class Snapshot:
    """What the map page shows for one set of filters, the same for every session: made once, then shared.

    `timeline` is over the filters without their date range (what the chart shows); the rest is over them."""

    filters: Filters
    rows: list[PlaceRow]
    totals: Totals
    governorates: Counter[str]
    timeline: Timeline | None  # None: the filters have a date range (see timeline_of)
    place_table: list[dict]
    article_table: list[dict]


def snapshot(con: Con, f: Filters, titles: dict[str, str], gaz: Gazetteer | None = None) -> Snapshot:
    """Every aggregate of the page over one view table (made and dropped here, on `con`).

    Without a date range the timeline's view is this one: one table per filter change, not two."""
    with View(con, f) as v:
        rows = place_rows(v, gaz)
        line = None if f.start or f.end else timeline(v)
        return Snapshot(f, rows, totals(v), governorate_counts(v), line, place_table(v, rows, titles), article_table(v))


def timeline_of(con: Con, f: Filters) -> Timeline:
    """The timeline over the filters without their date range (its own view table)."""
    with View(con, f, dates=False) as v:
        return timeline(v)

"""The dashboard's SQL (geo.dashboard.queries) against the in-memory results (explore + summary) on the seed
articles: the same places, counts, event types, timeline, excerpts and tables, under every filter."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from geo import summary
from geo.dashboard import explore, mapview, queries
from geo.results import database

ROOT = Path(__file__).resolve().parent.parent

FILTERS = [
    explore.Filters(),
    explore.Filters(distinct=True),
    explore.Filters(abroad=True),
    explore.Filters(abroad=True, distinct=True, min_mentions=2),
    explore.Filters(min_mentions=3),
    explore.Filters(event_types=["Battles", summary.NO_EVENT_LABEL]),
    explore.Filters(event_types=["Explosions/Remote violence"], distinct=True),
    explore.Filters(governorates=["Aleppo", "Idleb"], kinds=["city", "town/village"]),
    explore.Filters(search="alep"),
    explore.Filters(start=dt.date(2016, 1, 1), end=dt.date(2016, 12, 31), abroad=True),
    explore.Filters(start=dt.date(2013, 1, 1), distinct=True),
]


@pytest.fixture(scope="module")
def seed(gaz, tmp_path_factory):
    path = tmp_path_factory.mktemp("store") / "articles.duckdb"
    database.sync(ROOT / "articles", gaz, path)
    con = duckdb.connect(str(path))  # temporary tables: a View writes
    yield explore.load_corpus(ROOT / "articles", gaz), con
    con.close()


def records(mentions) -> list[dict]:
    """What a mention says (`geo parse`'s record): Event.certain, the rules' own note, is not stored."""
    return [m.record() for m in mentions]


def ids(f: explore.Filters) -> str:
    return repr({k: v for k, v in vars(f).items() if v not in ([], None, "", False, 1)})


@pytest.mark.parametrize("f", FILTERS, ids=ids)
def test_places_and_counts_equal_the_in_memory_summary(seed, gaz, f):
    corpus, con = seed
    mentions = explore.filter_mentions(corpus, f)
    expected = summary.summarise(mentions, f.distinct)
    v = queries.View(con, f)
    rows = queries.place_rows(v, gaz)
    assert [(s.place.id, s.count) for s in rows] == [(s.place.id, s.count) for s in expected]
    assert expected or f.event_types or f.search  # the seed articles give every filter something to count
    for got, want in zip(rows, expected, strict=True):
        assert got.place == want.place
        assert (got.n_mentions, got.n_events) == (len(want.mentions), len(want.events))
        assert got.event_counts().most_common() == want.event_counts().most_common()
        assert got.dominant_event == want.dominant_event
        assert got.per_article().most_common() == want.per_article().most_common(5)
        assert got.n_articles == len(want.per_article())
        assert mapview.popup_html(got, corpus.titles()) == mapview.popup_html(want, corpus.titles())
        assert mapview.tooltip_text(got) == mapview.tooltip_text(want)
    t = queries.totals(v)
    assert (t.articles, t.mentions, t.events, t.places) == (
        len({m.article for m in mentions}),
        len(mentions),
        len(summary.distinct_events(mentions)),
        len(expected),
    )
    assert queries.governorate_counts(v) == summary.governorate_counts(m for s in expected for m in s.mentions)


@pytest.mark.parametrize("f", FILTERS, ids=ids)
def test_timeline_equals(seed, f):
    corpus, con = seed
    assert queries.timeline(queries.View(con, f, dates=False)) == summary.timeline(
        explore.filter_mentions(corpus, f.without_dates()), f.distinct
    )


@pytest.mark.parametrize("f", FILTERS[:4], ids=ids)
def test_excerpts_casualties_and_tables_equal(seed, gaz, f):
    corpus, con = seed
    mentions = explore.filter_mentions(corpus, f)
    expected = summary.summarise(mentions, f.distinct)
    titles = corpus.titles()
    v = queries.View(con, f)
    assert queries.titles(con) == titles
    assert queries.governorates(con) == sorted({m.place.governorate for m in corpus.mentions if m.place.governorate})
    for row, want in zip(queries.place_rows(v, gaz)[:8], expected, strict=False):
        page, total = queries.excerpts(v, row.place.id, explore.EXCERPT_PAGE, gaz)
        ordered = explore.newest_first(want.mentions, corpus)
        assert total == len(ordered) and records(page) == records(ordered[: explore.EXCERPT_PAGE])
        got = explore.casualty_rows(queries.casualty_summary(v, row, gaz), titles)
        wanted = [r | {"sources": records(r["sources"])} for r in explore.casualty_rows(want, titles)]
        assert [r | {"sources": records(r["sources"])} for r in got] == wanted
        assert queries.place_toll_count(con, f, row.place.id) == len(wanted)
        first = explore.casualty_rows(queries.place_casualties(con, f, row, gaz, events=1), titles)  # the panel's page
        assert [r | {"sources": records(r["sources"])} for r in first] == wanted[:1]
    assert records(queries.mentions(v, gaz)) == records(mentions)
    assert queries.article_table(v) == explore.article_table(mentions, corpus)
    rows = queries.place_rows(v, gaz)
    assert queries.place_table(v, rows, titles) == explore.place_table(expected, titles)
    assert queries.place_table(v, rows, titles, many=1) == [
        {k: v for k, v in r.items() if k not in titles.values()} | {"articles": len(s.per_article())}
        for r, s in zip(explore.place_table(expected, titles), expected, strict=True)
    ]
    stored = queries.articles(con)
    assert {n: (a.title, a.published, a.meta) for n, a in stored.items()} == {
        a.name: (a.title, a.published, a.meta) for a in corpus.articles
    }
    whole = queries.corpus(con, ROOT / "articles", gaz)
    assert [a.text for a in whole.articles] == [a.text for a in corpus.articles]
    assert records(whole.mentions) == records(corpus.mentions)
    name = corpus.articles[0].name
    assert records(queries.article_mentions(con, name, gaz)) == records(m for m in corpus.mentions if m.article == name)

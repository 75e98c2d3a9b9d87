"""What the dashboard computes, without Streamlit: load a corpus, filter it, count it, export it."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

from geo import sinks
from geo.dashboard.mapview import kind_group
from geo.errors import shown_name
from geo.gazetteer import Gazetteer
from geo.models import RECORD_FIELDS, Article, Mention
from geo.output import Writer
from geo.pipeline import parse_paths
from geo.summary import PlaceSummary, event_day, event_label, summarise


@dataclass
class Corpus:
    articles: list[Article]
    mentions: list[Mention]
    errors: list[str]
    warnings: list[str] = field(default_factory=list)  # articles read, with something to check

    def titles(self) -> dict[str, str]:
        return {a.name: a.title for a in self.articles}

    def article(self, name: str) -> Article | None:
        return self.by_name.get(name)

    @cached_property
    def by_name(self) -> dict[str, Article]:
        """Articles by file name: one look-up per excerpt, not a scan of the corpus."""
        return {a.name: a for a in self.articles}


def load_corpus(folder: Path, gaz: Gazetteer) -> Corpus:
    """Parse every article in `folder`; unreadable files are listed in `errors`, not fatal."""
    articles, mentions, errors = [], [], []
    warnings: list[str] = []
    for result in parse_paths([folder], gaz):
        if result.error:
            errors.append(result.error.shown_from(folder))
        else:
            assert result.article is not None  # no error: the article was read
            articles.append(result.article)
            mentions.extend(result.mentions)
            warnings.extend(f"{shown_name(result.article.path, folder)}: {w}" for w in result.article.warnings)
    return Corpus(articles, mentions, errors, warnings)


@dataclass
class Filters:
    articles: list[str] = field(default_factory=list)  # file names; empty = all
    start: dt.date | None = None
    end: dt.date | None = None
    governorates: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)  # kind groups, as in the legend
    min_mentions: int = 1
    search: str = ""
    abroad: bool = False  # show places outside Syria
    event_types: list[str] = field(default_factory=list)  # ACLED types and NO_EVENT_LABEL; empty = all
    distinct: bool = False  # count distinct events instead of mentions

    def without_dates(self) -> Filters:
        """The same filters over the whole time span: what the timeline shows."""
        return replace(self, start=None, end=None)


def filter_mentions(corpus: Corpus, f: Filters) -> list[Mention]:
    """The mentions that pass every filter; min_mentions applies to per-place totals.

    Dates are event dates: the date a sentence states, else its article's publication date.
    """
    dates = {a.name: a.published for a in corpus.articles}
    wanted = set(f.articles)
    event_types = set(f.event_types)
    needle = f.search.strip().lower()
    out = []
    for m in corpus.mentions:
        if wanted and m.article not in wanted:
            continue
        if event_types and event_label(m) not in event_types:
            continue
        if f.start or f.end:
            d = event_day(m) or dates.get(m.article)
            if d is None or f.start and d < f.start or f.end and d > f.end:
                continue
        p = m.place
        if not f.abroad and not p.in_syria:
            continue
        if f.governorates and p.governorate not in f.governorates:
            continue
        if f.kinds and kind_group(p.kind) not in f.kinds:
            continue
        if needle and needle not in p.name.lower() and needle not in m.text.lower() and needle not in p.name_ar:
            continue
        out.append(m)
    if f.min_mentions > 1:
        keep = {s.place.id for s in summarise(out, f.distinct) if s.count >= f.min_mentions}
        out = [m for m in out if m.place.id in keep]
    return out


MAX_ARTICLE_COLUMNS = 30


EXCERPT_PAGE = 20


def newest_first(mentions: list[Mention], corpus: Corpus) -> list[Mention]:
    """Excerpts to read, newest article first (undated last), in text order within an article."""
    def key(m: Mention) -> tuple:
        article = corpus.article(m.article)
        published = article.published if article else None
        return (published is None, -(published.toordinal() if published else 0), m.article, m.start)

    return sorted(mentions, key=key)


def place_table(summaries: list[PlaceSummary], titles: dict[str, str]) -> list[dict]:
    """One row per place: name, kind, governorate, total, and a column per article.

    Past MAX_ARTICLE_COLUMNS articles a column each is unreadable (and slow to send): the
    table then counts articles instead, and the per-article tab lists each one's places.
    """
    many = len({m.article for s in summaries for m in s.mentions}) > MAX_ARTICLE_COLUMNS
    rows = []
    for s in summaries:
        row = {
            "place": s.place.name,
            "arabic": s.place.name_ar,
            "kind": s.place.kind,
            "governorate": s.place.governorate,
            "mentions": len(s.mentions),
            "events": len(s.events),
            "main event": s.dominant_event,
        }
        per_article = s.per_article()
        if many:
            row["articles"] = len(per_article)
        else:
            for article, n in per_article.items():
                row[titles.get(article, article)] = n
        rows.append(row)
    return rows


def article_table(mentions: list[Mention], corpus: Corpus) -> list[dict]:
    """One row per article with places in the view: its title, date, source, and its places by count."""
    by_article: dict[str, list[Mention]] = {}
    for m in mentions:
        by_article.setdefault(m.article, []).append(m)
    rows = []
    for name, found in by_article.items():
        article = corpus.article(name)
        meta = article.meta if article else {}
        rows.append(
            {
                "article": article.title if article else name,
                "date": meta.get("date", ""),
                "source": meta.get("source", ""),
                "mentions": len(found),
                "places": ", ".join(f"{s.place.name} ({s.count})" for s in summarise(found)),
            }
        )
    return sorted(rows, key=lambda r: r["article"].lower())


def casualty_rows(summary: PlaceSummary, titles: dict[str, str]) -> list[dict]:
    """One row per event at a place that reports deaths or injuries, each with its source sentences."""
    rows = []
    for e in summary.casualty_events():
        first = e.mentions[0]
        event = first.event
        assert event is not None  # every mention of an event report has one: see event_key
        rows.append(
            {
                "article": titles.get(first.article, first.article),
                "date": event.event_date,
                "date_source": event.date_source,
                "event_type": e.event_type,
                "sub_event_type": event.sub_event_type,
                "killed": e.killed,
                "injured": e.injured,
                "casualty_text": "; ".join(
                    dict.fromkeys(m.event.casualty_text for m in e.mentions if m.event and m.event.casualty_text)
                ),
                "sources": list({m.excerpt_start: m for m in e.mentions}.values()),
            }
        )
    return rows


def article_html(article: Article, mentions: list[Mention]) -> str:
    """The whole article body as safe HTML, every mention in <mark> with its place as title."""
    return article_view(article, mentions)[0]


def article_view(
    article: Article,
    mentions: list[Mention],
    max_chars: int | None = None,
    max_marks: int | None = None,
    total: int | None = None,
) -> tuple[str, str]:
    """(safe HTML of the article body, every mention in <mark>; what was left out, "" if nothing).

    Bounded for huge articles: at most `max_chars` characters of the body and `max_marks` marks (a 5 MB
    line of 600k mentions was a page of 100k DOM nodes that never finished loading); the text then stops
    after the last mention marked, so that nothing shown is left unmarked. `total`: the article's mentions,
    when `mentions` holds only the first of them."""
    text = article.text
    start = article.body_start
    stop = len(text) if max_chars is None else min(len(text), start + max_chars)
    every = sorted((m for m in mentions if m.article == article.name and m.start >= start), key=lambda m: m.start)
    marks = [m for m in every if m.end <= stop]
    if max_marks is not None and len(marks) > max_marks:
        marks = marks[:max_marks]
        stop = marks[-1].end
    pos = start
    parts = []
    for m in marks:
        if m.start < pos:
            continue
        parts.append(html.escape(text[pos : m.start]))
        parts.append(
            f"<mark title='{html.escape(m.place.name)} ({html.escape(m.place.kind)})'>"
            f"{html.escape(text[m.start : m.end])}</mark>"
        )
        pos = m.end
    parts.append(html.escape(text[pos:stop]))
    body = "<div style='white-space:pre-wrap'>" + "".join(parts) + "</div>"
    left = ""
    total = max(total or 0, len(every))
    if stop < len(text):
        left = (
            f"Shown: the first {stop - start:,} of {len(text) - start:,} characters and {len(marks):,} of "
            f"{total:,} mentions (a bounded view of a long article); the mentions download has every one."
        )
    return body, left


def export(mentions: list[Mention], fmt: str) -> str:
    """The mentions as `geo parse --format fmt` writes them (csv or geojson), as a string."""
    buf = io.StringIO()
    writer = Writer(buf, fmt)
    writer.write(mentions)
    writer.close()
    return buf.getvalue()


ARTICLE_COLUMNS = ("article_title", "article_date", "article_source", "article_url")
TOLL_FIELDS = ("killed", "injured")


def to_csv(mentions: list[Mention], corpus: Corpus) -> bytes:
    """The dashboard's download: `geo parse`'s record with each article's title, date, source and URL.

    Made for a spreadsheet: UTF-8 with a BOM (Excel reads it as UTF-8 only then), every text cell
    through sinks.csv_cell, and `killed` / `injured` empty unless the sentence states a figure of that
    kind: the record's 0 also means "names no casualties", which a spreadsheet would read as "nobody killed".
    """
    columns = ("article", *ARTICLE_COLUMNS, *(f for f in RECORD_FIELDS if f != "article"))
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    for m in mentions:
        record = m.record()
        article = corpus.article(m.article)
        meta = article.meta if article else {}
        record |= {
            "article_title": article.title if article else m.article,
            "article_date": meta.get("date", ""),
            "article_source": meta.get("source", ""),
            "article_url": meta.get("url", ""),
        }
        stated = {c.kind for c in m.event.casualties} if m.event else set()
        for toll in TOLL_FIELDS:
            if toll not in stated:
                record[toll] = None
        record["casualties"] = json.dumps(record["casualties"], ensure_ascii=False)
        writer.writerow({k: sinks.csv_cell(v) for k, v in record.items()})
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def to_geojson(mentions: list[Mention]) -> str:
    return export(mentions, "geojson")

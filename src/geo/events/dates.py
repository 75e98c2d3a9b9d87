"""Dates stated in an article, resolved against its publication date.

"On 7 May 2020", "on September 19th", "in 1982", "on Thursday, May 5", "yesterday": each becomes
an ISO date of the precision stated ("2020-05-07", "2020-05", "1982"). A day or month without a
year takes the publication year, or the year before when that would put it more than a week
after publication; a weekday is the latest such day on or before publication.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from typing import NamedTuple, cast

from geo.events.lexicon import Lexicon, Vocabulary

_YEAR = r"((?:19|20)\d\d)"
_YEAR_AFTER = re.compile(r"\.?\s*,?\s*" + _YEAR + r"\b")


class _Rules:
    """The date words and windows of a lexicon (lexicon.Vocabulary) as sets and patterns, built once."""

    def __init__(self, v: Vocabulary):
        self.v = v

        def optional(phrases: tuple[str, ...]) -> str:
            if not phrases:
                return "(?!)"  # a pattern that never matches: the role is empty
            return "(?:" + "|".join(r"\s+".join(map(re.escape, p.split())) for p in phrases) + ")"

        ordinal = optional(v.ordinal_suffix) + "?"
        self.day_after = re.compile(r"\.?\s*(\d{1,2})" + ordinal + r"\b(?:\s*,?\s*" + _YEAR + r"\b)?")
        self.day_before = re.compile(r"\b(\d{1,2})" + ordinal + r"\s+(?:" + optional(v.day_of) + r"\s+)?$")
        self.weekday_gap = re.compile(r"[\s,]*(?:" + optional(v.weekday_gap) + r"\s+)?$")
        self.year_before, self.month_alone_before = frozenset(v.year_before), frozenset(v.month_alone_before)
        self.since, self.speech, self.on = frozenset(v.since), frozenset(v.speech), frozenset(v.statement_on)
        self.last, self.prepositions = frozenset(v.last_weekday), frozenset(v.dateline_before)
        self.heading_lower = frozenset(v.heading_lower)


def _rules(lexicon: Lexicon) -> _Rules:
    rules = cast("_Rules | None", lexicon.derived.get("dates"))
    if rules is None:
        rules = lexicon.derived["dates"] = _Rules(lexicon.vocab)
    return rules


class StatedDate(NamedTuple):
    start: int
    end: int
    value: str  # ISO date of the stated precision: YYYY-MM-DD, YYYY-MM or YYYY
    text: str
    since: bool  # "since 2011" opens a period: not the date of an event
    reporting: bool = False  # "activists said on Friday": when it was said, not when it happened
    dateline: bool = False  # the date heading the article


def _day(published: dt.date | None, year: int | None, month: int, day: int, future_days: int) -> str | None:
    if year is None:
        if published is None:
            return None
        year = published.year
        try:
            if dt.date(year, month, day) > published + dt.timedelta(days=future_days):
                year -= 1
        except ValueError:
            return None
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def _month(published: dt.date | None, year: int | None, month: int) -> str | None:
    if year is None:
        if published is None:
            return None
        year = published.year - (1 if month > published.month else 0)
    return f"{year:04d}-{month:02d}"


def _word_before(text: str, start: int, reach: int) -> str:
    words = text[max(0, start - reach) : start].split()
    return words[-1].lower().strip(",.;:()") if words else ""


def find_dates(
    text: str, hits: list[tuple[int, int, str, str]], published: dt.date | None, lexicon: Lexicon
) -> list[StatedDate]:
    """Stated dates in text, in order; `hits` are (start, end, role, value) of date words, in text order.

    Roles: month, weekday, relative_day, relative_month, year ("in 1982": a year counts after
    "in", "since", "during"... only: role year_before).
    """
    r = _rules(lexicon)
    v = r.v
    found: list[StatedDate] = []
    taken_until = -1
    dateline = _dateline(text, hits, published, r)
    if dateline:
        # The article's own dateline ("Sat 24 Aug 2013 ...") is not the date of an event; close to
        # the publication date kept elsewhere, it dates the article's weekdays and "yesterday"
        # better (FA-KES's table dates are days off); far from it, it is a retrieval stamp.
        found.append(dateline)
        taken_until = dateline.end
        day = dt.date.fromisoformat(dateline.value)
        if published is None or abs((day - published).days) <= v.dateline_trusted_days:
            published = day
    for i, (start, end, role, value) in enumerate(hits):
        if start < taken_until:
            continue
        date = None
        if role == "month":
            date = _month_date(text, start, end, int(value), published, r)
        elif role == "weekday" and text[start].isupper() and published is not None:
            following = hits[i + 1 : i + 1 + v.weekday_lookahead]
            date = _weekday_date(text, start, end, int(value), published, following, r)
        elif role == "relative_day" and published is not None:
            day = published + dt.timedelta(days=int(value))
            date = StatedDate(start, end, day.isoformat(), text[start:end], False)
        elif role == "relative_month" and published is not None:
            month_index = published.year * 12 + published.month - 1 + int(value)
            value_text = f"{month_index // 12:04d}-{month_index % 12 + 1:02d}"
            date = StatedDate(start, end, value_text, text[start:end], False)
        if date:
            before = text[max(0, date.start - v.date_before_reach) : date.start].lower().split()
            if before and before[-1] in r.since:
                date = date._replace(since=True)
            if before and before[-1] in r.on:
                before.pop()
            date = date._replace(reporting=bool(before) and before[-1].strip(",") in r.speech)
            found.append(date)
            taken_until = date.end
    # `found` is in text order and its dates do not overlap: a year inside one is found by bisection
    # (a scan per year made long articles quadratic: 4 MB of dated sentences took 78 s).
    starts = [d.start for d in found]
    for start, end, role, value in hits:
        if role != "year":
            continue
        i = bisect.bisect_right(starts, start) - 1
        if i >= 0 and start < found[i].end:
            continue
        word = _word_before(text, start, v.word_before_reach)
        if word in r.year_before:
            found.append(StatedDate(start, end, value, text[start - len(word) - 1 : end], word in r.since))
    found.sort()
    return found


def _dateline(
    text: str, hits: list[tuple[int, int, str, str]], published: dt.date | None, r: _Rules
) -> StatedDate | None:
    """A full date opening the text, not as part of a sentence ("On 7 May ..." is a statement)."""
    within = r.v.dateline_within
    for start, end, role, value in hits:
        if start >= within:
            return None
        if role != "month":
            continue
        date = _month_date(text, start, end, int(value), published, r)
        if date and len(date.value) == 10 and date.start < within:
            # Only a heading may come first: "Wed", "AFP Friday", "Published", "Date of publication".
            before = text[: date.start].split()
            short = len(before) <= r.v.dateline_heading_words
            heading = short and all(w[:1].isupper() or w.lower() in r.heading_lower for w in before)
            if heading and not (before and before[-1].lower() in r.prepositions):
                return date._replace(reporting=True, dateline=True)
        return None
    return None


def _month_date(text: str, start: int, end: int, month: int, published: dt.date | None, r: _Rules) -> StatedDate | None:
    word = text[start:end]
    if not word[:1].isupper():
        return None
    v = r.v
    before = r.day_before.search(text, max(0, start - v.day_before_reach), start)
    if before:
        year = _YEAR_AFTER.match(text, end)
        value = _day(published, int(year.group(1)) if year else None, month, int(before.group(1)), v.future_days)
        stop = year.end() if year else end
        return StatedDate(before.start(), stop, value, text[before.start() : stop], False) if value else None
    after = r.day_after.match(text, end)
    if after:
        stated_year = int(after.group(2)) if after.group(2) else None
        value = _day(published, stated_year, month, int(after.group(1)), v.future_days)
        return StatedDate(start, after.end(), value, text[start : after.end()], False) if value else None
    year = _YEAR_AFTER.match(text, end)
    if year:
        value = _month(published, int(year.group(1)), month)
        assert value is not None  # a stated year always gives a month
        since = _word_before(text, start, v.word_before_reach) in r.since
        return StatedDate(start, year.end(), value, text[start : year.end()], since)
    # A month name alone must look like one: capitalised, full, and after "in", "early"...
    # ("May" is a verb, "Mar" a prefix, "March" a walk, unless the context says otherwise).
    word_before = _word_before(text, start, v.word_before_reach)
    if len(word) >= v.month_alone_min_letters and word_before in r.month_alone_before:
        value = _month(published, None, month)
        return StatedDate(start, end, value, word, word_before in r.since) if value else None
    return None


def _weekday_date(text, start, end, weekday, published, following, r: _Rules) -> StatedDate | None:
    # "Thursday, May 5": the month date that follows is the statement; the weekday only confirms it.
    # `following` are the weekday_lookahead date words after it: a month within weekday_month_gap
    # characters is among them.
    gap = r.v.weekday_month_gap
    for h_start, _, role, _ in following:
        if role == "month" and 0 <= h_start - end <= gap and r.weekday_gap.match(text, end, h_start):
            return None
        if h_start > end + gap:
            break
    back = (published.weekday() - weekday) % 7
    if back == 0 and _word_before(text, start, r.v.word_before_reach) in r.last:
        back = 7
    day = published - dt.timedelta(days=back)
    return StatedDate(start, end, day.isoformat(), text[start:end], False)

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
from typing import NamedTuple

FUTURE_DAYS = 7
_ORDINAL = r"(?:st|nd|rd|th)?"
_DAY_AFTER = re.compile(r"\.?\s*(\d{1,2})" + _ORDINAL + r"\b(?:\s*,?\s*((?:19|20)\d\d)\b)?")
_DAY_BEFORE = re.compile(r"\b(\d{1,2})" + _ORDINAL + r"\s+(?:of\s+)?$")
_YEAR_AFTER = re.compile(r"\.?\s*,?\s*((?:19|20)\d\d)\b")
_YEAR_WORDS = {"in", "since", "of", "during", "until", "till", "early", "late", "mid", "summer", "spring", "winter"}
_YEAR_WORDS |= {"autumn", "fall", "end", "beginning", "throughout", "before", "after", "from"}
_MONTH_ALONE_WORDS = {"in", "since", "of", "early", "late", "mid", "last", "until", "during", "by", "from", "end"}
_SPEECH = {"said", "says", "reported", "announced", "told", "stated", "added", "confirmed", "declared", "noted"}
_SPEECH |= {"quoted", "claimed", "warned", "statement", "report", "interview", "released", "published", "issued"}
_WEEKDAY_GAP = re.compile(r"[\s,]*(?:the\s+)?$")


class StatedDate(NamedTuple):
    start: int
    end: int
    value: str  # ISO date of the stated precision: YYYY-MM-DD, YYYY-MM or YYYY
    text: str
    since: bool  # "since 2011" opens a period: not the date of an event
    reporting: bool = False  # "activists said on Friday": when it was said, not when it happened
    dateline: bool = False  # the date heading the article


def _day(published: dt.date | None, year: int | None, month: int, day: int) -> str | None:
    if year is None:
        if published is None:
            return None
        year = published.year
        try:
            if dt.date(year, month, day) > published + dt.timedelta(days=FUTURE_DAYS):
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


def _word_before(text: str, start: int) -> str:
    words = text[max(0, start - 20) : start].split()
    return words[-1].lower().strip(",.;:()") if words else ""


def find_dates(text: str, hits: list[tuple[int, int, str, str]], published: dt.date | None) -> list[StatedDate]:
    """Stated dates in text, in order; `hits` are (start, end, role, value) of date words, in text order.

    Roles: month, weekday, relative_day, relative_month, year ("in 1982": a year counts after
    "in", "since", "during"... only).
    """
    found: list[StatedDate] = []
    taken_until = -1
    dateline = _dateline(text, hits, published)
    if dateline:
        # The article's own dateline ("Sat 24 Aug 2013 ...") is not the date of an event; close to
        # the publication date kept elsewhere, it dates the article's weekdays and "yesterday"
        # better (FA-KES's table dates are days off); far from it, it is a retrieval stamp.
        found.append(dateline)
        taken_until = dateline.end
        day = dt.date.fromisoformat(dateline.value)
        if published is None or abs((day - published).days) <= DATELINE_TRUSTED_DAYS:
            published = day
    for i, (start, end, role, value) in enumerate(hits):
        if start < taken_until:
            continue
        date = None
        if role == "month":
            date = _month_date(text, start, end, int(value), published)
        elif role == "weekday" and text[start].isupper() and published is not None:
            date = _weekday_date(text, start, end, int(value), published, hits[i + 1 : i + 1 + WEEKDAY_LOOKAHEAD])
        elif role == "relative_day" and published is not None:
            day = published + dt.timedelta(days=int(value))
            date = StatedDate(start, end, day.isoformat(), text[start:end], False)
        elif role == "relative_month" and published is not None:
            month_index = published.year * 12 + published.month - 1 + int(value)
            value_text = f"{month_index // 12:04d}-{month_index % 12 + 1:02d}"
            date = StatedDate(start, end, value_text, text[start:end], False)
        if date:
            before = text[max(0, date.start - 30) : date.start].lower().split()
            if before and before[-1] == "since":
                date = date._replace(since=True)
            if before and before[-1] == "on":
                before.pop()
            date = date._replace(reporting=bool(before) and before[-1].strip(",") in _SPEECH)
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
        word = _word_before(text, start)
        if word in _YEAR_WORDS:
            found.append(StatedDate(start, end, value, text[start - len(word) - 1 : end], word == "since"))
    found.sort()
    return found


DATELINE_WITHIN = 40
DATELINE_TRUSTED_DAYS = 31
_PREPOSITIONS = {"on", "in", "since", "during", "by", "until", "from", "before", "after"}


def _dateline(text: str, hits: list[tuple[int, int, str, str]], published: dt.date | None) -> StatedDate | None:
    """A full date opening the text, not as part of a sentence ("On 7 May ..." is a statement)."""
    for start, end, role, value in hits:
        if start >= DATELINE_WITHIN:
            return None
        if role != "month":
            continue
        date = _month_date(text, start, end, int(value), published)
        if date and len(date.value) == 10 and date.start < DATELINE_WITHIN:
            # Only a heading may come first: "Wed", "AFP Friday", "Published", "Date of publication".
            before = text[: date.start].split()
            heading = len(before) <= 4 and all(w[:1].isupper() or w.lower() == "of" for w in before)
            if heading and not (before and before[-1].lower() in _PREPOSITIONS):
                return date._replace(reporting=True, dateline=True)
        return None
    return None


def _month_date(text: str, start: int, end: int, month: int, published: dt.date | None) -> StatedDate | None:
    word = text[start:end]
    if not word[:1].isupper():
        return None
    before = _DAY_BEFORE.search(text, max(0, start - 12), start)
    if before:
        year = _YEAR_AFTER.match(text, end)
        value = _day(published, int(year.group(1)) if year else None, month, int(before.group(1)))
        stop = year.end() if year else end
        return StatedDate(before.start(), stop, value, text[before.start() : stop], False) if value else None
    after = _DAY_AFTER.match(text, end)
    if after:
        stated_year = int(after.group(2)) if after.group(2) else None
        value = _day(published, stated_year, month, int(after.group(1)))
        return StatedDate(start, after.end(), value, text[start : after.end()], False) if value else None
    year = _YEAR_AFTER.match(text, end)
    if year:
        value = _month(published, int(year.group(1)), month)
        assert value is not None  # a stated year always gives a month
        return StatedDate(start, year.end(), value, text[start : year.end()], _word_before(text, start) == "since")
    # A month name alone must look like one: capitalised, full, and after "in", "early"...
    # ("May" is a verb, "Mar" a prefix, "March" a walk, unless the context says otherwise).
    if len(word) > 3 and _word_before(text, start) in _MONTH_ALONE_WORDS:
        value = _month(published, None, month)
        return StatedDate(start, end, value, word, _word_before(text, start) == "since") if value else None
    return None


WEEKDAY_LOOKAHEAD = 4  # the date words right after a weekday: a month within 12 characters is among them


def _weekday_date(text, start, end, weekday, published, following) -> StatedDate | None:
    # "Thursday, May 5": the month date that follows is the statement; the weekday only confirms it.
    for h_start, _, role, _ in following:
        if role == "month" and 0 <= h_start - end <= 12 and _WEEKDAY_GAP.match(text, end, h_start):
            return None
        if h_start > end + 12:
            break
    back = (published.weekday() - weekday) % 7
    if back == 0 and _word_before(text, start) == "last":
        back = 7
    day = published - dt.timedelta(days=back)
    return StatedDate(start, end, day.isoformat(), text[start:end], False)

"""Counts over mentions: per place, per governorate, per event and over time."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from geo.models import Mention, Place


def governorate_counts(mentions: Iterable[Mention]) -> Counter[str]:
    """Mentions per Syrian governorate (places abroad and Syria as a whole do not count)."""
    return Counter(m.place.governorate for m in mentions if m.place.governorate)


def main_governorate(mentions: Iterable[Mention]) -> str | None:
    """The governorate an article's mentions point to most; ties go to the first mentioned."""
    mentions = list(mentions)
    counts = governorate_counts(mentions)
    if not counts:
        return None
    best = max(counts.values())
    for m in mentions:
        if counts.get(m.place.governorate) == best:
            return m.place.governorate
    return None


# --- events -----------------------------------------------------------------------------------

NO_EVENT_LABEL = "No event (place only named)"


def event_label(m: Mention) -> str:
    return (m.event.event_type if m.event else None) or NO_EVENT_LABEL


def event_day(m: Mention) -> dt.date | None:
    """The first day of the mention's event date ("2016-05" -> 1 May 2016); None without a date."""
    value = m.event.event_date if m.event else None
    if not value:
        return None
    year, month, day = (value.split("-") + ["1", "1"])[:3]
    return dt.date(int(year), int(month), int(day))


def event_key(m: Mention) -> tuple | None:
    """Mentions with one key report one event: its event record (`geo events`), or for mentions made
    without one, the same article, place, type and date. None: no event."""
    if not m.event or not m.event.event_type:
        return None
    if m.event_id:
        return (m.event_id,)
    return (m.article, m.place.id, m.event.event_type, m.event.event_date)


@dataclass
class EventReport:
    """One distinct event and every mention (sentence) that reports it."""

    key: tuple
    mentions: list[Mention]

    @property
    def event_type(self) -> str:
        event = self.mentions[0].event
        assert event is not None and event.event_type  # see event_key
        return event.event_type

    @property
    def killed(self) -> int | None:
        """The largest figure any of its sentences gives (tolls are revised upwards); None if only vague."""
        return _largest(m.event.killed for m in self.mentions if m.event)  # all of them have one: see event_key

    @property
    def injured(self) -> int | None:
        return _largest(m.event.injured for m in self.mentions if m.event)


def _largest(values: Iterable[int | None]) -> int | None:
    values = list(values)
    known = [v for v in values if v]
    if known:
        return max(known)
    return None if None in values else 0


def distinct_events(mentions: Iterable[Mention]) -> list[EventReport]:
    """The distinct events among the mentions, in order of first report."""
    events: dict[tuple, EventReport] = {}
    for m in mentions:
        key = event_key(m)
        if key is not None:
            events.setdefault(key, EventReport(key, [])).mentions.append(m)
    return list(events.values())


def event_type_counts(mentions: Iterable[Mention], distinct: bool) -> Counter[str]:
    """Counts per event type (the no-event label included when counting mentions)."""
    if distinct:
        return Counter(e.event_type for e in distinct_events(mentions))
    return Counter(event_label(m) for m in mentions)


def time_unit(first: dt.date, last: dt.date) -> str:
    """Bars per day up to two months, per week up to two years, per month up to 15 years, else per year."""
    span = (last - first).days
    if span <= 62:
        return "day"
    if span <= 2 * 366:
        return "week"
    if span <= 15 * 366:
        return "month"
    return "year"


def period_start(day: dt.date, unit: str) -> dt.date:
    if unit == "week":
        return day - dt.timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    if unit == "year":
        return day.replace(month=1, day=1)
    return day


@dataclass
class Timeline:
    unit: str  # day, week, month or year: the width of a bar
    rows: list[dict]  # period (first day), event type, count; the dates before `shown_from` left out
    first: dt.date | None  # the earliest and latest event dates, outliers included
    last: dt.date | None
    shown_from: dt.date | None = None
    left_out: int = 0  # mentions (or events) dated before shown_from


# A few dates far back ("the 1982 Hama massacre" in a 2016 article) would squeeze the news period
# into one bar: the chart starts at this quantile of the dates, and says how many it leaves out.
TIMELINE_FROM_QUANTILE = 0.05


def _dated(m: Mention) -> dt.date:
    day = event_day(m)
    assert day is not None  # the timeline keeps dated mentions only
    return day


def timeline(mentions: Iterable[Mention], distinct: bool) -> Timeline:
    """Mentions or distinct events per period and event type, by event date."""
    mentions = [m for m in mentions if event_day(m)]
    if not mentions:
        return Timeline("day", [], None, None)
    days = [_dated(m) for m in mentions]
    ordered = sorted(days)
    shown_from = ordered[int(TIMELINE_FROM_QUANTILE * (len(ordered) - 1))]
    unit = time_unit(shown_from, ordered[-1])
    shown_from = period_start(shown_from, unit)
    counts: Counter[tuple[dt.date, str]] = Counter()
    if distinct:
        for e in distinct_events(mentions):
            counts[(period_start(_dated(e.mentions[0]), unit), e.event_type)] += 1
    else:
        for m, day in zip(mentions, days, strict=True):
            counts[(period_start(day, unit), event_label(m))] += 1
    rows = [{"period": p, "event type": t, "count": n} for (p, t), n in sorted(counts.items()) if p >= shown_from]
    left_out = sum(n for (p, _), n in counts.items() if p < shown_from)
    return Timeline(unit, rows, ordered[0], ordered[-1], shown_from, left_out)


@dataclass
class PlaceSummary:
    """Everything the map shows about one place.

    `distinct` sets the counting rule: mentions, or distinct events (one article reporting one
    type of event at the place on one date is one event, however many sentences repeat it).
    """

    place: Place
    mentions: list[Mention] = field(default_factory=list)
    distinct: bool = False

    @cached_property
    def events(self) -> list[EventReport]:
        return distinct_events(self.mentions)

    @property
    def count(self) -> int:
        return len(self.events) if self.distinct else len(self.mentions)

    def per_article(self) -> Counter[str]:
        if self.distinct:
            return Counter(e.mentions[0].article for e in self.events)
        return Counter(m.article for m in self.mentions)

    @cached_property
    def _distinct_counts(self) -> Counter[str]:
        """Distinct events per type, from the events already grouped for this place."""
        return Counter(e.event_type for e in self.events)

    def event_counts(self) -> Counter[str]:
        return self._distinct_counts if self.distinct else event_type_counts(self.mentions, distinct=False)

    @property
    def dominant_event(self) -> str:
        """The event type most reported here (by distinct events), or the no-event label."""
        counts = self._distinct_counts
        return counts.most_common(1)[0][0] if counts else NO_EVENT_LABEL

    def casualty_events(self) -> list[EventReport]:
        """Events whose sentences state a toll, as a figure or in words ("dozens")."""
        return [e for e in self.events if any(m.event.casualties for m in e.mentions if m.event)]


def summarise(mentions: Iterable[Mention], distinct: bool = False) -> list[PlaceSummary]:
    """Group mentions by place, most counted first; with `distinct`, places without an event drop out."""
    by_place: dict[str, PlaceSummary] = {}
    for m in mentions:
        by_place.setdefault(m.place.id, PlaceSummary(m.place, distinct=distinct)).mentions.append(m)
    summaries = [s for s in by_place.values() if s.count]
    return sorted(summaries, key=lambda s: (-s.count, s.place.name))

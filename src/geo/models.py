"""The records that flow through the pipeline: articles -> mentions -> resolved places."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from operator import attrgetter
from typing import TYPE_CHECKING, NamedTuple, Protocol

if TYPE_CHECKING:
    from geo.errors import ArticleError

KINDS = (
    "country",
    "governorate",
    "district",
    "sub-district",
    "region",
    "city",
    "town",
    "village",
    "neighbourhood",
    "site",
)
TITLE_LIMIT = 200  # characters of a title as shown
# Larger first: breaks ties between candidates of one name ("then to the larger place").
KIND_RANK = {k: i for i, k in enumerate(KINDS)}


@dataclass(frozen=True, slots=True)
class Place:
    id: str
    name: str
    name_ar: str
    kind: str
    lat: float
    lon: float
    governorate: str
    parent: str
    population: int
    source: str
    in_syria: bool

    @property
    def size_key(self) -> tuple[int, int]:
        """Sort key: larger places first."""
        return (KIND_RANK.get(self.kind, len(KINDS)), -self.population)

    @property
    def where(self) -> str:
        """Its governorate; "Syria" for the country and places in Syria without one; else "outside Syria"."""
        return self.governorate or ("Syria" if self.in_syria else "outside Syria")


@dataclass(frozen=True, slots=True)
class Article:
    path: str
    name: str
    text: str
    body_start: int = 0
    meta: dict[str, str] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()  # read, but something in it needs a look ("line 2: front matter ...")

    @property
    def title(self) -> str:
        """The title to show: capped, since a page lists many and a hostile one can be a megabyte long."""
        title = self.meta.get("title") or self.name
        return title if len(title) <= TITLE_LIMIT else title[: TITLE_LIMIT - 1] + "…"

    @property
    def published(self) -> dt.date | None:
        """The publication date from the front matter, None when absent or not an ISO date."""
        try:
            return dt.date.fromisoformat(self.meta.get("date", "")[:10])
        except ValueError:
            return None


class Casualty(NamedTuple):
    kind: str  # "killed" or "injured"
    figure: int | None  # None: a toll stated without a number ("dozens")
    qualifier: str  # "at least", "over", "about", "up to", "under" or ""
    victims: str
    subset: bool  # "including 5 children": part of a total already counted
    start: int
    end: int
    text: str


class Spans(Protocol):
    """A map from offsets into a copy of a text back to the original (normalise.Squeezed is one)."""

    @property
    def original(self) -> str: ...

    def start(self, i: int) -> int: ...

    def end(self, i: int) -> int: ...


class Event(NamedTuple):
    event_type: str | None
    sub_event_type: str | None
    trigger: str
    trigger_start: int | None
    killed: int | None
    injured: int | None
    casualties: tuple[Casualty, ...]
    event_date: str | None
    date_source: str  # "stated", "publication" or "" when the article has no date
    date_text: str
    decided_by: str = "rules"  # who coded the type: "rules" (lexicons/) or "classifier" (events/coder.py)
    # The rules are sure: a trigger with the place as its object ("shelled Kafr Nabl"), or an event
    # ruled out ("threatened to attack", "60 km from Damascus", a background sentence). Not a record field.
    certain: bool = False

    @property
    def casualty_text(self) -> str:
        return "; ".join(c.text for c in self.casualties)


@dataclass(frozen=True, slots=True)
class Mention:
    """A place name found in an article; offsets index the article text as read."""

    article: str
    start: int
    end: int
    text: str
    place: Place
    reason: str
    excerpt: str
    excerpt_start: int
    event: Event | None = None
    event_id: str | None = None  # the event record (`geo events`) this mention belongs to

    def rebased(self, spans: Spans) -> Mention:
        """This mention, found in a copy of the text, with every offset and quote taken from the original.

        `spans` maps the copy's offsets back (normalise.Squeezed: the text without invisible characters).
        """
        s, e = spans.start(self.start), spans.end(self.end)
        ex_s, ex_e = spans.start(self.excerpt_start), spans.end(self.excerpt_start + len(self.excerpt))
        original = spans.original
        event = self.event
        if event is not None:
            trigger, trigger_start = event.trigger, event.trigger_start
            if trigger_start is not None:
                trigger_start, trigger_end = spans.start(trigger_start), spans.end(trigger_start + len(trigger))
                trigger = original[trigger_start:trigger_end]
            casualties = tuple(
                c._replace(start=(cs := spans.start(c.start)), end=(ce := spans.end(c.end)), text=original[cs:ce])
                for c in event.casualties
            )
            event = event._replace(trigger=trigger, trigger_start=trigger_start, casualties=casualties)
        return Mention(self.article, s, e, original[s:e], self.place, self.reason, original[ex_s:ex_e], ex_s, event)

    def with_event_id(self, event_id: str | None) -> Mention:
        """This mention in the event record `event_id` (dataclasses.replace, without its field-by-field
        introspection: it runs for every mention of every article)."""
        return Mention(
            self.article, self.start, self.end, self.text, self.place, self.reason, self.excerpt,
            self.excerpt_start, self.event, event_id,
        )  # fmt: skip

    def record(self) -> dict:
        """The flat record of `geo parse` (RECORD_FIELDS, in that order)."""
        record = {field: get(self) for field, get in _MENTION_RECORD} | event_record(self.event)
        record["event_id"] = self.event_id
        return record


# The `geo parse` record, spelled once: (field, where its value comes from), in column order.
# These names are a public contract: add fields, never rename them.
_MENTION_RECORD = tuple(
    (field, attrgetter(source))
    for field, source in (
        ("article", "article"),
        ("start", "start"),
        ("end", "end"),
        ("text", "text"),
        ("place_id", "place.id"),
        ("name", "place.name"),
        ("name_ar", "place.name_ar"),
        ("kind", "place.kind"),
        ("lat", "place.lat"),
        ("lon", "place.lon"),
        ("governorate", "place.governorate"),
        ("in_syria", "place.in_syria"),
        ("excerpt", "excerpt"),
        ("excerpt_start", "excerpt_start"),
        ("reason", "reason"),
    )
)


def event_record(e: Event | None) -> dict:
    if e is None:
        return dict.fromkeys(EVENT_FIELDS)
    return {
        "event_type": e.event_type,
        "sub_event_type": e.sub_event_type,
        "trigger": e.trigger,
        "killed": e.killed,
        "injured": e.injured,
        "casualty_text": e.casualty_text,
        "event_date": e.event_date,
        "date_source": e.date_source,
        "trigger_start": e.trigger_start,
        "date_text": e.date_text,
        "casualties": [
            {
                "kind": c.kind,
                "figure": c.figure,
                "qualifier": c.qualifier,
                "victims": c.victims,
                "subset": c.subset,
                "text": c.text,
                "start": c.start,
            }
            for c in e.casualties
        ],
        "decided_by": e.decided_by,
    }


EVENT_FIELDS = (
    "event_type",
    "sub_event_type",
    "trigger",
    "killed",
    "injured",
    "casualty_text",
    "event_date",
    "date_source",
    "trigger_start",
    "date_text",
    "casualties",
    "decided_by",
)
RECORD_FIELDS = tuple(field for field, _ in _MENTION_RECORD) + EVENT_FIELDS + ("event_id",)


# One event, as `geo events` writes it (events/records.py makes them). Here, with the other records, and not
# in the compiled records module: what the parse sends between processes must pickle as a plain dataclass.
EVENT_COLUMNS = (
    "event_id",
    "event_date",
    "time_precision",
    "event_type",
    "sub_event_type",
    "actor1",
    "actor2",
    "location",
    "place_id",
    "admin1",
    "admin2",
    "latitude",
    "longitude",
    "geo_precision",
    "fatalities",
    "injured",
    "fatality_text",
    "notes",
    "article",
    "start",
    "end",
    "trigger",
    "decided_by",
)


@dataclass(frozen=True, slots=True)
class EventRecord:
    """One event, in ACLED's columns (EVENT_COLUMNS); `notes` is the sentence that reports it."""

    event_id: str
    event_date: str | None
    time_precision: int | None  # 1 the day is stated, 2 only the publication date, 3 a month or year
    event_type: str
    sub_event_type: str | None
    actor1: str | None
    actor2: str | None
    location: str  # the place as written
    place_id: str
    admin1: str  # governorate ("" abroad)
    admin2: str  # district ("" when not known)
    latitude: float
    longitude: float
    geo_precision: int
    fatalities: int | None  # ACLED's figure: a stated number, or the convention for "dozens" (12)
    injured: int | None
    fatality_text: str
    notes: str
    article: str
    start: int  # the sentence's offsets in the article
    end: int
    trigger: str
    decided_by: str  # "rules" (lexicons/) or "classifier"

    def record(self) -> dict:
        return {column: getattr(self, column) for column in EVENT_COLUMNS}


# What parse_paths (pipeline.py) gives for each file; here, not in the compiled pipeline, for the same reason.
@dataclass(frozen=True, slots=True)
class ParseResult:
    article: Article | None
    mentions: list[Mention]
    error: ArticleError | None = None
    events: list[EventRecord] = field(default_factory=list)
    rendered: str = ""  # the output text of this article, when parse_paths was given `render`

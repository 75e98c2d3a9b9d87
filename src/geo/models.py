"""The records that flow through the pipeline: articles -> mentions -> resolved places."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .events import Event

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

    @property
    def title(self) -> str:
        return self.meta.get("title") or self.name

    @property
    def published(self) -> dt.date | None:
        """The publication date from the front matter, None when absent or not an ISO date."""
        try:
            return dt.date.fromisoformat(self.meta.get("date", "")[:10])
        except ValueError:
            return None


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

    def record(self) -> dict:
        """The flat record of `geo parse`: field names are a public contract, only add."""
        p = self.place
        return {
            "article": self.article,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "place_id": p.id,
            "name": p.name,
            "name_ar": p.name_ar,
            "kind": p.kind,
            "lat": p.lat,
            "lon": p.lon,
            "governorate": p.governorate,
            "in_syria": p.in_syria,
            "excerpt": self.excerpt,
            "excerpt_start": self.excerpt_start,
            "reason": self.reason,
            **event_record(self.event),
        }


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
)

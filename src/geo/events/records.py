"""Event records: what one article reports happening, one record per event, the way ACLED codes it.

Mentions carry the event of their sentence; an event record gathers the mentions of one event and
says where it happened: the most specific place the text puts it at, with ACLED's geo_precision
(1 the place itself, 2 near / outskirts / countryside of a named place, 3 only a district,
governorate or region is named). "Regime forces shelled an unknown village in the southern
countryside of Idleb" is still an event: at Idleb governorate, precision 3.

Mentions of one article with the same place, event type and date are one event (tolls are revised
across sentences: the record keeps the largest). Each mention then carries its event's id.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import cast

from geo.events.lexicon import Lexicon
from geo.gazetteer import make_automaton
from geo.models import EVENT_COLUMNS, Event, EventRecord, Mention, Place  # noqa: F401 (EVENT_COLUMNS: the module's name for it)
from geo.text.normalise import normalise

# How specific a kind of place is, as a location: lower is more specific.
SPECIFICITY = {
    "site": 0,
    "neighbourhood": 0,
    "village": 1,
    "town": 1,
    "city": 2,
    "sub-district": 3,
    "district": 4,
    "region": 4,
    "governorate": 5,
    "country": 6,
}
AREA_KINDS = ("sub-district", "district", "region", "governorate", "country")


def event_key(m: Mention) -> tuple | None:
    """Mentions with one key report one event: same article, place, type and date. None: no event."""
    if not m.event or not m.event.event_type:
        return None
    return (m.article, m.place.id, m.event.event_type, m.event.event_date)


def _sentence_events(mentions: Sequence[Mention]) -> list[list[Mention]]:
    """Mentions grouped by the event of their sentence (its trigger, type and date)."""
    groups: dict[tuple, list[Mention]] = {}
    for m in mentions:
        e = m.event
        if e is not None and e.event_type:
            key = (m.excerpt_start, e.trigger_start, e.event_type, e.sub_event_type, e.event_date)
            groups.setdefault(key, []).append(m)
    return list(groups.values())


def _where(group: list[Mention]) -> Mention:
    """The most specific place of the event; nearest the trigger among equals."""
    event = cast(Event, group[0].event)
    at = event.trigger_start if event.trigger_start is not None else group[0].start
    return min(group, key=lambda m: (SPECIFICITY.get(m.place.kind, 1), abs(m.start - at)))


def _near_patterns(lexicon: Lexicon) -> tuple[re.Pattern[str], re.Pattern[str]]:
    cached = lexicon.derived.get("near")
    if cached is None:

        def words(role: str) -> str:
            return "|".join(sorted((re.escape(p) for p in lexicon.phrases(role)), key=len, reverse=True))

        fillers = "|".join(re.escape(p) for p in lexicon.vocab.near_filler) or "(?!)"  # "near the"
        cached = lexicon.derived["near"] = (
            re.compile(rf"(?:^|\W)(?:{words('near')})(?:\s+(?:{fillers}))?\W*$", re.IGNORECASE),
            re.compile(rf"^(?:'s)?\s+(?:{words('near_after')})\b", re.IGNORECASE),
        )
    return cast("tuple[re.Pattern[str], re.Pattern[str]]", cached)


def geo_precision(m: Mention, lexicon: Lexicon) -> int:
    """ACLED's geo_precision of an event located at mention `m`."""
    if m.place.kind in AREA_KINDS:
        return 3
    before_pattern, after_pattern = _near_patterns(lexicon)
    offset = m.start - m.excerpt_start
    # near_reach characters before the place are read for "near", "outskirts of", "10 km east of"
    before = m.excerpt[max(0, offset - lexicon.vocab.near_reach) : offset]
    after = m.excerpt[offset + len(m.text) : offset + len(m.text) + lexicon.vocab.near_after_reach]
    return 2 if before_pattern.search(before) or after_pattern.match(after) else 1


def time_precision(event: Event) -> int | None:
    if not event.event_date:
        return None
    if event.event_date.count("-") < 2:
        return 3  # "in March", "in 2014"
    return 1 if event.date_source == "stated" else 2


def acled_fatalities(event: Event, lexicon: Lexicon) -> int | None:
    """The stated death toll, or ACLED's figure for a vague one ("dozens" 12, "hundreds" 100), or None."""
    if event.killed is not None:
        return event.killed
    figures = lexicon.phrases("acled_figure")
    values = [
        int(value)
        for c in event.casualties
        if c.kind == "killed" and c.figure is None
        for phrase, value in figures.items()
        if re.search(rf"\b{re.escape(phrase)}\b", c.text, re.IGNORECASE)
    ]
    return min(values) if values else None  # conflicting reports: the lowest, as ACLED does


def _actors(sentence: str, lexicon: Lexicon) -> list[str]:
    """Actors named in the sentence, as written, in order, each once."""
    cached = lexicon.derived.get("actors_as_written")
    if cached is None:
        cached = lexicon.derived["actors_as_written"] = ActorFinder(
            {*lexicon.phrases("government"), *lexicon.phrases("non_state")}
        )
    return list(_named(sentence, cast(ActorFinder, cached)))


_WORD_CHAR = re.compile(r"\w")


class ActorFinder:
    r"""Where actor phrases stand in normalised text, as re.finditer(r"(?<!\w)(phrase|...)s?(?!\w)") finds
    them, the longest phrase first: through one automaton pass, as the regex of 57 alternatives tried
    at every character was 4% of a parse."""

    def __init__(self, phrases: set[str]):
        self.lengths = [len(p) for p in phrases]
        self.automaton = make_automaton({p: i for i, p in enumerate(phrases)})

    def spans(self, text: str) -> list[tuple[int, int]]:
        """(start, end) of each actor in `text`, left to right, none overlapping; a plural "s" included."""
        lengths: dict[int, list[int]] = {}  # start -> lengths of the phrases there
        for last, value in self.automaton.iter(text):
            length = self.lengths[value]
            lengths.setdefault(last - length + 1, []).append(length)
        out: list[tuple[int, int]] = []
        resume = 0
        for start in sorted(lengths):
            if start < resume or (start and _WORD_CHAR.match(text, start - 1)):
                continue
            for length in sorted(lengths[start], reverse=True):
                end = start + length
                if text.startswith("s", end) and not _WORD_CHAR.match(text, end + 1):
                    end += 1
                elif _WORD_CHAR.match(text, end):
                    continue
                out.append((start, end))
                resume = end
                break
        return out


@lru_cache(maxsize=256)
def _named(sentence: str, actors: ActorFinder) -> tuple[str, ...]:
    """The `actors` in `sentence` as written, each once: remembered, as an article's places share sentences."""
    seen: dict[str, str] = {}
    norm = normalise(sentence)  # folded, same offsets
    for start, end in actors.spans(norm):
        seen.setdefault(norm[start:end], sentence[start:end])
    return tuple(seen.values())


def event_records(
    mentions: Sequence[Mention], lexicon: Lexicon, district_of: Callable[[Place], str] = lambda p: ""
) -> tuple[list[EventRecord], list[Mention]]:
    """The event records of one article's mentions, and the mentions with their `event_id` set."""
    merged: dict[tuple, list[tuple[Mention, list[Mention]]]] = {}
    for group in _sentence_events(mentions):
        where = _where(group)
        merged.setdefault(event_key(where) or (), []).append((where, group))
    records = []
    ids: dict[int, str] = {}
    for groups in merged.values():
        where, _first = groups[0]
        event = cast(Event, where.event)
        event_id = f"{where.article}:{event.trigger_start if event.trigger_start is not None else where.start}"
        for _where_of, group in groups:
            for m in group:
                ids[id(m)] = event_id
        events = [cast(Event, g[0].event) for _w, g in groups]
        killed = [e.killed for e in events if e.killed is not None]
        injured = [e.injured for e in events if e.injured is not None]
        records.append(
            _record(
                event,
                event_id,
                where.excerpt,
                where.excerpt_start,
                where.article,
                lexicon,
                location=where.text,
                place_id=where.place.id,
                admin1=where.place.governorate,
                admin2=district_of(where.place),
                latitude=where.place.lat,
                longitude=where.place.lon,
                geo_precision=geo_precision(where, lexicon),
                fatalities=max(killed) if killed else acled_fatalities(event, lexicon),
                injured=max(injured) if injured else None,
                fatality_text="; ".join(dict.fromkeys(e.casualty_text for e in events if e.casualty_text)),
            )
        )
    with_ids = [m.with_event_id(ids[id(m)]) if id(m) in ids else m for m in mentions]
    return records, with_ids


def unplaced_event(
    event: Event, name: str, sentence: str, sentence_start: int, article: str, area: Place, lexicon: Lexicon
) -> EventRecord:
    """An event at a place the gazetteer does not know ("shelled Xyzabad"), located at the governorate
    the article places its neighbours in (geo_precision 3), its name kept as written."""
    at = event.trigger_start if event.trigger_start is not None else sentence_start
    return _record(
        event,
        f"{article}:{at}",  # no trigger when the learned coder found the event: the sentence's offset
        sentence,
        sentence_start,
        article,
        lexicon,
        location=name,
        place_id=area.id,
        admin1=area.governorate,
        admin2="",
        latitude=area.lat,
        longitude=area.lon,
        geo_precision=3,
        fatalities=acled_fatalities(event, lexicon),
        injured=event.injured,
        fatality_text=event.casualty_text,
    )


def _record(
    event: Event, event_id: str, sentence: str, sentence_start: int, article: str, lexicon: Lexicon, **where
) -> EventRecord:
    """The record of `event`, told in `sentence`: what the event says, plus `where` (location and tolls)."""
    actors = _actors(sentence, lexicon)
    return EventRecord(
        event_id=event_id,
        event_date=event.event_date,
        time_precision=time_precision(event),
        event_type=cast(str, event.event_type),
        sub_event_type=event.sub_event_type,
        actor1=actors[0] if actors else None,
        actor2=actors[1] if len(actors) > 1 else None,
        notes=sentence,
        article=article,
        start=sentence_start,
        end=sentence_start + len(sentence),
        trigger=event.trigger,
        decided_by=event.decided_by,
        **where,
    )

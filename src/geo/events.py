"""What happened at a mentioned place: ACLED event type, casualties and date, from its sentence.

One Aho-Corasick pass over the article's normalised text finds trigger words, casualty words and
date words; each mention's sentence then picks its strongest trigger (lowest rank in
lexicons/event_triggers.csv, nearest the place on a tie), reads its casualty figures and its
date. Every decision keeps its evidence (trigger, casualty text, date words) for audit.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections.abc import Sequence
from typing import NamedTuple

from .casualties import Casualty, find_casualties, totals
from .dates import StatedDate, find_dates
from .lexicon import TERRITORY, Lexicon

# A date in an earlier sentence still dates this one when it is this close and no line break
# intervenes: "On Tuesday, jets struck Saraqeb. Five people were killed in the town."
CARRY_CHARS = 300
IRREALIS_WORDS = 3


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

    @property
    def casualty_text(self) -> str:
        return "; ".join(c.text for c in self.casualties)


class Hit(NamedTuple):
    start: int
    end: int
    trigger: int  # index into lexicon.triggers, -1 for a word hit
    phrase: str


def scan(norm: str, lexicon: Lexicon) -> list[Hit]:
    """Trigger and scanned-word hits in normalised text, longest first where they overlap."""
    padded = " " + norm + " "
    raw = []
    for last, (length, prefix, trigger, phrase) in lexicon.automaton.iter(padded):
        start = last - length + 1  # the leading space, which is norm[start - 1]: so word starts at start
        end = start + len(phrase)
        if prefix:
            space = norm.find(" ", end)
            end = space if space >= 0 else len(norm)
        raw.append(Hit(start, end, trigger, phrase))
    raw.sort(key=lambda h: (h.start, -(h.end - h.start)))
    hits: list[Hit] = []
    ends = {True: -1, False: -1}
    for h in raw:
        is_trigger = h.trigger >= 0
        if h.start >= ends[is_trigger]:
            hits.append(h)
            ends[is_trigger] = h.end
    return hits


def _merge_adjacent(triggers: list[Hit], body: str, lexicon: Lexicon) -> list[Hit]:
    """ "Mortar shells", "ceasefire agreement": neighbouring words of one sub-event are one trigger."""
    merged: list[Hit] = []
    for h in triggers:
        if merged:
            prev = merged[-1]
            a, b = lexicon.triggers[prev.trigger], lexicon.triggers[h.trigger]
            if (a.event_type, a.sub_event_type) == (b.event_type, b.sub_event_type) and body[
                prev.end : h.start
            ].isspace():
                best = prev.trigger if a.rank <= b.rank else h.trigger
                merged[-1] = Hit(prev.start, h.end, best, prev.phrase)
                continue
        merged.append(h)
    return merged


def _date_hits(hits: list[Hit], lexicon: Lexicon) -> list[tuple[int, int, str, str]]:
    out = []
    for h in hits:
        if h.trigger < 0:
            for role in ("month", "weekday", "relative_day"):
                value = lexicon.words[h.phrase].get(role)
                if value is not None:
                    out.append((h.start, h.end, role, value))
    return out


class _Article:
    """Per-article evidence shared by all its mentions."""

    def __init__(self, body: str, norm: str, published: dt.date | None, lexicon: Lexicon, offset: int):
        self.body, self.norm, self.published, self.lexicon = body, norm, published, lexicon
        self.offset = offset
        hits = scan(norm, lexicon)
        self.triggers = _merge_adjacent([h for h in hits if h.trigger >= 0], body, lexicon)
        self.trigger_starts = [h.start for h in self.triggers]
        words = [h for h in hits if h.trigger < 0]
        casualty_roles = ("killed", "injured")
        self.casualty_starts = [h.start for h in words if any(r in lexicon.words[h.phrase] for r in casualty_roles)]
        self.dates = [d for d in find_dates(body, _date_hits(words, lexicon), published) if not d.since]
        self.date_starts = [d.start for d in self.dates]
        self.sentences: dict[int, tuple] = {}
        self.irrealis = set(lexicon.phrases("irrealis"))
        self.actor_pattern = _phrase_pattern(
            {**dict.fromkeys(lexicon.phrases("government"), "g"), **dict.fromkeys(lexicon.phrases("non_state"), "n")}
        )
        self.actor_sides = {p: ("government" if "government" in r else "non_state") for p, r in lexicon.words.items()}

    def sentence(self, start: int, end: int) -> tuple[list[Hit], list[Casualty], list[StatedDate]]:
        key = start
        cached = self.sentences.get(key)
        if cached is None:
            lo, hi = bisect.bisect_left(self.trigger_starts, start), bisect.bisect_left(self.trigger_starts, end)
            triggers = [t for t in self.triggers[lo:hi] if t.end <= end and not self._irrealis(t, start)]
            c_lo = bisect.bisect_left(self.casualty_starts, start)
            has_casualty_word = c_lo < len(self.casualty_starts) and self.casualty_starts[c_lo] < end
            found = (
                find_casualties(self.body[start:end], start + self.offset, self.lexicon) if has_casualty_word else []
            )
            d_lo, d_hi = bisect.bisect_left(self.date_starts, start), bisect.bisect_left(self.date_starts, end)
            cached = self.sentences[key] = (triggers, found, self.dates[d_lo:d_hi])
        return cached

    def _irrealis(self, trigger: Hit, sentence_start: int) -> bool:
        """ "threatened to attack", "will launch an offensive": not (yet) an event."""
        words = self.norm[max(sentence_start, trigger.start - 40) : trigger.start].split()[-IRREALIS_WORDS:]
        return any(
            " ".join(words[i:j]) in self.irrealis for i in range(len(words)) for j in range(i + 1, len(words) + 1)
        )

    def territory_side(self, trigger: Hit, start: int, end: int) -> str:
        """The side taking territory: the actor named nearest before the trigger, else after it."""
        before = after = None
        for m in self.actor_pattern.finditer(self.norm, start, end):
            if m.end() <= trigger.start:
                before = m.group(1)
            elif m.start() >= trigger.end and after is None:
                after = m.group(1)
        actor = before or after
        return self.actor_sides.get(actor, "") if actor else ""

    def carried_date(self, sentence_start: int) -> StatedDate | None:
        i = bisect.bisect_left(self.date_starts, sentence_start) - 1
        if i < 0:
            return None
        date = self.dates[i]
        if sentence_start - date.end > CARRY_CHARS or "\n" in self.body[date.end : sentence_start]:
            return None
        return date


def _phrase_pattern(phrases: dict[str, str]) -> re.Pattern[str]:
    ordered = sorted(phrases, key=len, reverse=True)
    return re.compile(r"(?<![^\s])(" + "|".join(re.escape(p) for p in ordered) + r")(?![^\s])")


def classify(
    body: str,
    norm: str,
    mentions: Sequence[tuple[int, int, int, int]],
    published: dt.date | None,
    lexicon: Lexicon,
    offset: int = 0,
) -> list[Event]:
    """One Event per (start, end, sentence_start, sentence_end) mention, offsets into body.

    Offsets in the events (trigger, casualties) are offsets into body plus `offset`.
    """
    article = _Article(body, norm, published, lexicon, offset)
    return [_classify_one(article, *m) for m in mentions]


def _classify_one(article: _Article, start: int, end: int, s_start: int, s_end: int) -> Event:
    triggers, found, dates = article.sentence(s_start, s_end)
    event_type = sub_event_type = None
    trigger_text, trigger_start = "", None
    anchor = start
    if triggers:
        lexicon = article.lexicon
        best = min(triggers, key=lambda t: (lexicon.triggers[t.trigger].rank, abs(t.start - start)))
        rule = lexicon.triggers[best.trigger]
        event_type, sub_event_type = rule.event_type, rule.sub_event_type
        if sub_event_type in TERRITORY:
            side = article.territory_side(best, s_start, s_end)
            if side:
                sub_event_type = TERRITORY[0] if side == "government" else TERRITORY[1]
        trigger_text, trigger_start, anchor = (
            article.body[best.start : best.end],
            best.start + article.offset,
            best.start,
        )
    date = min(dates, key=lambda d: abs(d.start - anchor)) if dates else article.carried_date(s_start)
    if date:
        event_date, source, date_text = date.value, "stated", date.text
    elif article.published:
        event_date, source, date_text = article.published.isoformat(), "publication", ""
    else:
        event_date, source, date_text = None, "", ""
    return Event(
        event_type,
        sub_event_type,
        trigger_text,
        trigger_start,
        totals(found, "killed"),
        totals(found, "injured"),
        tuple(found),
        event_date,
        source,
        date_text,
    )

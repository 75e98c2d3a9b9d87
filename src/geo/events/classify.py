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
from typing import NamedTuple, cast

from geo.events.casualties import find_casualties, totals
from geo.events.dates import StatedDate, find_dates
from geo.events.lexicon import NO_EVENT, PREFIX, TERRITORY, TRIGGER, Lexicon
from geo.models import Casualty, Event

# Every word and window read here is in lexicons/ (lexicon.Vocabulary): carry_chars, irrealis_words,
# casualty_reach... in event_settings.csv; distance_unit, object_gap... in event_words.csv.
# Deaths of fighters (lexicon role "combatant") with no trigger word are fighting: ACLED's armed clash.
COMBAT_DEATHS = ("Battles", "Armed clash")


class _Patterns(NamedTuple):
    units: re.Pattern[str]  # a distance unit in the text (as a substring), a quick test before the pattern
    reference_point: re.Pattern[str]
    object_gap: re.Pattern[str]


def _alternatives(phrases: Sequence[str]) -> str:
    """Phrases as regex alternatives, longest first, spaces as any run of spaces."""
    return "|".join(r"\s+".join(map(re.escape, p.split())) for p in sorted(phrases, key=len, reverse=True))


def _patterns(lexicon: Lexicon) -> _Patterns:
    """The rules' patterns, built once per lexicon from its words."""
    cached = cast("_Patterns | None", lexicon.derived.get("classify"))
    if cached is None:
        v = lexicon.vocab
        # "25 kilometers (15 miles) north of Aleppo", "60 km from Damascus": a place as a reference point.
        fillers = "".join(rf"(?:{_alternatives([f])}\s+)?" for f in v.reference_filler)
        reference = (
            rf"\b(?:{_alternatives(v.distance_unit)})\b[^.]{{0,{v.reference_gap}}}?"
            rf"\b(?:{_alternatives(v.reference_to)})\s+{fillers}$"
        )
        # Words that may stand between a trigger and the place it acts on: "shelled (the town of) Kafr Nabl".
        gap = rf"\W*(?:(?:{_alternatives(v.object_gap)})\W+){{0,{v.object_gap_words}}}$"
        units = re.compile("|".join(re.escape(u) for u in v.distance_unit) or "(?!)")
        cached = lexicon.derived["classify"] = _Patterns(units, re.compile(reference, re.IGNORECASE), re.compile(gap))
    return cached


class Hit(NamedTuple):
    start: int
    end: int
    trigger: int  # index into lexicon.triggers, -1 for a word hit
    phrase: str


def scan(norm: str, lexicon: Lexicon) -> list[Hit]:
    """Trigger and scanned-word hits in normalised text, longest first where they overlap."""
    padded = " " + norm + " "
    keys = lexicon.scan_keys
    if keys is not None:  # the loop below, compiled (gazetteer/_automaton.pyx)
        triggers, phrases = keys.triggers, keys.phrases
        found = lexicon.automaton.word_hits(padded, keys.key_lengths, keys.word_lengths, keys.flags, PREFIX, TRIGGER)
        make = tuple.__new__  # Hit(...) without NamedTuple's __new__ in Python: a third of the scan
        return [make(Hit, (start, end, triggers[v], phrases[v])) for start, end, v in found]
    raw = []  # (start, -length, arrival, end, trigger, phrase): sorted as the stable sort by (start, -length)
    for n, (last, (length, prefix, trigger, phrase)) in enumerate(lexicon.automaton.iter(padded)):
        start = last - length + 1  # the leading space, which is norm[start - 1]: so word starts at start
        end = start + len(phrase)
        if prefix:
            space = norm.find(" ", end)
            end = space if space >= 0 else len(norm)
        raw.append((start, start - end, n, end, trigger, phrase))
    raw.sort()
    hits: list[Hit] = []
    ends = {True: -1, False: -1}
    for start, _length, _n, end, trigger, phrase in raw:
        is_trigger = trigger >= 0
        if start >= ends[is_trigger]:
            hits.append(Hit(start, end, trigger, phrase))
            ends[is_trigger] = end
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


class _Sentence(NamedTuple):
    start: int
    end: int
    triggers: list[Hit]
    casualties: tuple[Casualty, ...]
    killed: int | None
    injured: int | None
    dates: list[StatedDate]
    combat_deaths: Hit | None  # "an army unit killed all members of a terrorist group": no trigger, still a battle
    events: dict  # (trigger, fallback, date, certain) -> Event: mentions of one sentence share their Event
    ruled_out: bool  # its triggers are threatened or background: no event, and the rules are sure of it


def _windows(body: str, word_starts: list[int], start: int, end: int, reach: int) -> list[tuple[int, int]]:
    """Stretches of the sentence within `reach` (casualty_reach) of a casualty word, merged, cut at spaces:
    casualty figures sit close to their casualty word, only text this near one is read."""
    out: list[tuple[int, int]] = []
    for w in word_starts:
        lo, hi = max(start, w - reach), min(end, w + reach)
        if lo > start:
            lo = body.find(" ", lo, w) + 1 or lo
        if hi < end:
            space = body.rfind(" ", w, hi)
            hi = space if space > w else hi
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], max(hi, out[-1][1]))
        else:
            out.append((lo, hi))
    return out


class _Article:
    """Per-article evidence shared by all its mentions."""

    def __init__(self, body: str, norm: str, published: dt.date | None, lexicon: Lexicon, offset: int):
        self.body, self.norm, self.published, self.lexicon = body, norm, published, lexicon
        self.offset = offset
        hits = scan(norm, lexicon)
        real = [h for h in hits if h.trigger >= 0 and lexicon.triggers[h.trigger].event_type != NO_EVENT]
        self.triggers = _merge_adjacent(real, body, lexicon)
        self.trigger_starts = [h.start for h in self.triggers]
        # One pass sorts the word hits by role (a trigger can be a word too: "executed").
        by_role: dict[str, list[Hit]] = {}
        for h in hits:
            roles = lexicon.words.get(h.phrase)
            if roles:
                for role in roles:
                    by_role.setdefault(role, []).append(h)
        casualty_hits = sorted({*by_role.get("killed", ()), *by_role.get("injured", ())})
        self.casualty_hits = casualty_hits
        self.casualty_starts = [h.start for h in casualty_hits]
        self.casualty_phrases = [h.phrase for h in casualty_hits]
        self.background_starts = [h.start for h in by_role.get("background", ())]
        self.launch_site_ends = [h.end for h in by_role.get("launch_site", ())]
        date_words = sorted(
            (h.start, h.end, role, lexicon.words[h.phrase][role])
            for role in ("month", "weekday", "relative_day", "relative_month", "year")
            for h in by_role.get(role, ())
        )
        stated = find_dates(body, date_words, published, lexicon)
        self.dates = [d for d in stated if not d.since and not d.reporting]
        # "On 3 May 2019, forces shelled...": the month, not the modal "may" (which is written in lowercase)
        self.irrealis_ends = [
            h.end
            for h in by_role.get("irrealis", ())
            if not ("month" in lexicon.words[h.phrase] and body[h.start : h.start + 1].isupper())
        ]
        self.date_starts = [d.start for d in self.dates]
        self.sentences: dict[int, _Sentence] = {}
        self.combatants = lexicon.phrases("combatant")

    def sentence(self, start: int, end: int) -> _Sentence:
        cached = self.sentences.get(start)
        if cached is None:
            cached = self.sentences[start] = self._read_sentence(start, end)
        return cached

    def _read_sentence(self, start: int, end: int) -> _Sentence:
        lo, hi = bisect.bisect_left(self.trigger_starts, start), bisect.bisect_left(self.trigger_starts, end)
        found_triggers = [t for t in self.triggers[lo:hi] if t.end <= end]
        triggers = [t for t in found_triggers if not self._irrealis(t, start)]
        b = bisect.bisect_left(self.background_starts, start)
        if b < len(self.background_starts) and self.background_starts[b] < end:
            triggers = []  # "Syria has been locked in a civil war since 2011 ...": background, not an event
        ruled_out = bool(found_triggers) and not triggers
        c_lo, c_hi = bisect.bisect_left(self.casualty_starts, start), bisect.bisect_left(self.casualty_starts, end)
        found: list[Casualty] = []
        reach = self.lexicon.vocab.casualty_reach
        for w_start, w_end in _windows(self.body, self.casualty_starts[c_lo:c_hi], start, end, reach):
            found += find_casualties(self.body[w_start:w_end], w_start + self.offset, self.lexicon)
        d_lo, d_hi = bisect.bisect_left(self.date_starts, start), bisect.bisect_left(self.date_starts, end)
        said = {kind: self._said(start, end, kind) for kind in ("killed", "injured")} if c_hi > c_lo else {}
        killed = totals(found, "killed", said.get("killed", False))
        injured = totals(found, "injured", said.get("injured", False))
        combat_deaths = None
        if not triggers and said.get("killed"):
            words = set(self.norm[start:end].split())
            if not words.isdisjoint(self.combatants):
                combat_deaths = next(
                    h for h in self.casualty_hits[c_lo:c_hi] if "killed" in self.lexicon.words[h.phrase]
                )
        dates = self.dates[d_lo:d_hi]
        return _Sentence(start, end, triggers, tuple(found), killed, injured, dates, combat_deaths, {}, ruled_out)

    def _said(self, start: int, end: int, kind: str) -> bool:
        """Does the sentence say people were killed (or injured), with or without a number?"""
        lo, hi = bisect.bisect_left(self.casualty_starts, start), bisect.bisect_left(self.casualty_starts, end)
        return any(kind in self.lexicon.words[self.casualty_phrases[i]] for i in range(lo, hi))

    def not_the_scene(self, start: int, sentence_start: int) -> tuple[bool, str]:
        """ "60 km from Damascus", "terrorists positioned in Douma fired ...": the place is not where it
        happened. (decision, reason)."""
        v = self.lexicon.vocab
        i = bisect.bisect_right(self.launch_site_ends, start) - 1
        if i >= 0 and self.launch_site_ends[i] >= sentence_start:
            between = self.norm[self.launch_site_ends[i] : start].split()
            if len(between) <= v.launch_site_words:  # "positioned in (the villages of) Busr al-Harir"
                return True, "a launch site (role launch_site)"
        before = self.norm[max(sentence_start, start - v.reference_reach) : start]
        patterns = _patterns(self.lexicon)
        if patterns.units.search(before) and patterns.reference_point.search(before):
            return True, "a reference point (role distance_unit)"
        return False, "the scene"

    def _irrealis(self, trigger: Hit, sentence_start: int) -> bool:
        """ "threatened to attack", "will launch an offensive": not (yet) an event."""
        i = bisect.bisect_right(self.irrealis_ends, trigger.start) - 1
        if i < 0 or self.irrealis_ends[i] < sentence_start:
            return False
        return len(self.norm[self.irrealis_ends[i] : trigger.start].split()) < self.lexicon.vocab.irrealis_words

    def territory_side(self, trigger: Hit, start: int, end: int) -> str:
        """The side taking territory: the actor named nearest before the trigger, else after it."""
        before = after = None
        agents, reach = self.lexicon.vocab.passive_agent, self.lexicon.vocab.agent_reach
        for m in _actor_pattern(self.lexicon).finditer(self.norm, start, end):
            if m.end() <= trigger.start:
                before = m.group(1)
            elif m.start() >= trigger.end and after is None:
                # only a passive agent: "recaptured by rebels", not "liberated from rebels"
                if any(f" {a} " in self.norm[m.start() - reach : m.start() + 1] for a in agents):
                    after = m.group(1)
        actor = before or after
        if not actor:
            return ""
        return "government" if "government" in self.lexicon.words[actor] else "non_state"

    def carried_date(self, sentence_start: int) -> StatedDate | None:
        i = bisect.bisect_left(self.date_starts, sentence_start) - 1
        if i < 0:
            return None
        date = self.dates[i]
        # A date in an earlier sentence still dates this one when it is this close and no line break
        # intervenes: "On Tuesday, jets struck Saraqeb. Five people were killed in the town."
        if sentence_start - date.end > self.lexicon.vocab.carry_chars or "\n" in self.body[date.end : sentence_start]:
            return None
        return date


def _actor_pattern(lexicon: Lexicon) -> re.Pattern[str]:
    """Government and non-state actor phrases as one pattern, longest first."""
    pattern = cast("re.Pattern[str] | None", lexicon.derived.get("actors"))
    if pattern is None:
        phrases = sorted({*lexicon.phrases("government"), *lexicon.phrases("non_state")}, key=len, reverse=True)
        alternatives = "|".join(re.escape(p) for p in phrases)
        # "armys": news copy that lost its apostrophes still names the army
        pattern = lexicon.derived["actors"] = re.compile(r"(?<![^\s])(" + alternatives + r")s?(?![^\s])")
    return pattern


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
    sentence = article.sentence(s_start, s_end)
    best = fallback = None
    certain = sentence.ruled_out
    if sentence.triggers or sentence.combat_deaths:
        away, _ = article.not_the_scene(start, s_start)
        if away:
            certain = True  # "60 km from Damascus", "positioned in Douma fired on ...": not where it happened
        else:
            ranks = article.lexicon.triggers
            if sentence.triggers:
                best = min(sentence.triggers, key=lambda t: (ranks[t.trigger].rank, abs(t.start - start)))
                gap = _patterns(article.lexicon).object_gap
                certain = best.end <= start and bool(gap.match(article.norm, best.end, start))
            else:
                fallback = sentence.combat_deaths
    anchor = best.start if best else start
    dates = sentence.dates
    date = min(dates, key=lambda d: abs(d.start - anchor)) if dates else article.carried_date(s_start)
    key = (best, fallback, date, certain)
    event = sentence.events.get(key)
    if event is None:
        event = sentence.events[key] = _event(article, sentence, best, fallback, date, certain)
    return event


def _event(
    article: _Article,
    sentence: _Sentence,
    best: Hit | None,
    fallback: Hit | None,
    date: StatedDate | None,
    certain: bool,
) -> Event:
    event_type = sub_event_type = None
    trigger_text, trigger_start = "", None
    if best:
        rule = article.lexicon.triggers[best.trigger]
        event_type, sub_event_type = rule.event_type, rule.sub_event_type
        if sub_event_type in TERRITORY:
            side = article.territory_side(best, sentence.start, sentence.end)
            if side:
                sub_event_type = TERRITORY[0] if side == "government" else TERRITORY[1]
        trigger_text, trigger_start = article.body[best.start : best.end], best.start + article.offset
    elif fallback:
        event_type, sub_event_type = COMBAT_DEATHS
        trigger_text, trigger_start = article.body[fallback.start : fallback.end], fallback.start + article.offset
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
        sentence.killed,
        sentence.injured,
        sentence.casualties,
        event_date,
        source,
        date_text,
        certain=certain,
    )

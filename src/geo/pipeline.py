"""The pipeline in one place: article text -> matches -> resolved places -> mentions.

Both the CLI and the dashboard call `parse_article` / `parse_paths`, nothing else.
"""

from __future__ import annotations

import bisect
import datetime as dt
import os
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geo import gazetteer as gazetteer_module
from geo.corpus.reader import article_files, read_article
from geo.errors import ArticleError
from geo.events import coder, corrections
from geo.events import lexicon as lexicon_module
from geo.events.classify import classify
from geo.events.lexicon import Lexicon
from geo.events.records import event_records, unplaced_event
from geo.gazetteer import Gazetteer
from geo.models import Article, Event, EventRecord, Mention, ParseResult, Place
from geo.places.cues import PlaceLike
from geo.places.matcher import Match, find_matches
from geo.places.resolver import Resolved, resolve
from geo.places.soundalike import add_soundalikes
from geo.text.normalise import Squeezed, normalise, squeeze
from geo.text.sentences import sentence_at

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor


def parse_text(
    name: str,
    text: str,
    gaz: Gazetteer,
    body_start: int = 0,
    published: dt.date | None = None,
    lexicon: Lexicon | None = None,
    with_events: bool = True,
) -> list[Mention]:
    """Mentions of places in text[body_start:], with offsets into the whole text, and their events.

    `with_events=False` skips the event step (mentions get event None), for places-only speed.
    """
    return parse_text_events(name, text, gaz, body_start, published, lexicon, with_events)[0]


def parse_text_events(
    name: str,
    text: str,
    gaz: Gazetteer,
    body_start: int = 0,
    published: dt.date | None = None,
    lexicon: Lexicon | None = None,
    with_events: bool = True,
    original_offset: Callable[[int], int] = int,
) -> tuple[list[Mention], list[EventRecord]]:
    """The mentions of `parse_text` and the article's event records (events/records.py).

    `original_offset` maps an offset of `text` to the file as written, where reviewers' corrections
    are keyed (it differs when `text` is the squeezed copy)."""
    if squeezed := squeeze(text):  # accents typed after letters, bidi controls, zero-width joiners: match without
        found, records = parse_text_events(
            name, squeezed.text, gaz, squeezed.offset_of(body_start), published, lexicon, with_events, squeezed.start
        )
        return _rebased(found, records, squeezed, name)
    body = text[body_start:] if body_start else text
    norm = normalise(body)
    matches = outside_organisations(body, outside_links(body, find_matches(body, gaz, norm)), gaz)
    resolved = resolve(body, norm, matches, gaz)
    unplaced: list[PlaceLike] = []
    if gaz.phonetic:
        resolved, unplaced = add_soundalikes(body, resolved, gaz, str(lexicon_module.default_root()))
    if gaz.overrides:
        resolved = apply_overrides(name, body, body_start, resolved, gaz, original_offset)
    if not resolved:
        return [], []
    spans = []
    sentence: tuple[str, int] = ("", 0)
    sentence_end = -1
    for r in resolved:
        s, e = r.match.start, r.match.end
        if s >= sentence_end or e > sentence_end:  # mentions in one sentence share its excerpt
            sentence = sentence_at(body, s, e)
            sentence_end = sentence[1] + len(sentence[0])
            if s < sentence[1]:
                sentence_end = -1
        spans.append((s, e, sentence[1], sentence[1] + len(sentence[0]), sentence[0]))
    events: Sequence[Event | None]
    lone: list[tuple[PlaceLike, tuple[str, int]]] = []  # unplaced names alone in their sentence
    if with_events:
        lexicon = lexicon or lexicon_module.load()
        told = {sp[2] for sp in spans}
        for like in unplaced:
            around = sentence_at(body, like.start, like.end)
            if around[1] not in told:
                lone.append((like, around))
        lone_spans = [(like.start, like.end, s[1], s[1] + len(s[0])) for like, s in lone]
        coded = classify(body, norm, [sp[:4] for sp in spans] + lone_spans, published, lexicon, body_start)
        model = coder.load(lexicon.root)
        if model is not None:
            places = [(s, e, ex_s, ex) for s, e, ex_s, _, ex in spans] + [
                (like.start, like.end, at, said) for like, (said, at) in lone
            ]
            coded = decide(model, norm, places, coded)
        lone_events, events = coded[len(spans) :], coded[: len(spans)]
    else:
        events = [None] * len(spans)
    mentions = [
        Mention(name, s + body_start, e + body_start, body[s:e], r.place, r.reason, excerpt, ex_s + body_start, event)
        for r, (s, e, ex_s, _, excerpt), event in zip(resolved, spans, events, strict=True)
    ]
    if not with_events or lexicon is None:
        return mentions, []
    mentions = corrections.apply(mentions, corrections.current(lexicon.root), original_offset)
    records, mentions = event_records(mentions, lexicon, gaz.district_of)
    seen = {r.event_id for r in records}
    for (like, (said, s_start)), event in zip(lone, lone_events, strict=True):
        area = _area_around(like.start + body_start, mentions, gaz)
        if event.event_type and area is not None:
            record = unplaced_event(event, like.name, said, s_start + body_start, name, area, lexicon)
            if record.event_id not in seen:
                seen.add(record.event_id)
                records.append(record)
    return mentions, records


def decide(model: coder.Model, norm: str, places: list[tuple[int, int, int, str]], coded: list[Event]) -> list[Event]:
    """The learned coder's decision for each place (start, end, sentence start, sentence), given the rules'.

    Places one rules event covers in one sentence are decided together (coder.Model.decide_together);
    the sentence's features are scored once for all its places, and not at all when the rules are
    certain of the group (they decide it: 16% of FA-KES's places)."""
    groups: dict[tuple, list[int]] = {}
    for i, event in enumerate(coded):
        if model.scope == "events" and not event.event_type:
            continue  # the rules decide (certain ones stay in their group: they decide it)
        groups.setdefault((places[i][2], event.trigger_start, event.event_type, event.sub_event_type), []).append(i)
    bases: dict[int, tuple[str, Any]] = {}  # sentence start -> (normalised sentence, its scores)
    decided = list(coded)
    for members in groups.values():
        items: list[tuple[Event, tuple[str, float] | None]] = []
        if any(coded[i].certain for i in members):
            items = [(coded[i], None) for i in members]  # decide_together reads no scores here
        else:
            for i in members:
                s, e, at, said = places[i]
                if at not in bases:
                    sentence_norm = norm[at : at + len(said)]
                    bases[at] = (sentence_norm, model.sentence_scores(sentence_norm))
                sentence_norm, base = bases[at]
                items.append((coded[i], model.place_best(sentence_norm, s - at, e - at, coded[i], base)))
        for i, event in zip(members, model.decide_together(items), strict=True):
            decided[i] = event
    return decided


def _rebased(
    found: list[Mention], records: list[EventRecord], squeezed: Squeezed, name: str
) -> tuple[list[Mention], list[EventRecord]]:
    """Mentions and event records found in the squeezed copy of a text, with offsets into the original."""

    def event_id(old: str | None) -> str | None:
        if old is None:
            return None
        offset = int(old.rsplit(":", 1)[1])
        return f"{name}:{squeezed.start(offset)}"

    mentions = [replace(m.rebased(squeezed), event_id=event_id(m.event_id)) for m in found]
    original = squeezed.original
    events = []
    for r in records:
        start, end = squeezed.start(r.start), squeezed.end(r.end)
        events.append(replace(r, event_id=event_id(r.event_id) or "", start=start, end=end, notes=original[start:end]))
    return mentions, events


def _area_around(at: int, mentions: list[Mention], gaz: Gazetteer) -> Place | None:
    """The governorate of the Syrian place named nearest before `at` (else after it), as a Place."""
    syrian = [m for m in mentions if m.place.governorate]
    before = [m for m in syrian if m.start < at]
    nearest = before[-1] if before else (syrian[0] if syrian else None)
    return gaz.governorate_place(nearest.place.governorate) if nearest else None


_LINK = re.compile(r"(?:https?://|www\.)[^\s)\]>\"']+|\]\([^)\s]*\)")


def outside_links(body: str, matches: list[Match]) -> list[Match]:
    """Matches outside web addresses and Markdown link targets: "idlib" in a URL is no mention."""
    if "://" not in body and "www." not in body and "](" not in body:
        return matches
    starts, ends = [], []  # the links in order; they never overlap, so only the last one begun can hold a match
    for link in _LINK.finditer(body):
        starts.append(link.start())
        ends.append(link.end())
    if not starts:
        return matches
    kept = []
    for m in matches:
        i = bisect.bisect_right(starts, m.start) - 1
        if i < 0 or m.end > ends[i]:
            kept.append(m)
    return kept


def outside_organisations(body: str, matches: list[Match], gaz: Gazetteer) -> list[Match]:
    """Matches that are not part of an organisation's name ("Liwa Thuwar al-Raqqa", "Idlib Health Directorate").

    The words that make a name an organisation's are data: org_after and org_before in context_words.csv.
    """
    after, before = gaz.context.org_after, gaz.context.org_before
    return [
        m
        for m in matches
        if not after.match(body, m.end) and not (m.start and before.search(body, max(0, m.start - 40), m.start))
    ]


OVERRIDE_REASON = "corrected by a reviewer for this article (gazetteer/curated/overrides.csv)"


def apply_overrides(
    name: str,
    body: str,
    body_start: int,
    resolved: list[Resolved],
    gaz: Gazetteer,
    original_offset: Callable[[int], int] = int,
) -> list[Resolved]:
    """A reviewer's correction of one mention wins; it is ignored once the text there has changed."""
    out = []
    for r in resolved:
        fix = gaz.overrides.get((name, original_offset(r.match.start + body_start)))
        if fix is None or body[r.match.start : r.match.end] != fix[0]:
            out.append(r)
        elif fix[1]:  # "" means: not a place here
            out.append(r._replace(place=gaz.places[fix[1]], reason=OVERRIDE_REASON))
    return out


def parse_article(article: Article, gaz: Gazetteer, lexicon: Lexicon | None = None) -> list[Mention]:
    return parse_text(article.name, article.text, gaz, article.body_start, article.published, lexicon)


def _parse_path(
    path: Path, gaz: Gazetteer, lexicon: Lexicon | None, with_events: bool = True, folder: Path | None = None
) -> ParseResult:
    try:
        article = read_article(path, folder)
    except ArticleError as e:
        return ParseResult(None, [], e)
    return parse_read_article(article, gaz, lexicon, with_events)


def parse_read_article(
    article: Article, gaz: Gazetteer, lexicon: Lexicon | None, with_events: bool = True
) -> ParseResult:
    """The parse of one article once read: the step `geo parse` and `geo batch` share."""
    mentions, events = parse_text_events(
        article.name, article.text, gaz, article.body_start, article.published, lexicon, with_events
    )
    return ParseResult(article, mentions, events=events)


_worker_gazetteer: Gazetteer | None = None
_worker_lexicon: Lexicon | None = None
_worker_events = True


def _worker_init(root: str, with_events: bool = True) -> None:
    """Forked workers inherit the parent's gazetteer; spawned ones load it from the cache."""
    global _worker_gazetteer, _worker_lexicon, _worker_events
    if _worker_gazetteer is None:
        _worker_gazetteer = gazetteer_module.load(Path(root))
    _worker_events = with_events
    if with_events and _worker_lexicon is None:
        _worker_lexicon = lexicon_module.load()


def process_pool(
    gaz: Gazetteer, jobs: int, lexicon: Lexicon | None = None, with_events: bool = True
) -> ProcessPoolExecutor:
    """Worker processes that share `gaz` (copy-on-write after fork where the OS has it)."""
    import multiprocessing  # imported here: one process (the first output line) needs neither
    from concurrent.futures import ProcessPoolExecutor

    global _worker_gazetteer, _worker_lexicon
    _worker_gazetteer, _worker_lexicon = gaz, lexicon
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    return ProcessPoolExecutor(
        jobs, mp_context=context, initializer=_worker_init, initargs=(str(gaz.root), with_events)
    )


def _worker_parse(task: tuple[Path, Path | None, Callable[[ParseResult], str] | None]) -> ParseResult:
    assert _worker_gazetteer is not None
    path, folder, render = task
    return _rendered(_parse_path(path, _worker_gazetteer, _worker_lexicon, _worker_events, folder), render)


def _rendered(result: ParseResult, render: Callable[[ParseResult], str] | None) -> ParseResult:
    """With `render`: the result as finished output text, without its records or the article's text
    (what a worker sends back is then a few strings, not thousands of objects to unpickle)."""
    if render is None or result.error is not None or result.article is None:
        return result
    return ParseResult(replace(result.article, text=""), [], None, [], render(result))


def parse_paths(
    paths: list[Path],
    gaz: Gazetteer,
    jobs: int = 1,
    lexicon: Lexicon | None = None,
    with_events: bool = True,
    render: Callable[[ParseResult], str] | None = None,
) -> Iterator[ParseResult]:
    """Parse files and folders in order; unreadable files come back with `error` set.

    `render` (picklable, e.g. output.render_mentions with its format bound): each result comes back
    as its output text in `rendered`, made where it was parsed; one process or many, the same text.
    """
    files = list(article_files(paths))
    if with_events and lexicon is None:
        lexicon = lexicon_module.load()
    if jobs <= 1 or len(files) < 2 * jobs:
        for path, folder in files:
            yield _rendered(_parse_path(path, gaz, lexicon, with_events, folder), render)
        return
    tasks = [(path, folder, render) for path, folder in files]
    # 32 chunks a worker: the last ones are short, so no core idles long at the end (8 a worker: --jobs 2
    # ran 1.65x one process; 32: 1.81x, on 2,367 files)
    with process_pool(gaz, jobs, lexicon, with_events) as pool:
        yield from pool.map(_worker_parse, tasks, chunksize=max(1, len(files) // (jobs * 32)))


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)

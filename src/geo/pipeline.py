"""The pipeline in one place: article text -> matches -> resolved places -> mentions.

Both the CLI and the dashboard call `parse_article` / `parse_paths`, nothing else.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import re
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from geo import gazetteer as gazetteer_module
from geo.corpus.reader import article_files, read_article
from geo.errors import ArticleError
from geo.events import lexicon as lexicon_module
from geo.events.classify import classify
from geo.events.lexicon import Lexicon
from geo.gazetteer import Gazetteer
from geo.models import Article, Event, Mention
from geo.places.matcher import Match, find_matches
from geo.places.resolver import Resolved, resolve
from geo.places.soundalike import add_soundalikes
from geo.text.normalise import normalise, squeeze
from geo.text.sentences import sentence_at


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
    if squeezed := squeeze(text):  # accents typed after letters, bidi controls, zero-width joiners: match without
        found = parse_text(name, squeezed.text, gaz, squeezed.offset_of(body_start), published, lexicon, with_events)
        return [m.rebased(squeezed) for m in found]
    body = text[body_start:] if body_start else text
    norm = normalise(body)
    matches = outside_organisations(body, outside_links(body, find_matches(body, gaz, norm)), gaz)
    resolved = resolve(body, norm, matches, gaz)
    if gaz.phonetic:
        resolved = add_soundalikes(body, resolved, gaz, str(lexicon_module.default_root()))
    if gaz.overrides:
        resolved = apply_overrides(name, body, body_start, resolved, gaz)
    if not resolved:
        return []
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
    if with_events:
        lexicon = lexicon or lexicon_module.load()
        events = classify(body, norm, [sp[:4] for sp in spans], published, lexicon, body_start)
    else:
        events = [None] * len(spans)
    return [
        Mention(name, s + body_start, e + body_start, body[s:e], r.place, r.reason, excerpt, ex_s + body_start, event)
        for r, (s, e, ex_s, _, excerpt), event in zip(resolved, spans, events, strict=True)
    ]


_LINK = re.compile(r"(?:https?://|www\.)[^\s)\]>\"']+|\]\([^)\s]*\)")


def outside_links(body: str, matches: list[Match]) -> list[Match]:
    """Matches outside web addresses and Markdown link targets: "idlib" in a URL is no mention."""
    if "://" not in body and "www." not in body and "](" not in body:
        return matches
    links = [m.span() for m in _LINK.finditer(body)]
    return [m for m in matches if not any(s <= m.start and m.end <= e for s, e in links)]


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


def apply_overrides(name: str, body: str, body_start: int, resolved: list[Resolved], gaz: Gazetteer) -> list[Resolved]:
    """A reviewer's correction of one mention wins; it is ignored once the text there has changed."""
    out = []
    for r in resolved:
        fix = gaz.overrides.get((name, r.match.start + body_start))
        if fix is None or body[r.match.start : r.match.end] != fix[0]:
            out.append(r)
        elif fix[1]:  # "" means: not a place here
            out.append(r._replace(place=gaz.places[fix[1]], reason=OVERRIDE_REASON))
    return out


def parse_article(article: Article, gaz: Gazetteer, lexicon: Lexicon | None = None) -> list[Mention]:
    return parse_text(article.name, article.text, gaz, article.body_start, article.published, lexicon)


@dataclass(frozen=True, slots=True)
class ParseResult:
    article: Article | None
    mentions: list[Mention]
    error: ArticleError | None = None


def _parse_path(
    path: Path, gaz: Gazetteer, lexicon: Lexicon | None, with_events: bool = True, folder: Path | None = None
) -> ParseResult:
    try:
        article = read_article(path, folder)
    except ArticleError as e:
        return ParseResult(None, [], e)
    mentions = parse_text(article.name, article.text, gaz, article.body_start, article.published, lexicon, with_events)
    return ParseResult(article, mentions)


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
    global _worker_gazetteer, _worker_lexicon
    _worker_gazetteer, _worker_lexicon = gaz, lexicon
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    return ProcessPoolExecutor(
        jobs, mp_context=context, initializer=_worker_init, initargs=(str(gaz.root), with_events)
    )


def _worker_parse(file: tuple[Path, Path | None]) -> ParseResult:
    assert _worker_gazetteer is not None
    return _parse_path(file[0], _worker_gazetteer, _worker_lexicon, _worker_events, file[1])


def parse_paths(
    paths: list[Path], gaz: Gazetteer, jobs: int = 1, lexicon: Lexicon | None = None, with_events: bool = True
) -> Iterator[ParseResult]:
    """Parse files and folders in order; unreadable files come back with `error` set."""
    files = list(article_files(paths))
    if with_events and lexicon is None:
        lexicon = lexicon_module.load()
    if jobs <= 1 or len(files) < 2 * jobs:
        for path, folder in files:
            yield _parse_path(path, gaz, lexicon, with_events, folder)
        return
    with process_pool(gaz, jobs, lexicon, with_events) as pool:
        yield from pool.map(_worker_parse, files, chunksize=max(1, len(files) // (jobs * 8)))


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)

"""Names that look like places by their context: after "in", "near", "the village of"; before "district",
"countryside"; starting with Kafr, Tal, Deir... (the cue words are data: lexicons/place_cues.csv).

Two readers use them: the sound-alike stage, which resolves such a name when it sounds like a
gazetteer place (places/soundalike.py), and curation, which lists the rest for a person to map.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from geo import settings, store
from geo.errors import LexiconError
from geo.events import lexicon
from geo.gazetteer import Automaton, Gazetteer, automaton_kind, make_automaton, read_rows
from geo.text.normalise import alias_key

# A capitalised name of up to four words, with al-/el-/as-... particles: "Kafr Nabl", "Tal al-Sultan".
_PARTICLE = r"(?:(?:al|el|ad|ash|as|at|az|ar|an|ed|es|et|ez|er|en|ul|il)[-‐ ])?"
_WORD = r"[A-Z][\w'’`-]*"
NAME = rf"{_PARTICLE}{_WORD}(?:[ -]{_PARTICLE}{_WORD}){{0,3}}"
CUE_ROLES = ("before", "after", "prefix")


@dataclass(frozen=True, slots=True)
class PlaceLike:
    start: int
    end: int
    name: str
    cue: str  # "after_cue" (a cue word before the name), "before_cue" (one after it) or "prefixed"


def load_cues(path: Path | None = None) -> dict[str, list[str]]:
    cues: dict[str, list[str]] = {role: [] for role in CUE_ROLES}
    path = path or lexicon.default_root() / "place_cues.csv"
    for line, row in read_rows(path, ("phrase", "role", "note")):
        if row["role"] not in cues:
            raise LexiconError(path, line, f"role {row['role']!r} is not one of {', '.join(cues)}")
        cues[row["role"]].append(row["phrase"].strip())
    return cues


_PARTICLES = ("al", "el", "ad", "ash", "as", "at", "az", "ar", "an", "ed", "es", "et", "ez", "er", "en", "ul", "il")
_NAME_STARTS = tuple(chr(c) for c in range(ord("A"), ord("Z") + 1)) + tuple(
    p + sep for p in _PARTICLES for sep in ("-", "‐", " ")
)
_NAME_AT = re.compile(NAME)
_NAME_AT_END = re.compile(rf"(?<![\w'’`-])(?P<name>{NAME})$")
_CUED, _PREFIXED, _BEFORE = 0, 1, 2  # what a cue hit says: a name starts here, a prefixed name, a name ends here


@dataclass(frozen=True)
class CuePatterns:
    """Every cue word in place, found by one Aho-Corasick pass over the text (as fast as the place match).

    A word before a name is stored with the name's first letter ("in K", "near al-"), so that only
    cues followed by a name come out of the pass; a prefix with its space or hyphen ("Kafr "); a word
    after a name with the space before it (" district"). A key's value is its place in `kinds`:
    (what the hit says, key length, how many of the key's last characters belong to the name).
    """

    automaton: Automaton
    kinds: tuple[tuple[int, int, int], ...]


def cue_pattern(cues: dict[str, list[str]]) -> CuePatterns:
    keys: dict[str, int] = {}
    kinds: list[tuple[int, int, int]] = []

    def add(key: str, what: int, into_name: int = 0) -> None:
        keys[key] = len(kinds)  # a key given twice: the last one counts
        kinds.append((what, len(key), into_name))

    for phrase in cues["before"]:
        for space in (" ", "\n"):
            for the in ("", "the ", "the\n"):
                for first in _NAME_STARTS:
                    add(f"{phrase}{space}{the}{first}", _CUED, len(first))
    for phrase in cues["prefix"]:
        for joint in (" ", "-"):
            add(phrase + joint, _PREFIXED)
    for phrase in cues["after"]:
        for space in (" ", "\n", "\t"):
            add(space + phrase, _BEFORE)
    return CuePatterns(make_automaton(keys), tuple(kinds))


@lru_cache(maxsize=4)
def default_pattern(root: str) -> CuePatterns:
    """The patterns of root/place_cues.csv, through a pickle in the cache folder (as the gazetteer's index):
    building the automaton of its ~17k keys took 7-17 ms of every start-up, reading it back 3 ms. The
    pickle is keyed by the file's bytes, this module's source and the kind of automaton (make_automaton),
    so a change of any makes a new one."""
    path = Path(root) / "place_cues.csv"
    try:
        data = path.read_bytes()
    except OSError:
        return cue_pattern(load_cues(path))  # which names the file and what is wrong with it
    digest = hashlib.sha256(data + Path(__file__).read_bytes() + automaton_kind()).hexdigest()[:20]
    cache = settings.cache_dir() / f"place-cues-{digest}.pickle"
    patterns = store.load_cache(cache)
    if isinstance(patterns, CuePatterns):
        return patterns
    patterns = cue_pattern(load_cues(path))
    store.save_cache(cache, patterns, "place-cues-*.pickle")  # a read-only home still works, without the cache
    return patterns


def _cued(
    text: str, start: int, patterns: CuePatterns, found_starts: set[int], found_ends: set[int]
) -> list[tuple[int, int, str]]:
    """(start, end, cue) of every name in a cue's place, leftmost first, none overlapping.

    Most cues stand beside a place the engine found ("in Aleppo"): a name starting or ending at a
    found place is passed over before any regex runs.
    """
    hits = []
    size = len(text)
    kinds = patterns.kinds
    for last, value in patterns.automaton.iter(text, start):
        what, length, into_name = kinds[value]
        end = last + 1
        begin = end - length
        if what == _BEFORE:
            if begin in found_ends or begin <= start or text[begin - 1] in " \t\n":
                continue
            if end < size and (text[end].isalnum() or text[end] == "_"):
                continue  # "districts": not the cue word
            word = text[max(start, begin - 40) : begin].rsplit(" ", 1)[-1]
            if not (word[:1].isupper() or "-" in word or "‐" in word):
                continue  # the word before is no name: "the rural area"
            before = _NAME_AT_END.search(text, max(start, begin - 80), begin)
            if before:
                hits.append((before.start("name"), before.end("name"), "before_cue"))
            continue
        if begin > 0 and (text[begin - 1].isalnum() or text[begin - 1] == "_"):
            continue  # "Berlin A...": the cue word is the end of another word
        if what == _CUED:
            if end - into_name in found_starts:
                continue
            name = _NAME_AT.match(text, end - into_name)
            if name:
                hits.append((name.start(), name.end(), "after_cue"))
        elif begin not in found_starts:
            name = _NAME_AT.match(text, end)
            if name:
                hits.append((begin, name.end(), "prefixed"))
    hits.sort(key=lambda h: (h[0], -h[1], h[2] != "after_cue"))
    out: list[tuple[int, int, str]] = []
    for hit in hits:
        if not out or hit[0] >= out[-1][1]:
            out.append(hit)
    return out


def place_like_names(
    text: str, start: int, found: list[tuple[int, int]], gaz: Gazetteer, patterns: CuePatterns
) -> Iterator[PlaceLike]:
    """Names in text[start:] that look like places, are not in `found` spans and not in the gazetteer.

    Names of actors, dates and events, titles, nationalities and ordinary words are left out.
    """
    spans = sorted(found)
    starts = [s for s, _ in spans]
    not_names = known_non_places(str(lexicon.default_root()))
    for begin, end, group in _cued(text, start, patterns, set(starts), {e for _, e in spans}):
        if overlaps(spans, starts, begin, end):
            continue  # the engine found a place here
        like = screened(text, begin, end, group, gaz, not_names)
        if like and not overlaps(spans, starts, like.start, like.end):
            yield like


def overlaps(spans: list[tuple[int, int]], starts: list[int], begin: int, end: int) -> bool:
    """Does [begin, end) overlap one of `spans` (sorted, not overlapping one another)? By bisection."""
    i = bisect.bisect_left(starts, end)
    return i > 0 and spans[i - 1][1] > begin


def screened(
    text: str, begin: int, end: int, cue: str, gaz: Gazetteer, not_names: frozenset[str] | None = None
) -> PlaceLike | None:
    """text[begin:end] as a place-like name, or None: in the gazetteer already, or an actor, date, event,
    title, nationality or ordinary words. The decision depends on the written name only, so it is
    remembered per gazetteer (names recur across articles)."""
    if not_names is None:
        not_names = known_non_places(str(lexicon.default_root()))
    raw = text[begin:end]
    memo_key = ("screen", raw, not_names)
    name = gaz.memo.get(memo_key, _UNSEEN)
    if name is _UNSEEN:
        if len(gaz.memo) > MEMO_LIMIT:
            gaz.memo.clear()
        name = gaz.memo[memo_key] = _screen(raw, gaz, not_names)
    if name is None:
        return None
    begin += max(0, raw.replace("’", "'").find(name))  # "The Hague": the span starts at the name
    return PlaceLike(begin, begin + len(name), name, cue)


_UNSEEN = object()
MEMO_LIMIT = 200_000


def _screen(raw: str, gaz: Gazetteer, not_names: frozenset[str]) -> str | None:
    """The name in `raw` when it may be a place the gazetteer does not know; the cheapest tests come first."""
    name = trim(raw)
    if not name:
        return None
    if _ADJECTIVE.search(name) or _NATIONALITY.search(name):
        return None  # "Daesh-held", "Kurdish-majority", "Syrian Kurdish"
    key = alias_key(name)
    words = set(key.replace("-", " ").split())
    if words <= gaz.common_words:
        return None  # "Security Council", "Monday": ordinary words
    if key in not_names or key[:-1] in not_names or key in gaz.not_place_keys or gaz.entry_for(name) is not None:
        return None
    if not words.isdisjoint(not_names) or gaz.context.title_before.search(" " + alias_key(name.split()[0])):
        return None  # "Russian Airstrikes", "President Bashar": events, titles
    return name


_NATIONALITY = re.compile(r"(?:ian|ish|ic|ese|ean|ite)s?$")
_ADJECTIVE = re.compile(
    r"-(?:held|majority|led|based|controlled|backed|run|linked|affiliated|dominated)$", re.IGNORECASE
)


@lru_cache(maxsize=4)
def known_non_places(lexicon_root: str) -> frozenset[str]:
    """Actors and date words from the event lexicon ("Daesh", "Jul"): never proposed as places."""
    lex = lexicon.load(Path(lexicon_root))
    words = set()
    for role in ("government", "non_state", "month", "weekday", "killed", "injured"):
        words |= {alias_key(p) for p in lex.phrases(role)}
    for t in lex.triggers:  # "Clashes", "Russian Airstrikes": event words, not names
        if " " not in t.phrase:
            stem = alias_key(t.phrase.rstrip("*"))
            words |= {stem, stem + "s", stem + "es"}
    return frozenset(words)


_TRAILING = {"The", "A", "An", "On", "In", "And", "Of", "Syria", "Syrian"}


def trim(name: str) -> str:
    """Drop a leading article and trailing possessive: "the Jobar" -> "Jobar", "Douma's" -> "Douma"."""
    words = name.replace("’", "'").split(" ")
    while words and words[0] in ("The", "A", "An"):
        words.pop(0)
    while words and words[-1] in _TRAILING:
        words.pop()
    name = " ".join(words)
    return re.sub(r"'s?$", "", name).strip(" -")

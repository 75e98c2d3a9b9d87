"""Names that look like places by their context: after "in", "near", "the village of"; before "district",
"countryside"; starting with Kafr, Tal, Deir... (the cue words are data: lexicons/place_cues.csv).

Two readers use them: the sound-alike stage, which resolves such a name when it sounds like a
gazetteer place (places/soundalike.py), and curation, which lists the rest for a person to map.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from geo.errors import LexiconError
from geo.events import lexicon
from geo.gazetteer import Gazetteer, read_rows
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


@dataclass(frozen=True)
class CuePatterns:
    """Two scans, each led by literal words (fast): a cue word before a name or a prefix, and one after it."""

    leading: re.Pattern[str]  # "in Kafr Sousa" (group "cued"), "Kafr Nabl" (group "prefixed")
    after: re.Pattern[str]  # " district": the name is the run of capitalised words ending just before


_NAME_AT_END = re.compile(rf"(?<![\w'’`-])(?P<name>{NAME})$")


def alternatives(words: list[str]) -> str:
    """A regex matching any of `words`, written as a trie ("in|near|north of" -> "in|n(?:ear|orth of)"),
    which Python's regex engine tries far faster than a flat list of alternatives."""
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def pattern(node: dict) -> str:
        ends = "" in node
        branches = [re.escape(ch) + pattern(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 and not ends else "(?:" + "|".join(branches) + ")"
        return body + "?" if ends else body

    return pattern(trie)


def cue_pattern(cues: dict[str, list[str]]) -> CuePatterns:
    return CuePatterns(
        re.compile(
            rf"\b(?:(?:{alternatives(cues['before'])})\s+(?:the\s+)?(?P<cued>{NAME})"
            rf"|(?P<prefixed>(?:{alternatives(cues['prefix'])})[ -]{NAME}))"
        ),
        re.compile(rf"\s(?:{alternatives(cues['after'])})\b"),
    )


@lru_cache(maxsize=4)
def default_pattern(root: str) -> CuePatterns:
    return cue_pattern(load_cues(Path(root) / "place_cues.csv"))


def _cued(text: str, start: int, patterns: CuePatterns) -> list[tuple[int, int, str]]:
    """(start, end, cue) of every name in a cue's place, leftmost first, none overlapping."""
    hits = []
    for m in patterns.leading.finditer(text, start):
        group = "after_cue" if m.group("cued") else "prefixed"
        hits.append((*m.span("cued" if group == "after_cue" else "prefixed"), group))
    for m in patterns.after.finditer(text, start):
        at = m.start()
        if at <= start or text[at - 1] in " \t\n":
            continue
        before = _NAME_AT_END.search(text, max(start, at - 80), at)
        if before:
            hits.append((before.start("name"), before.end("name"), "before_cue"))
    hits.sort(key=lambda h: (h[0], -h[1]))
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
    for begin, end, group in _cued(text, start, patterns):
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
    title, nationality or ordinary words. The cheapest tests come first."""
    name = trim(text[begin:end])
    if not name:
        return None
    end = begin + len(name)
    if _ADJECTIVE.search(name) or _NATIONALITY.search(name):
        return None  # "Daesh-held", "Kurdish-majority", "Syrian Kurdish"
    key = alias_key(name)
    words = set(key.replace("-", " ").split())
    if words <= gaz.common_words:
        return None  # "Security Council", "Monday": ordinary words
    if not_names is None:
        not_names = known_non_places(str(lexicon.default_root()))
    if key in not_names or key[:-1] in not_names or key in gaz.not_place_keys or gaz.entry_for(name) is not None:
        return None
    if not words.isdisjoint(not_names) or gaz.context.title_before.search(" " + alias_key(name.split()[0])):
        return None  # "Russian Airstrikes", "President Bashar": events, titles
    return PlaceLike(begin, end, name, cue)


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

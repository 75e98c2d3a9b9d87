"""The sound-alike stage: a name the exact index does not know, written where a place is expected,
that sounds like a gazetteer place ("shelled Kafranbel" -> Kafr Nabl).

It runs after exact matching and resolution, only on capitalised names in place context (cue
words from lexicons/place_cues.csv: "in", "near", "village of", "countryside"...), and only when
the phonetic key (text/phonetic.py) points at one place: directly, or after keeping the places
in a governorate the article already names, or because one candidate is clearly the most
prominent (a city or town among villages), or because one lies within NEAR_KM of a place the
article names. A name whose nearest neighbour in the text is a foreign place is foreign too.
Anything less certain is left for curation.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter

from geo.events import lexicon
from geo.gazetteer import ADMIN_KINDS, Gazetteer
from geo.models import KIND_RANK, Place
from geo.places.cues import (
    NAME,
    PlaceLike,
    default_pattern,
    known_non_places,
    overlaps,
    place_like_names,
    screened,
)
from geo.places.matcher import Match
from geo.places.resolver import Resolved, nearest
from geo.text.phonetic import phonetic_key

SHORT_KEY = 3
NEAR_KM = 30.0  # several places of one sound in the governorate: the one this near a named place
NEIGHBOUR_CHARS = 150
SETTLEMENT_KINDS = ("city", "town", "village", "neighbourhood", "district", "sub-district", "site")
CUE_WORDS = {
    "after_cue": "after a place word",
    "before_cue": "before a place word",
    "prefixed": "an Arabic place prefix",
    "in_list": "in a list with another place",
}
_LIST_NEXT = re.compile(rf"(?:,\s*(?:and\s+)?|\s+and\s+|\s+or\s+)(?P<name>{NAME})")
_LIST_BEFORE = re.compile(rf"(?<![\w'’`-])(?P<name>{NAME})(?:,\s*|\s+and\s+|\s+or\s+)$")


def in_lists(body: str, found: list[tuple[int, int]], gaz: Gazetteer) -> list[PlaceLike]:
    """Capitalised names beside a found place in a list ("Kafr Nabl, Hass and Kafrouma"), not in the index."""
    out = []
    for start, end in found:
        if body.startswith((",", " and ", " or "), end):  # most places stand in no list: look only then
            after = _LIST_NEXT.match(body, end)
            if after:
                out.append((after.start("name"), after.end("name")))
        if body.endswith((", ", ",", " and ", " or "), 0, start):
            before = _LIST_BEFORE.search(body, max(0, start - 60), start)
            if before:
                out.append((before.start("name"), before.end("name")))
    if not out:
        return []
    not_names = known_non_places(str(lexicon.default_root()))
    return [like for s, e in out if (like := screened(body, s, e, "in_list", gaz, not_names)) is not None]


def add_soundalikes(
    body: str, resolved: list[Resolved], gaz: Gazetteer, lexicon_root: str
) -> tuple[list[Resolved], list[PlaceLike]]:
    """`resolved` plus the sound-alike mentions found in `body`, in text order; and the names in place
    context that stay unplaced (not abroad): an event at one of them is still an event (events/records.py)."""
    if not gaz.phonetic:
        return resolved, []
    found = [(r.match.start, r.match.end) for r in resolved]
    governorates = Counter(r.place.governorate for r in resolved if r.place.governorate)
    settled = [r.place for r in resolved if r.place.in_syria and r.place.kind in SETTLEMENT_KINDS]
    anchors = list({p.id: p for p in settled}.values())
    extra = []
    unplaced: list[PlaceLike] = []
    # Countries count only as partners in a list ("the Maghreb, Turkey, Egypt"): elsewhere "U.S. forces"
    # and "Russian jets" are actors at least as often as places.
    named = sorted((r.match.start, r.place.in_syria) for r in resolved if r.place.kind != "country")
    named_in_lists = sorted((r.match.start, r.place.in_syria) for r in resolved)
    taken = sorted(found)  # the spans placed so far, in order, none overlapping another (as place_like_names)
    taken_starts = [start for start, _ in taken]
    for like in [*place_like_names(body, 0, found, gaz, default_pattern(lexicon_root)), *in_lists(body, found, gaz)]:
        if overlaps(taken, taken_starts, like.start, like.end):
            continue
        if _abroad(like, named_in_lists if like.cue == "in_list" else named):
            continue
        choice = choose(like, gaz, governorates, anchors)
        if choice:
            extra.append(choice)
            at = bisect.bisect_left(taken_starts, like.start)  # it overlaps none: the spans stay apart
            taken.insert(at, (like.start, like.end))
            taken_starts.insert(at, like.start)
        else:
            unplaced.append(like)
    if not extra:
        return resolved, unplaced
    return sorted(resolved + extra, key=lambda r: r.match.start), unplaced


def _abroad(like: PlaceLike, named: list[tuple[int, bool]]) -> bool:
    """Is the place named nearest to it in the text (within NEIGHBOUR_CHARS) outside Syria? Then so is it:
    "between Sirte and Misrata", "the towns of Tal Afar and Mahlabiyah" are no Syrian villages.
    `named`: (offset, in Syria) sorted, so only the places that near are read."""
    lo = bisect.bisect_left(named, (like.start - NEIGHBOUR_CHARS, False))
    hi = bisect.bisect_right(named, (like.start + NEIGHBOUR_CHARS, True))
    near = [(abs(at - like.start), in_syria) for at, in_syria in named[lo:hi]]
    return bool(near) and not min(near)[1]


def choose(like: PlaceLike, gaz: Gazetteer, governorates: Counter[str], anchors: list[Place]) -> Resolved | None:
    key = gaz.memo.get(("key", like.name))
    if key is None:
        key = gaz.memo[("key", like.name)] = phonetic_key(like.name, gaz.phonetic_rules)
    if len(key) <= SHORT_KEY:
        return None  # three consonants (Filita, Fulat: FLT) fit too many names to be evidence
    ids = gaz.phonetic.get(key, ())
    candidates = [gaz.places[i] for i in ids if gaz.places[i].in_syria and gaz.places[i].kind in SETTLEMENT_KINDS]
    if not candidates:
        return None
    settlements = [p for p in candidates if p.kind not in ADMIN_KINDS]
    candidates = settlements or candidates  # "the village of X": the town, not its sub-district of one name
    # The article must point there: a governorate it already names, or (in an article naming none) an Arabic
    # place prefix (Kafr, Tal...). Without that, a foreign or unknown name ("Amirli", in Iraq) would find a
    # Syrian village of its sound, and "Tal Abdo" near Palmyra the town of Tell Abiad in Raqqa.
    local = [p for p in candidates if governorates.get(p.governorate)]
    if like.cue != "prefixed" or governorates:
        candidates = local  # a prefix alone is evidence only where the article names no governorate at all
    if not candidates:
        return None
    place = _prominent(candidates)
    how = ""
    if place is None and anchors:
        place, anchor, distance = nearest(candidates, anchors)
        if distance > NEAR_KM:
            return None
        how = f", the nearest of {len(candidates)} of that sound ({distance:.0f} km from {anchor.name})"
    if place is None:
        return None
    why = ", in a governorate the article names" if place in local else ""
    reason = f"sounds like {place.name} (phonetic key {key}), {CUE_WORDS[like.cue]}{why}{how}"
    # No index entry reached this span: the match carries its offsets only.
    return Resolved(Match(like.start, like.end, None), place, reason)  # type: ignore[arg-type]


def _prominent(places: list[Place]) -> Place | None:
    """The one place that outranks all the others by kind (a town among villages), if there is one."""
    if len(places) == 1:
        return places[0]
    ranked = sorted(places, key=lambda p: (KIND_RANK.get(p.kind, 99), -p.population))
    first, second = ranked[0], ranked[1]
    return first if KIND_RANK.get(first.kind, 99) < KIND_RANK.get(second.kind, 99) else None

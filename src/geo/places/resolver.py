"""Pick one place per match, and say why.

Rules, in order (each decision's `reason` names the rule that fired):
1. Organisation names that contain a place ("Aleppo Media Center") are not mentions; nor is
   a village name right after a title ("President", "Abu"): that is a person.
2. A name shared by a city and its governorate/district means the city, unless a province
   word stands beside it ("Idlib province", "countryside of Aleppo").
3. Places written exactly so beat places reached through a spelling rule; countries,
   governorates, cities and regions beat villages of the same name (precomputed per name
   in gazetteer.Entry.cands).
4. A common word or person name that is also a village ("Bara", "Jan") counts only with
   context: a kind word beside it ("village of Bara", "Bara town"), or an unambiguous Syrian
   place named within CONTEXT_WINDOW characters of it that lies within VOUCH_KM of it.
5. Several candidates left: one far better known than the others (gazetteer/prominence.csv: a
   district capital over a hamlet), unless it lies far from the article's places and another
   is nearer; else the one nearest the article's unambiguous Syrian places (geopy's great-circle
   distance), else the largest.
"""

from __future__ import annotations

import bisect
import math
import re
from functools import lru_cache
from typing import NamedTuple

from geo.gazetteer import ADMIN_KINDS, NEEDS_CONTEXT, NOT_PLACE, Gazetteer
from geo.models import Place
from geo.places.distance import km
from geo.places.matcher import Match
from geo.text.normalise import ARABIC_SCRIPT

CONTEXT_WINDOW = 120
VOUCH_KM = 40.0
VARIANT_PENALTY_DEG = 0.15  # ~15 km: a place reached by a spelling rule must be that much nearer
# "the governorates of Deir Ezzor (east), Damascus, Homs (center) and Deraa": a province word
# before a list covers every name in it.
_INDEFINITE = re.compile(r"(?<![^\W_])(?:a|one) $")  # "a Homs district" is a part of the city of Homs
# "Kafr Nabl (Idleb)", "Hass (Ma'arrat An Nu'man, Idleb)", "Afrin district (Aleppo)": where the place lies
_IN_BRACKETS = re.compile(r"(?:\s+[^\W\d_]+)?\s*\((?:[^()]{1,40},\s*)?")
_LIST_GAP = re.compile(r"(?:\s*\([^()]{0,40}\))?\s*(?:,|and|, and|&)\s*$")
_NAME_GOES_ON = re.compile(r"(?:[ -](?:al|el|as|ad|ar|an|ash|at|az|ad)-|[ -])([A-Z][\w']*)")
UNIQUE = "the only place of that name"
_AFTER_A_NAME = re.compile(r"[A-Z][\w'’`]*[ -]$")


class Resolved(NamedTuple):
    match: Match
    place: Place
    reason: str


@lru_cache(maxsize=65536)
def _km_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    return km(a[0], a[1], b[0], b[1])


def nearest(candidates, anchors, penalised: frozenset[str] = frozenset()) -> tuple[Place, Place, float]:
    """The (candidate, anchor) pair closest together, and geopy's distance between them.

    Pairs are ranked by a flat-earth approximation (exact enough to order places a few
    hundred km apart, and cheap); the winner's distance is geopy's great circle.
    """
    best = None
    places = [(a.lat, a.lon, a) for a in anchors]  # read once: this runs for every pair
    for c in candidates:
        lat, lon, coslat, penalty = c.lat, c.lon, math.cos(math.radians(c.lat)), c.id in penalised
        for a_lat, a_lon, a in places:
            d2 = (lat - a_lat) ** 2 + ((lon - a_lon) * coslat) ** 2
            if penalty:
                d2 = (math.sqrt(d2) + VARIANT_PENALTY_DEG) ** 2
            if best is None or d2 < best[0]:
                best = (d2, c, a)
    assert best is not None
    _, cand, anchor = best
    return cand, anchor, _km_between((cand.lat, cand.lon), (anchor.lat, anchor.lon))


# "X in Y", "X, Y", "X in the southern countryside of Y", "X near Y", "X, 10 km south of Y", "the X
# neighbourhood of Y": Y holds X.
_CONTAINER_GAP = re.compile(
    r"(?:\s*,\s*(?:\d+\s*(?:km|kilometers?|kilometres?|miles?)\s+(?:north|south|east|west)\w*\s+of\s+)?"
    r"|\s+(?:(?:neighbou?rhood|district|village|town|city|area|suburb|camp)\s+)?(?P<rel>in|near|outside|of)\s+(?:the\s+)?"
    r"(?:(?:north|south|east|west|northern|southern|eastern|western|north-?eastern|north-?western|south-?eastern"
    r"|south-?western|rural|central)\s+)?"
    r"(?:(?:countryside|province|governorate|district|outskirts|suburbs|area)\s+of\s+(?:the\s+)?)?)$"
)
NEAR_KM = 35.0


def _contained(text: str, m: Match, container, cands: tuple[Place, ...], notes: list[str]) -> tuple[Place, ...]:
    """Candidates of `m` inside the place named right after it ("Jobar in Damascus countryside"), if any."""
    y_match, y_cands, _notes, _vouch, y_admin = container
    gap = _CONTAINER_GAP.fullmatch(text, m.end, y_match.start)
    if gap is None or not y_cands:
        return cands
    y = y_cands[0]
    if y_admin or y.kind == "governorate":
        inside = tuple(c for c in cands if c.governorate and c.governorate == y.governorate)
        relation = f"in {y.name} governorate, named beside it"
    else:
        inside = tuple(c for c in cands if km(c.lat, c.lon, y.lat, y.lon) <= NEAR_KM)
        relation = f"within {NEAR_KM:.0f} km of {y.name}, named beside it"
    if not inside or len(inside) == len(cands):
        return cands
    notes.append(relation)
    return inside


PROMINENCE_MARGIN = 30  # a town (50) over a village (10), a district capital (90) over a town
CLOSE_KM = 25.0


def most_prominent(
    cands: tuple[Place, ...], anchors: list[Place], prominence: dict[str, int], penalised: frozenset[str]
) -> Place | None:
    """The candidate far better known than all the others (by PROMINENCE_MARGIN), unless the text points
    elsewhere: to another candidate's governorate (and not this one's), or to a place within CLOSE_KM
    of another candidate (a spelling variant's place too: "the Shahba neighbourhood of Aleppo")."""
    ranked = sorted((c for c in cands if c.id not in penalised), key=lambda p: prominence.get(p.id, 0), reverse=True)
    if len(ranked) < 2:
        return None
    top, second = ranked[0], ranked[1]
    if prominence.get(top.id, 0) - prominence.get(second.id, 0) < PROMINENCE_MARGIN:
        return None
    if anchors:
        others = [c for c in cands if c is not top]
        named = {a.governorate for a in anchors}
        if top.governorate not in named and any(c.governorate in named for c in others):
            return None  # the article names the governorate of a lesser one
        top_km = nearest((top,), anchors)[2]
        other_km = nearest(others, anchors)[2]
        if other_km < top_km and other_km <= CLOSE_KM:
            return None  # the article's places point to the lesser one
    return top


def resolve(text: str, norm: str, matches: list[Match], gaz: Gazetteer) -> list[Resolved]:
    """One place per match that is a place mention, in text order."""
    ctx = gaz.context
    # (match, candidates, notes (None on the fast path), needs a nearby place to vouch for it, read as a governorate)
    pending: list[tuple[Match, tuple[Place, ...], list[str] | None, bool, bool]] = []
    admin_list_end = -1  # end of the last name read as a governorate, for lists that follow it
    previous_end = -1  # end of the name before this one: "Kafr Nabl (Ma'arrat An Nu'man, Idleb)"
    notes: list[str] | None
    for m in matches:
        entry = m.entry
        flags = entry.flags
        after_name, previous_end = previous_end, m.end
        if entry.simple:
            pending.append((m, entry.cands, None, False, False))
            continue
        if flags & NOT_PLACE:
            continue
        start, end = m.start, m.end
        if not entry.major and ctx.title_before.search(norm, max(0, start - 25), start):
            continue
        if not entry.major and " " not in entry.key:
            # "Rami Abdulrahman", "Bab al-Nasr", "Tal Qarrah": a capitalised word goes on, so this
            # is part of a longer name the gazetteer does not know (a person's, a gate's).
            more = _NAME_GOES_ON.match(text, end)
            if (
                more
                and more.group(1).lower() not in gaz.common_words
                and not ctx.kind_after.match(norm, end)
                and not ctx.qualifier_after.match(norm, end)  # "Kansafra al-Sharqi" is a part of Kansafra
            ):
                continue
        if entry.key in ctx.qualifiers and _AFTER_A_NAME.search(text, max(0, start - 40), start):
            continue  # "al-Sharqi" after a name qualifies that name: it is no village of its own
        cands = entry.cands
        notes = []
        if entry.admin_cands:
            word = ctx.admin_after.match(norm, end) or ctx.admin_before.search(norm, max(0, start - 30), start)
            in_list = admin_list_end >= 0 and _LIST_GAP.match(text, admin_list_end, start)
            in_brackets = after_name >= 0 and _IN_BRACKETS.fullmatch(text, after_name, start)
            kind_word = ctx.kind_after.match(norm, end)
            of_kind = [p for p in entry.direct or entry.derived if kind_word and p.kind == kind_word.group(1)]
            if word or in_list or in_brackets:
                cands = entry.admin_cands
                if in_brackets:  # monitors write the district there, not a sub-district of the same name
                    cands = tuple(p for p in cands if p.kind == "district") or cands
                admin_list_end = end
                notes.append(
                    f"{cands[0].kind}: '{word.group(1)}' beside the name"
                    if word
                    else f"{cands[0].kind}: in a list of provinces"
                    if in_list
                    else f"{cands[0].kind}: in brackets after a place, as monitors write where it lies"
                )
            elif of_kind and of_kind[0].kind in ADMIN_KINDS and not _INDEFINITE.search(norm, max(0, start - 4), start):
                cands = tuple(of_kind)  # "Afrin district": the district, not the town
                notes.append(f"the {of_kind[0].kind}: '{of_kind[0].kind}' after the name")
            else:
                notes.append(
                    f"the {cands[0].kind}, not the {entry.admin_cands[0].kind} of the same name (no province word)"
                )
        needs_vouch = False
        if flags & NEEDS_CONTEXT:
            word = (
                ctx.kind_after.match(norm, end)
                or ctx.kind_before.search(norm, max(0, start - 30), start)
                or ctx.admin_after.match(norm, end)
            )
            if word:
                notes.append(f"a common word or name, taken as a place: '{word.group(1)}' beside it")
            elif ARABIC_SCRIPT.match(entry.key):
                continue  # without capitals, a place nearby is no evidence that فيديو is the village, not "video"
            else:
                needs_vouch = True  # capitalised, as the matcher requires: a place nearby may vouch for it
        if not entry.direct:
            notes.append(f"spelling variant of {cands[0].name}")
        pending.append((m, cands, notes, needs_vouch, bool(entry.admin_cands) and cands is entry.admin_cands))

    placed = [(m.start, c[0]) for m, c, _n, v, _a in pending if len(c) == 1 and not v and c[0].in_syria]
    anchors = list({p.id: p for _s, p in placed}.values())
    placed_starts = [s for s, _p in placed]  # in text order, as `pending`
    resolved: list[Resolved] = []
    for i, (m, cands, notes, needs_vouch, admin) in enumerate(pending):
        if notes is None:
            resolved.append(Resolved(m, cands[0], UNIQUE))
            continue
        entry = m.entry
        penalised: frozenset[str] = frozenset()
        if anchors and not entry.major and not admin and entry.direct and entry.derived:
            # A village written exactly so elsewhere may still be the one meant here, if it is
            # near the article's other places: rule-made spellings compete, with a handicap.
            penalised = frozenset(p.id for p in entry.derived)
            cands = tuple(cands) + tuple(entry.derived)
        if needs_vouch:
            lo = bisect.bisect_left(placed_starts, m.start - CONTEXT_WINDOW)
            hi = bisect.bisect_right(placed_starts, m.start + CONTEXT_WINDOW)
            near = {p.id: p for _s, p in placed[lo:hi]}  # the places named within CONTEXT_WINDOW
            near.pop(cands[0].id, None) if len(cands) == 1 else None
            if not near:
                continue
            cand, anchor, km = nearest(cands, near.values())
            if km > VOUCH_KM:
                continue
            cands = (cand,)
            notes.append(
                f"a common word or name, taken as a place: {km:.0f} km from {anchor.name}, named in the article"
            )
        if len(cands) > 1 and i + 1 < len(pending):
            cands = _contained(text, m, pending[i + 1], cands, notes)
        if len(cands) == 1:
            reason = "; ".join(notes) if notes else UNIQUE
            resolved.append(Resolved(m, cands[0], reason))
            continue
        top = most_prominent(cands, anchors, gaz.prominence, penalised)
        if top is not None:
            notes.append(
                f"the best known of {len(cands)} places of that name "
                f"(prominence {gaz.prominence.get(top.id, 0)}: gazetteer/prominence.csv)"
            )
            resolved.append(Resolved(m, top, "; ".join(notes)))
            continue
        if anchors:
            place, anchor, km = nearest(cands, anchors, penalised)
            if place.id in penalised:
                notes.append(f"spelling variant of {place.name}")
            notes.append(
                f"nearest of {len(cands)} places of that name to the article's other places "
                f"({km:.0f} km from {anchor.name})"
            )
        else:
            place = cands[0]
            notes.append(f"largest of {len(cands)} places of that name")
        resolved.append(Resolved(m, place, "; ".join(notes)))
    return resolved

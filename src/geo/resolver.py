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
   context: a kind word beside it ("village of Bara", "Bara town"), or a place named within
   CONTEXT_WINDOW characters, or anywhere in the article, that lies within VOUCH_KM of it.
5. Several candidates left: the one nearest the article's unambiguous Syrian places (geopy's
   great-circle distance), else the largest.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from geopy.distance import great_circle

from .gazetteer import NEEDS_CONTEXT, NOT_PLACE, Gazetteer
from .matcher import Match
from .models import Place

CONTEXT_WINDOW = 120
VOUCH_KM = 40.0
UNIQUE = "the only place of that name"


@dataclass(frozen=True, slots=True)
class Resolved:
    match: Match
    place: Place
    reason: str


@lru_cache(maxsize=65536)
def _km_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    return great_circle(a, b).km


def _nearest(candidates, anchors) -> tuple[Place, Place, float]:
    """The (candidate, anchor) pair closest together, and geopy's distance between them.

    Pairs are ranked by a flat-earth approximation (exact enough to order places a few
    hundred km apart, and cheap); the winner's distance is geopy's great circle.
    """
    best = None
    for c in candidates:
        coslat = math.cos(math.radians(c.lat))
        for a in anchors:
            d2 = (c.lat - a.lat) ** 2 + ((c.lon - a.lon) * coslat) ** 2
            if best is None or d2 < best[0]:
                best = (d2, c, a)
    assert best is not None
    _, cand, anchor = best
    return cand, anchor, _km_between((cand.lat, cand.lon), (anchor.lat, anchor.lon))


def resolve(text: str, norm: str, matches: list[Match], gaz: Gazetteer) -> list[Resolved]:
    """One place per match that is a place mention, in text order."""
    ctx = gaz.context
    pending = []  # (match, candidates, notes, needs a nearby place to vouch for it)
    for m in matches:
        entry = m.entry
        flags = entry.flags
        if flags & NOT_PLACE:
            continue
        start, end = m.start, m.end
        if not entry.major and ctx.title_before.search(norm, max(0, start - 25), start):
            continue
        cands = entry.cands
        notes = []
        if entry.admin_cands:
            word = ctx.admin_after.match(norm, end) or ctx.admin_before.search(norm, max(0, start - 30), start)
            if word:
                cands = entry.admin_cands
                notes.append(f"{cands[0].kind}: '{word.group(1)}' beside the name")
            else:
                notes.append("the city, not the province of the same name (no province word)")
        needs_vouch = False
        if flags & NEEDS_CONTEXT:
            word = (ctx.kind_after.match(norm, end) or ctx.kind_before.search(norm, max(0, start - 30), start)
                    or ctx.admin_after.match(norm, end))
            if word:
                notes.append(f"a common word or name, taken as a place: '{word.group(1)}' beside it")
            else:
                needs_vouch = True
        if not entry.direct:
            notes.append(f"spelling variant of {cands[0].name}")
        pending.append((m, cands, notes, needs_vouch))

    anchors = list({c[0].id: c[0] for _m, c, _n, v in pending if len(c) == 1 and not v and c[0].in_syria}.values())
    resolved: list[Resolved] = []
    for m, cands, notes, needs_vouch in pending:
        if needs_vouch:
            near = {r.place.id: r.place for r in resolved if m.start - r.match.start <= CONTEXT_WINDOW}
            near.update((a.id, a) for a in anchors if a.id not in near)
            near.pop(cands[0].id, None) if len(cands) == 1 else None
            if not near:
                continue
            cand, anchor, km = _nearest(cands, near.values())
            if km > VOUCH_KM:
                continue
            cands = (cand,)
            notes.append(f"a common word or name, taken as a place: {km:.0f} km from {anchor.name}, named in the article")
        if len(cands) == 1:
            reason = "; ".join(notes) if notes else UNIQUE
            resolved.append(Resolved(m, cands[0], reason))
            continue
        if anchors:
            place, anchor, km = _nearest(cands, anchors)
            notes.append(f"nearest of {len(cands)} places of that name to the article's other places "
                         f"({km:.0f} km from {anchor.name})")
        else:
            place = cands[0]
            notes.append(f"largest of {len(cands)} places of that name")
        resolved.append(Resolved(m, place, "; ".join(notes)))
    return resolved

"""Pick one place per match, and say why.

Rules, in order (each decision's `reason` names the rule that fired):
1. Organisation names that contain a place ("Aleppo Media Center") are not mentions; nor is
   a name right after a title ("President", "Abu") — that is a person.
2. A common word or person name that is also a village ("Bara", "Jan") counts only with
   context: a kind word beside it ("village of Bara", "Bara town") or another place of the
   article's text within reach that lies near one of its candidates.
3. A name shared by a city and its governorate/district means the city, unless a province
   word stands beside it ("Idlib province", "countryside of Aleppo").
4. Places written exactly so beat places reached through a spelling rule; countries,
   governorates, cities and regions beat villages of the same name.
5. Several candidates left: the one nearest the article's unambiguous places (geopy's
   great-circle distance), else the largest.
"""

from __future__ import annotations

from dataclasses import dataclass

from geopy.distance import great_circle

from .gazetteer import ANY_CASE_KINDS, NEEDS_CONTEXT, NOT_PLACE, Gazetteer
from .matcher import Match
from .models import Place

ADMIN_KINDS = frozenset({"governorate", "district", "sub-district"})
CONTEXT_WINDOW = 120  # characters either side in which another place can vouch for a word
VOUCH_KM = 40.0


@dataclass(frozen=True, slots=True)
class Resolved:
    match: Match
    place: Place
    reason: str


def _words_before(norm: str, start: int, n: int = 3) -> list[str]:
    return norm[max(0, start - 40):start].split()[-n:]


def _words_after(text: str, norm: str, end: int, n: int = 2) -> list[str]:
    words = norm[end:end + 40].split()[:n + 1]
    if words and words[0] == "s" and end < len(text) and norm[end] == " " and text[end] != " ":
        words = words[1:]  # a possessive: "Aleppo's countryside"
    return words[:n]


def _phrase_before(words: list[str], vocabulary: frozenset[str]) -> str | None:
    """The vocabulary entry (one or two words) that ends right before the match, if any."""
    if len(words) >= 2 and f"{words[-2]} {words[-1]}" in vocabulary:
        return f"{words[-2]} {words[-1]}"
    if words and words[-1] in vocabulary:
        return words[-1]
    return None


def _km(a: Place, b: Place) -> float:
    return great_circle((a.lat, a.lon), (b.lat, b.lon)).km


def _nearest(candidates: list[Place], anchors: list[Place]) -> tuple[Place, Place, float]:
    best = None
    for cand in candidates:
        for anchor in anchors:
            d = _km(cand, anchor)
            if best is None or d < best[2]:
                best = (cand, anchor, d)
    assert best is not None
    return best


def resolve(text: str, norm: str, matches: list[Match], gaz: Gazetteer) -> list[Resolved]:
    """One place per match that is a place mention, in text order."""
    ctx = gaz.context
    pending = []  # (match, candidates, reason_prefix, needs_vouch)
    for m in matches:
        entry = m.entry
        if entry.flags & NOT_PLACE:
            continue
        before = _words_before(norm, m.start)
        after = _words_after(text, norm, m.end)
        cands = entry.direct or entry.derived
        if not cands:
            continue
        major = any(p.kind in ANY_CASE_KINDS for p in cands)
        if not major and _phrase_before(before, ctx.title_before):
            continue
        note = []
        admin_word = (after and after[0] in ctx.admin_after and after[0]) or _phrase_before(before, ctx.admin_before)
        admin = [p for p in cands if p.kind in ADMIN_KINDS]
        if admin and len(admin) < len(cands):
            if admin_word:
                govs = [p for p in admin if p.kind == "governorate"] or admin
                cands = govs
                note.append(f"{govs[0].kind}: '{admin_word}' beside the name")
            else:
                cands = [p for p in cands if p.kind not in ADMIN_KINDS]
                note.append("the city, not the province of the same name (no province word)")
        elif admin_word and admin:
            note.append(f"'{admin_word}' beside the name")
        needs_vouch = False
        if entry.flags & NEEDS_CONTEXT:
            kind_word = (after and after[0] in ctx.kind_after and after[0]) or _phrase_before(before, ctx.kind_before)
            if kind_word or admin_word:
                note.append(f"a common word or name, taken as a place: '{kind_word or admin_word}' beside it")
            else:
                needs_vouch = True
        if not entry.direct:
            note.append(f"spelling variant of {cands[0].name}")
        majors = [p for p in cands if p.kind in ANY_CASE_KINDS]
        if majors and len(majors) < len(cands):
            cands = majors
        pending.append((m, cands, note, needs_vouch))

    anchors = [c[0] for _m, c, _n, vouch in pending if len(c) == 1 and not vouch and c[0].in_syria]
    resolved = []
    for m, cands, note, needs_vouch in pending:
        if needs_vouch:
            near = [r.place for r in resolved if abs(r.match.start - m.start) <= CONTEXT_WINDOW]
            near += [a for a in anchors if a not in near]
            if not near:
                continue
            cand, anchor, d = _nearest(cands, near)
            if d > VOUCH_KM:
                continue
            cands = [cand]
            note.append(f"a common word or name, taken as a place: {d:.0f} km from {anchor.name} named nearby")
        if len(cands) == 1:
            place = cands[0]
            note.insert(0, "the only place of that name" if not note else "")
        elif anchors:
            place, anchor, d = _nearest(cands, anchors)
            note.append(f"nearest of {len(cands)} places of that name to the article's other places "
                        f"({d:.0f} km from {anchor.name})")
        else:
            place = cands[0]
            note.append(f"largest of {len(cands)} places of that name")
        resolved.append(Resolved(m, place, "; ".join(n for n in note if n)))
    return resolved

"""Find every alias occurrence in a text: one Aho-Corasick pass over the normalised text.

Overlap policy (as spaCy's): longest match first, then leftmost; kept matches never overlap.
Keys are stored as " key " and the text is searched as " text ", so every hit starts and ends
at a word boundary and "Hamas" can never yield "Hama".
"""

from __future__ import annotations

from dataclasses import dataclass

from .gazetteer import ANY_CASE, EXACT_CASE, Entry, Gazetteer
from .textnorm import normalise

ACRONYM_MAX = 5


@dataclass(frozen=True, slots=True)
class Match:
    start: int
    end: int
    entry: Entry


def find_matches(text: str, gaz: Gazetteer, norm: str | None = None) -> list[Match]:
    """Whole-word alias hits in `text`, non-overlapping, case rules applied, in text order."""
    padded = f" {norm if norm is not None else normalise(text)} "
    entries = gaz.entries
    hits = []
    for last, (index, length) in gaz.automaton.iter(padded):
        # The key " k " ends at padded[last]; padded is text shifted right by one, so k itself
        # spans text[last - length - 1 : last - 1].
        hits.append((last - length - 1, last - 1, index))
    if not hits:
        return []
    # Longest first, then leftmost; keep what does not overlap what is kept.
    hits.sort(key=lambda h: (h[0] - h[1], h[0]))
    taken = bytearray(len(padded))
    kept = []
    for start, end, index in hits:
        if 1 in taken[start:end]:
            continue
        entry = entries[index]
        flags = entry.flags
        if not flags & ANY_CASE:
            span = text[start:end]
            if not entry.major and span.isupper() and len(span) <= ACRONYM_MAX and not flags & EXACT_CASE:
                continue  # SANA, SDF, YPG: an acronym, not the village Sa'na
            if flags & EXACT_CASE:
                if span not in entry.exact_forms:
                    continue
            elif span.islower():
                continue
        taken[start:end] = b"\x01" * (end - start)
        kept.append(Match(start, end, entry))
    kept.sort(key=lambda m: m.start)
    return kept

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


def _case_ok(text: str, start: int, end: int, entry: Entry) -> bool:
    """Names of small places must be capitalised; acronyms (SANA, SDF) are not villages."""
    flags = entry.flags
    if flags & ANY_CASE:
        return True
    span = text[start:end]
    if flags & EXACT_CASE:
        return span in entry.exact_forms
    if span.islower():
        return False
    return entry.major or not (span.isupper() and len(span) <= ACRONYM_MAX)


def _select(cluster: list[tuple[int, int, Entry]]) -> list[tuple[int, int, Entry]]:
    """Longest first, then leftmost, among hits that overlap one another."""
    cluster.sort(key=lambda h: (h[0] - h[1], h[0]))
    kept: list[tuple[int, int, Entry]] = []
    for hit in cluster:
        if all(hit[1] <= k[0] or k[1] <= hit[0] for k in kept):
            kept.append(hit)
    return kept


def find_matches(text: str, gaz: Gazetteer, norm: str | None = None) -> list[Match]:
    """Whole-word alias hits in `text`, non-overlapping, case rules applied, in text order."""
    padded = f" {norm if norm is not None else normalise(text)} "
    entries = gaz.entries
    out: list[Match] = []
    cluster: list[tuple[int, int, Entry]] = []
    cluster_end = -1
    # The key " k " ends at padded[last]; padded is text shifted right by one, so k itself
    # spans text[last - length - 1 : last - 1]. Hits arrive ordered by their end.
    for last, (index, length) in gaz.automaton.iter(padded):
        end = last - 1
        start = end - length
        entry = entries[index]
        if not _case_ok(text, start, end, entry):
            continue
        if start >= cluster_end:  # no overlap with what came before: settle the cluster
            if cluster:
                for s, e, en in (cluster if len(cluster) == 1 else _select(cluster)):
                    out.append(Match(s, e, en))
            cluster = [(start, end, entry)]
        else:
            cluster.append((start, end, entry))
        cluster_end = max(cluster_end, end) if start < cluster_end else end
    if cluster:
        for s, e, en in (cluster if len(cluster) == 1 else _select(cluster)):
            out.append(Match(s, e, en))
    out.sort(key=lambda m: m.start)
    return out

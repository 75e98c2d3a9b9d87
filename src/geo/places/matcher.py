"""Find every alias occurrence in a text: one Aho-Corasick pass over the normalised text.

Overlap policy (as spaCy's): longest match first, then leftmost; kept matches never overlap.
Keys are stored as " key " and the text is searched as " text ", so every hit starts and ends
at a word boundary and "Hamas" can never yield "Hama".
"""

from __future__ import annotations

from typing import NamedTuple

from geo.gazetteer import ANY_CASE, EXACT_CASE, MAJOR, NOT_PLACE, ONE_WORD, Entry, Gazetteer
from geo.text.normalise import normalise

ACRONYM_MAX = 5


class Match(NamedTuple):
    """A whole-word alias hit (a tuple: the matcher makes one per hit, cheaply)."""

    start: int
    end: int
    entry: Entry


def _select(cluster: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """Longest first, then leftmost, among hits that overlap one another."""
    cluster.sort(key=lambda h: (h[0] - h[1], h[0]))
    kept: list[tuple[int, int, int]] = []
    for hit in cluster:
        if all(hit[1] <= k[0] or k[1] <= hit[0] for k in kept):
            kept.append(hit)
    return kept


def find_matches(text: str, gaz: Gazetteer, norm: str | None = None) -> list[Match]:
    """Whole-word alias hits in `text`, non-overlapping, case rules applied, in text order.

    Case rules: names of small places must be capitalised ("has" is not the village Has);
    an all-caps word of up to ACRONYM_MAX letters is an acronym unless it names a major place
    (SANA is the news agency, not Sa'na); "US"-style aliases match only as written.
    Organisation names ("Aleppo Media Center") take part in the overlap policy, so that they
    hide the place inside them, and are then dropped. This loop runs once per hit, so it
    works on the automaton's entry indexes and the entry table's arrays of key lengths and flags,
    and makes Entry objects only for the hits it keeps.
    """
    padded = f" {norm if norm is not None else normalise(text)} "
    entries = gaz.entries
    lengths, hit_flags = entries.lengths, entries.flags
    leads = gaz.context.english_leads
    place_hits = getattr(gaz.automaton, "place_hits", None)
    if place_hits is not None:  # the compiled automaton runs this loop itself (gazetteer/_automaton.pyx)
        kept = place_hits(
            padded, text, lengths, hit_flags, leads, lambda i, s, e: text[s:e] in entries[i].exact_forms,
            ACRONYM_MAX, ANY_CASE, EXACT_CASE, MAJOR, NOT_PLACE, ONE_WORD,
        )  # fmt: skip
        return [Match(s, e, entry) for s, e, i in kept if not (entry := entries[i]).flags & NOT_PLACE]
    kept = []
    cluster: list[tuple[int, int, int]] = []
    cluster_end = -1
    # The key " k " ends at padded[last]; padded is text shifted right by one, so k itself
    # spans text[last - length - 1 : last - 1]. Hits arrive ordered by their end.
    for last, index in gaz.automaton.iter(padded):
        flags = hit_flags[index]
        end = last - 1
        start = end - lengths[index]
        if not flags & ANY_CASE:
            span = text[start:end]
            if flags & EXACT_CASE:
                if span not in entries[index].exact_forms:
                    continue
            elif span.islower() or (not flags & MAJOR and len(span) <= ACRONYM_MAX and span.isupper()):
                continue
            elif span[0].islower() and span.split(" ", 1)[0] in leads:
                continue  # "at Tal Madiq": the English word is no part of the name
        if flags & NOT_PLACE and flags & ONE_WORD:
            continue  # a one-word non-place ("Syrian", "SANA") has no other name inside it to block
        if start >= cluster_end:  # no overlap with what came before: settle that cluster
            if cluster:
                kept.extend(cluster if len(cluster) == 1 else _select(cluster))
            cluster = [(start, end, index)]
            cluster_end = end
        else:
            cluster.append((start, end, index))
            if end > cluster_end:
                cluster_end = end
    if cluster:
        kept.extend(cluster if len(cluster) == 1 else _select(cluster))
    kept.sort()
    return [Match(s, e, entry) for s, e, i in kept if not (entry := entries[i]).flags & NOT_PLACE]

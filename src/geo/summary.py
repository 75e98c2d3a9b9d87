"""Counts over mentions: per place, per governorate, the governorate an article is about."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from .models import Mention


def governorate_counts(mentions: Iterable[Mention]) -> Counter[str]:
    """Mentions per Syrian governorate (places abroad and Syria as a whole do not count)."""
    return Counter(m.place.governorate for m in mentions if m.place.governorate)


def main_governorate(mentions: Iterable[Mention]) -> str | None:
    """The governorate an article's mentions point to most; ties go to the first mentioned."""
    mentions = list(mentions)
    counts = governorate_counts(mentions)
    if not counts:
        return None
    best = max(counts.values())
    for m in mentions:
        if counts.get(m.place.governorate) == best:
            return m.place.governorate
    return None

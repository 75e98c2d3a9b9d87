"""Sentences around mentions, found once per article and looked up by offset."""

from __future__ import annotations

import bisect
import re

# A sentence ends at . ! ? (with closing quotes) before whitespace, or at a blank line / line end
# of a heading. Abbreviations like "U.S." stay inside: the next character must be whitespace
# and the one after it not lowercase.
_BOUNDARY = re.compile(r"""(?<=[.!?…])["'”’)\]]*\s+(?=[^a-z\s])|\n\s*\n|\n(?=[#*\-•])""")


def sentence_starts(text: str) -> list[int]:
    return [0] + [m.end() for m in _BOUNDARY.finditer(text)]


def sentence_at(text: str, starts: list[int], start: int, end: int, limit: int = 600) -> tuple[str, int]:
    """The sentence containing text[start:end] and its offset, trimmed to `limit` characters."""
    i = bisect.bisect_right(starts, start) - 1
    s = starts[i]
    e = starts[i + 1] if i + 1 < len(starts) else len(text)
    while e < end and i + 2 < len(starts):  # a mention that crosses a boundary keeps both halves
        i += 1
        e = starts[i + 1] if i + 1 < len(starts) else len(text)
    if e - s > limit:
        s = max(s, start - limit // 2)
        e = min(e, max(end, s + limit))
    raw = text[s:e]
    lead = len(raw) - len(raw.lstrip())
    return raw.strip(), s + lead

"""The sentence around a mention, found from its offsets (never by searching for its text)."""

from __future__ import annotations

import re

# A sentence ends after . ! ? (and closing quotes) followed by whitespace, or at a line break.
# "U.S. strikes": a full stop followed by a lowercase word does not end the sentence.
_END = re.compile(r"""[.!?…]["'”’)\]]*\s+(?=[^a-z\s])|\n""")
_LAST_END = re.compile(r"""(?s:.*)(?:[.!?…]["'”’)\]]*\s+(?=[^a-z\s])|\n)""")
LIMIT = 600


def sentence_at(text: str, start: int, end: int) -> tuple[str, int]:
    """The sentence containing text[start:end], trimmed to about LIMIT characters, and its offset."""
    lo = max(0, start - LIMIT // 2)
    back = _LAST_END.match(text, lo, start + 1)  # +1: the lookahead must see the mention's first letter
    s = back.end() if back else lo
    fwd = _END.search(text, end, min(len(text), max(end, s + LIMIT)))
    e = fwd.start() + 1 if fwd else min(len(text), max(end, s + LIMIT))
    raw = text[s:e]
    lead = len(raw) - len(raw.lstrip())
    return raw.strip(), s + lead

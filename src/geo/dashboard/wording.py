"""Words for counts in the dashboard: "1 mention", "2 mentions", never "1 mentions" or "mention(s)"."""

from __future__ import annotations


def plural(count: int, word: str, words: str | None = None) -> str:
    """`count` and the noun in the number it needs; `words` for an irregular plural."""
    return f"{count} {word if count == 1 else words or word + 's'}"

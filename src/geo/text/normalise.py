"""Length-preserving text normalisation: the common ground of aliases and article text.

The matcher searches a normalised copy of the text and reports offsets into it; because
`normalise` maps every character to exactly one character, those offsets are offsets into
the original text too. That is why diacritics are folded per character here instead of
through NFKD, and why punctuation becomes a space instead of disappearing.
"""

from __future__ import annotations

import re
import unicodedata

APOSTROPHE = "'"
# Arabic script, its supplements and presentation forms: "is this name written in Arabic?"
ARABIC_SCRIPT = re.compile(r"[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
# Every character news text uses for an apostrophe or an Arabic ayn/hamza in transliteration.
APOSTROPHE_LIKE = "'’‘`´ʿʾʻʼ′ʹ"
# Characters that are neither word characters nor apostrophes keep words apart.
_ARABIC_FOLDS = {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي"}


def _fold_char(ch: str) -> str:
    """One character in, one character out: lowercase, no diacritics, punctuation as space."""
    if ch in APOSTROPHE_LIKE:
        return APOSTROPHE
    if ch in _ARABIC_FOLDS:
        return _ARABIC_FOLDS[ch]
    base = unicodedata.normalize("NFKD", ch)[:1] or ch
    if unicodedata.combining(base):
        return ch
    low = base.lower()
    if len(low) != 1:
        low = ch.lower() if len(ch.lower()) == 1 else ch
    if low.isalnum():
        return low
    if special := {"ı": "i", "ł": "l", "ø": "o", "đ": "d", "ħ": "h", "ß": "s"}.get(low):
        return special
    return " "


def _build_table() -> dict[int, str]:
    ranges = [(0, 0x0250), (0x0370, 0x0530), (0x0600, 0x0700), (0x1E00, 0x1F00), (0x2000, 0x2070)]
    table = {}
    for lo, hi in ranges:
        for cp in range(lo, hi):
            folded = _fold_char(chr(cp))
            if folded != chr(cp):
                table[cp] = folded
    for ch in APOSTROPHE_LIKE:
        table[ord(ch)] = APOSTROPHE
    return table


FOLD_TABLE = _build_table()
_ASCII_TABLE = bytes(ord(FOLD_TABLE.get(i, chr(i))) if i < 128 else i for i in range(256))
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_POSSESSIVE = re.compile(r"'(?=s(?![^\W_]))")


def _fold_non_ascii(match: re.Match[str]) -> str:
    ch = match.group()
    return FOLD_TABLE.get(ord(ch), ch)


def normalise(text: str) -> str:
    """Fold case, diacritics, apostrophes and punctuation, keeping len() and offsets unchanged.

    A possessive "'s" becomes " s" so that "Aleppo’s" ends the name Aleppo at a word boundary.
    """
    if not text.isascii():
        text = _NON_ASCII.sub(_fold_non_ascii, text)
    if text.isascii():
        folded = text.encode("ascii").translate(_ASCII_TABLE).decode("ascii")
    else:
        folded = text.translate(FOLD_TABLE)
    return _POSSESSIVE.sub(" ", folded)


_SPACES = re.compile(r" +")


def alias_key(name: str) -> str:
    """The form an alias is stored under: normalised, single-spaced, trimmed."""
    return _SPACES.sub(" ", normalise(name)).strip(" ")

"""Length-preserving text normalisation: the common ground of aliases and article text.

The matcher searches a normalised copy of the text and reports offsets into it; because
`normalise` maps every character to exactly one character, those offsets are offsets into
the original text too. That is why diacritics are folded per character here instead of
through NFKD, and why punctuation becomes a space instead of disappearing.

Characters that have no width of their own (a combining accent typed after its letter,
"A\u0301leppo"; Arabic vowel marks; bidi controls; zero-width joiners) cannot become one
character of a name: `squeeze` removes them before matching and keeps the map back to the
original offsets.
"""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from typing import NamedTuple

from geo import settings, store

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


def _settled(table: dict[int, str]) -> dict[int, str]:
    """Each character straight to where folding leaves it: "ŉ" folds to "ʼ", an apostrophe, so to "'"."""
    for cp, folded in table.items():
        while ord(folded) in table and table[ord(folded)] != folded:
            folded = table[ord(folded)]
        table[cp] = folded
    return table


def _character_class(code_points: list[int]) -> str:
    """A regex class of these code points, runs written as ranges."""
    runs: list[list[int]] = []
    for cp in sorted(code_points):
        if runs and runs[-1][1] == cp - 1:
            runs[-1][1] = cp
        else:
            runs.append([cp, cp])
    return "[" + "".join(re.escape(chr(a)) + ("-" + re.escape(chr(b)) if b > a else "") for a, b in runs) + "]"


FOLD_TABLE = _settled(_build_table())
# Bytes in, bytes out: the ASCII characters folded, every byte of a UTF-8 sequence (all 0x80 and over) kept.
_ASCII_TABLE = bytes(ord(FOLD_TABLE.get(i, chr(i))) if i < 128 else i for i in range(256))
# The characters beyond ASCII that fold to another: Arabic letters and most others stay as they are.
_FOLDABLE = re.compile(_character_class([cp for cp in FOLD_TABLE if cp > 127]))
_POSSESSIVE = re.compile(r"'(?=s(?![^\W_]))")


def _fold_non_ascii(match: re.Match[str]) -> str:
    return FOLD_TABLE[ord(match.group())]


def normalise(text: str) -> str:
    """Fold case, diacritics, apostrophes and punctuation, keeping len() and offsets unchanged.

    A possessive "'s" becomes " s" so that "Aleppo’s" ends the name Aleppo at a word boundary.
    """
    if not text.isascii():
        text = _FOLDABLE.sub(_fold_non_ascii, text)
    if text.isascii():
        folded = text.encode("ascii").translate(_ASCII_TABLE).decode("ascii")
    else:  # Arabic, a flag, a replacement character: what is left beyond ASCII folds to itself
        folded = text.encode("utf-8", "surrogatepass").translate(_ASCII_TABLE).decode("utf-8", "surrogatepass")
    return _POSSESSIVE.sub(" ", folded) if APOSTROPHE in folded else folded  # most texts: no regex pass


_SPACES = re.compile(r" +")


def alias_key(name: str) -> str:
    """The form an alias is stored under: without invisible characters, normalised, single-spaced, trimmed."""
    key = normalise(without_invisible(name))
    return (_SPACES.sub(" ", key) if "  " in key else key).strip(" ")


# --- characters without a width of their own --------------------------------------------------------

# Unicode's non-spacing and enclosing marks (accents typed after their letter, Arabic harakat) and
# format characters (bidi controls U+202A-202E and U+2066-2069, zero-width space, joiner, non-joiner,
# soft hyphen, tags), and the Arabic tatweel that only stretches a word: none is part of a name.
INVISIBLE_CATEGORIES = ("Mn", "Me", "Cf")
INVISIBLE_EXTRA = "\u0640"
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


@functools.cache
def _invisible_bmp() -> re.Pattern[str]:
    """The BMP's invisible characters as one class, built on first use.

    Listed one by one, they compile to a bitmap: a 5 MB text is scanned in 40 ms. Characters
    beyond the BMP (emoji, tags) are rare and checked one by one instead: a class with their
    ranges in it is scanned range by range, 1.2 s for the same text.
    """
    return re.compile("[" + "".join(re.escape(ch) for ch in _invisible_bmp_chars()) + "]")


def _invisible_bmp_chars() -> str:
    """The BMP's invisible characters in order, through the cache folder: asking unicodedata of all
    65,536 took 10 ms of every start-up. They depend only on this Python's Unicode version and the
    definition above, which the saved file names and holds (a file of another is made again)."""
    definition = (unicodedata.unidata_version, INVISIBLE_CATEGORIES, INVISIBLE_EXTRA)
    cache = settings.cache_dir() / f"invisible-{unicodedata.unidata_version}.pickle"
    found = store.load_cache(cache)
    if isinstance(found, tuple) and len(found) == 2 and found[0] == definition and isinstance(found[1], str):
        return found[1]
    chars = "".join(chr(cp) for cp in range(0x10000) if _is_invisible(chr(cp)))
    store.save_cache(cache, (definition, chars), "invisible-*.pickle")  # a read-only home still works
    return chars


def _is_invisible(ch: str) -> bool:
    return ch in INVISIBLE_EXTRA or unicodedata.category(ch) in INVISIBLE_CATEGORIES


class Squeezed(NamedTuple):
    """A text without its invisible characters, and the way back to offsets into the original.

    `removed` are the removed characters' offsets in the original; `shifts[k]` is the offset in
    `text` where the k-th removed character was: few, so the map costs nothing on a 5 MB line.
    """

    text: str
    original: str
    removed: list[int]
    shifts: list[int]

    def start(self, i: int) -> int:
        """Offset in the original of the character at `i` of `text` (a span's start)."""
        return i + bisect.bisect_right(self.shifts, i)

    def end(self, i: int) -> int:
        """Offset in the original of a span's end at `i`: after its last character and the accents on it."""
        if i <= 0:
            return 0
        end = self.start(i - 1) + 1
        while end < len(self.original) and unicodedata.category(self.original[end]) in ("Mn", "Me"):
            end += 1
        return end

    def offset_of(self, original: int) -> int:
        """Offset in `text` of the original offset `original` (or of the next character kept)."""
        return original - bisect.bisect_left(self.removed, original)


def squeeze(text: str) -> Squeezed | None:
    """`text` without invisible characters, with its offset map; None when it has none (most texts)."""
    if text.isascii():
        return None
    removed = [m.start() for m in _invisible_bmp().finditer(text)]
    if _ASTRAL.search(text):
        beyond = [m.start() for m in _ASTRAL.finditer(text) if _is_invisible(m.group())]
        removed = sorted(removed + beyond)
    if not removed:
        return None
    kept = "".join(text[a + 1 : b] for a, b in zip([-1, *removed], [*removed, len(text)], strict=True))
    return Squeezed(kept, text, removed, [r - k for k, r in enumerate(removed)])


def without_invisible(text: str) -> str:
    squeezed = squeeze(text)
    return squeezed.text if squeezed else text

"""Bytes to text, one way for every reader: `geo parse`, the dashboard and `geo import` agree on what a file says.

A BOM decides; then UTF-16 without a BOM (tested first: "A\\0l\\0" is valid UTF-8, and nonsense);
then UTF-8; then the likeliest of the legacy encodings news files come in (charset-normalizer).
"""

from __future__ import annotations

import re
from typing import NamedTuple

_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
# Legacy encodings news files come in; tried only when a file is not UTF-8.
LEGACY_ENCODINGS = ("cp1252", "cp1256", "iso-8859-6", "utf-16-le", "utf-16-be", "iso-8859-1")
UTF8 = ("utf-8", "utf-8-sig")
# Unicode's control characters (category Cc: C0, DEL, C1) but the line ends and tab: one regex scan,
# not a unicodedata call per character (that was 5% of a parse).
_HIGH_BYTES = bytes(range(7))  # the high byte of UTF-16 Latin (0) to Arabic (6)
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class Decoded(NamedTuple):
    text: str
    encoding: str  # Python's name of the encoding it was read in


class NotText(ValueError):
    """The bytes are text in no encoding tried; the message says why, without a file name."""


def decode_bytes(data: bytes) -> Decoded:
    """The text the bytes hold and the encoding they were read in; NotText when they hold none."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text = _try(data, encoding)
            if text is not None:
                return Decoded(text, encoding)
    utf16 = _utf16_without_bom(data)
    text = _try(data, utf16) if utf16 else None
    if text is not None:
        return Decoded(text, utf16)
    text = _try(data, "utf-8")
    if text is not None:
        return Decoded(text, "utf-8")
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=list(LEGACY_ENCODINGS)).best()
    if best is not None and is_text(str(best)):
        return Decoded(str(best), best.encoding)
    raise NotText(_why_not_text(data))


def _try(data: bytes, encoding: str) -> str | None:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None
    return text if is_text(text) else None


def _why_not_text(data: bytes) -> str:
    if b"\x00" in data:
        return "a binary file (it holds NUL bytes), not text"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        return (
            f"line {line}: not UTF-8 text (byte {data[e.start]:#04x} at offset {e.start}),"
            f" nor text in {', '.join(LEGACY_ENCODINGS)}"
        )
    return "control characters throughout: a binary file, not text"


def _utf16_without_bom(data: bytes) -> str:
    """UTF-16 without a BOM shows as one high byte (0 for Latin, 6 for Arabic) in every other place."""
    sample = data[: 800 - 800 % 2]
    if len(sample) < 4 or len(data) % 2 or len(sample.translate(None, _HIGH_BYTES)) == len(sample):
        return ""  # odd, too short, or no byte 0-6 anywhere (most files: one C pass, not two counts)
    for encoding, high in (("utf-16-le", sample[1::2]), ("utf-16-be", sample[0::2])):
        top = max(range(7), key=high.count)
        if high.count(top) > 0.6 * len(high):
            return encoding
    return ""


def is_text(text: str) -> bool:
    """No NUL, and control characters (other than line ends and tabs) in under 1% of the opening."""
    opening = text[:2000]
    controls = len(_CONTROLS.findall(opening))
    return "\x00" not in text and controls <= len(opening) // 100

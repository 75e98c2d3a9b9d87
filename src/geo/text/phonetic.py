"""A phonetic key for Arabic-origin place names: the consonant skeleton both kinds of spelling share.

Newspapers and monitors write "Kafranbel", "Khan Sheikhoun", "Mhardeh"; the gazetteer's sources
write "Kafr Nabl", "Khān Shaykhūn", "Muhradah". Their keys are one: KFRNBL, XNCXN, MHRD. The rules
live in gazetteer/phonetic_rules.csv (regex, replacement, note), applied in file order to the
alias key (lowercase, no diacritics); vowels, semivowels, endings, articles, ʿayn and hamza fold
away, doubled letters become one, and sounds written several ways become one letter.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from geo.errors import GazetteerError
from geo.text.normalise import alias_key

MIN_CONSONANTS = 3  # a shorter skeleton ("hm", "GT") fits too many names to be evidence


@dataclass(frozen=True, slots=True)
class PhoneticRule:
    pattern: re.Pattern[str]
    replacement: str
    note: str


def load_rules(path: Path) -> tuple[PhoneticRule, ...]:
    """The rules of gazetteer/phonetic_rules.csv; a bad one is named with its file and line."""
    rules = []
    try:
        f = open(path, encoding="utf-8-sig", newline="")
    except OSError as e:
        raise GazetteerError(path, None, f"cannot read ({e.strerror})") from e
    with f:
        for line, row in enumerate(csv.DictReader(f), start=2):
            try:
                pattern = re.compile(row["pattern"])
                pattern.sub(row["replacement"] or "", "probe")
            except (re.error, KeyError, TypeError) as e:
                raise GazetteerError(path, line, f"bad phonetic rule: {e}") from e
            rules.append(PhoneticRule(pattern, row["replacement"] or "", row.get("note") or ""))
    return tuple(rules)


KEY_FORM = re.compile(r"[A-Z]+")
_DOUBLED = re.compile(r"(.)\1+")


def phonetic_key(name: str, rules: tuple[PhoneticRule, ...], alias: str | None = None) -> str:
    """The consonant skeleton of a name, in capitals ("" when too few consonants are left to mean anything).

    Keys are written in capitals and names in any case, so a key is its own key. `alias`: the name's
    alias_key, when the caller has it already.
    """
    if KEY_FORM.fullmatch(name):
        return name
    key = alias_key(name) if alias is None else alias
    for rule in rules:
        key = rule.pattern.sub(rule.replacement, key)
    key = _DOUBLED.sub(r"\1", key.upper())  # "t" and "th" are one sound: tT -> TT -> T
    return key if len(key) >= MIN_CONSONANTS and KEY_FORM.fullmatch(key) else ""

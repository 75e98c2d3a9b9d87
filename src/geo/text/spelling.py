"""News spellings of transliterated names, generated from rules kept as data.

Rules live in gazetteer/spelling_rules.csv (regex pattern, replacement, note). They are
applied in file order to an alias key and to every variant produced so far, so a later
rule sees earlier rewrites ("Dayr az Zawr" -> "Deir az Zawr" -> "Deir ez Zor").
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from geo.errors import GazetteerError

MAX_VARIANTS = 48


@dataclass(frozen=True, slots=True)
class SpellingRule:
    pattern: re.Pattern[str]
    replacement: str
    note: str
    # Text every match contains ("dayr" for \bdayr\b): a form without it is passed over with an `in`
    # test, not a regex search (3.5 million searches were a quarter of the index build). "" if none.
    needs: str = ""


def required_literal(pattern: re.Pattern[str]) -> str:
    """The longest run of plain characters that every match of `pattern` must contain ("" when the
    pattern has none we can be sure of: alternatives, groups, case-insensitive flags...)."""
    if pattern.flags & (re.IGNORECASE | re.VERBOSE):
        return ""
    try:
        from re import _parser  # type: ignore[attr-defined]  # the standard library's regex parser

        parsed = _parser.parse(pattern.pattern, pattern.flags)
    except Exception:  # noqa: BLE001 - a parser we cannot read only costs the shortcut
        return ""
    best = run = ""
    for op, arg in parsed:
        if op == _parser.LITERAL:
            run += chr(arg)
        else:  # a class, group, repeat or look-around: what stands here is not one known character
            best, run = max(best, run, key=len), ""
    return max(best, run, key=len)


def load_rules(path: Path) -> list[SpellingRule]:
    """Read spelling rules; a bad regex is reported with its file and line."""
    rules = []
    with open(path, encoding="utf-8-sig", newline="") as f:
        for line_no, row in enumerate(csv.DictReader(f), start=2):
            try:
                pattern = re.compile(row["pattern"])
                pattern.sub(row["replacement"], "probe")
            except (re.error, KeyError, TypeError) as e:
                raise GazetteerError(path, line_no, f"bad spelling rule: {e}") from e
            rules.append(SpellingRule(pattern, row["replacement"], row.get("note") or "", required_literal(pattern)))
    return rules


def variants(key: str, rules: list[SpellingRule]) -> list[str]:
    """All spellings the rules derive from one alias key, the key itself first."""
    found = [key]
    seen = {key}
    for rule in rules:
        needs = rule.needs
        for form in list(found):
            if needs not in form or not rule.pattern.search(form):
                continue
            new = " ".join(rule.pattern.sub(rule.replacement, form).split())
            if new and new not in seen:
                seen.add(new)
                found.append(new)
                if len(found) >= MAX_VARIANTS:
                    return found
    return found

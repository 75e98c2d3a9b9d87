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
            rules.append(SpellingRule(pattern, row["replacement"], row.get("note") or ""))
    return rules


def variants(key: str, rules: list[SpellingRule]) -> list[str]:
    """All spellings the rules derive from one alias key, the key itself first."""
    found = [key]
    seen = {key}
    for rule in rules:
        for form in list(found):
            if not rule.pattern.search(form):
                continue
            new = " ".join(rule.pattern.sub(rule.replacement, form).split())
            if new and new not in seen:
                seen.add(new)
                found.append(new)
                if len(found) >= MAX_VARIANTS:
                    return found
    return found

"""The event word lists in lexicons/: loaded once, validated with file:line errors.

`event_triggers.csv` says which words report which ACLED event type; `event_words.csv` gives
every other word the event step reads (actors, casualty words, numbers, months...) a role.
Both are data so that a reviewer can audit and extend them without reading code.
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from pathlib import Path

import ahocorasick

from geo import settings
from geo.errors import LexiconError
from geo.text.normalise import normalise

EVENT_TYPES = {
    "Battles": ("Armed clash", "Government regains territory", "Non-state actor overtakes territory"),
    "Explosions/Remote violence": (
        "Air/drone strike",
        "Shelling/artillery/missile attack",
        "Suicide bomb",
        "Remote explosive/landmine/IED",
        "Chemical weapon",
        "Grenade",
    ),
    "Violence against civilians": ("Attack", "Abduction/forced disappearance", "Sexual violence"),
    "Protests": ("Peaceful protest", "Protest with intervention", "Excessive force against protesters"),
    "Riots": ("Violent demonstration", "Mob violence"),
    "Strategic developments": (
        "Agreement",
        "Arrests",
        "Change to group/activity",
        "Headquarters or base established",
        "Looting/property destruction",
        "Non-violent transfer of territory",
        "Other",
    ),
}
NO_EVENT = "none"  # trigger rows of this type mask shorter triggers: "rocket launcher" is not "rocket"
TERRITORY = ("Government regains territory", "Non-state actor overtakes territory")
ROLES = {
    "government",
    "non_state",
    "irrealis",
    "subset",
    "killed",
    "injured",
    "victims",
    "qualifier",
    "number",
    "multiplier",
    "vague",
    "month",
    "weekday",
    "relative_day",
    "relative_month",
    "background",
    "launch_site",
    "combatant",
    "acled_figure",
    "near",
    "near_after",
}
# Roles the article-wide scan looks for; the others are only read inside one sentence.
SCANNED_ROLES = (
    "killed",
    "injured",
    "month",
    "weekday",
    "relative_day",
    "relative_month",
    "background",
    "irrealis",
    "launch_site",
    "year",
)


@dataclass(frozen=True, slots=True)
class Trigger:
    phrase: str
    event_type: str
    sub_event_type: str
    rank: int


def key_text(phrase: str) -> str:
    """A phrase as it appears in normalised text: folded, punctuation as single spaces."""
    return " ".join(normalise(phrase).split())


@dataclass
class Lexicon:
    root: Path
    triggers: list[Trigger]
    words: dict[str, dict[str, str]]  # phrase -> role -> value
    automaton: ahocorasick.Automaton  # values: (key length, is prefix, trigger index or -1, phrase)

    def phrases(self, role: str) -> dict[str, str]:
        """phrase -> value of every word with this role (computed once per role)."""
        cached = self._by_role.get(role)
        if cached is None:
            cached = self._by_role[role] = {p: roles[role] for p, roles in self.words.items() if role in roles}
        return cached

    def __post_init__(self) -> None:
        self._by_role: dict[str, dict[str, str]] = {}
        self.derived: dict[str, object] = {}  # tables other modules build from the lexicon, once


def default_root() -> Path:
    return settings.lexicons_dir()


def _rows(path: Path, columns: tuple[str, ...]):
    try:
        f = open(path, encoding="utf-8-sig", newline="")
    except OSError as e:
        raise LexiconError(path, None, f"cannot read ({e.strerror})") from e
    with f:
        reader = csv.DictReader(f)
        missing = [c for c in columns if c not in (reader.fieldnames or [])]
        if missing:
            raise LexiconError(path, 1, f"missing column(s) {', '.join(missing)}; expected {','.join(columns)}")
        yield from enumerate(reader, start=2)


def load_triggers(path: Path) -> list[Trigger]:
    triggers = []
    for line, row in _rows(path, ("phrase", "event_type", "sub_event_type", "rank")):
        event_type, sub = row["event_type"].strip(), row["sub_event_type"].strip()
        if event_type == NO_EVENT and sub:
            raise LexiconError(path, line, "a 'none' row masks words: leave its sub_event_type empty")
        if event_type != NO_EVENT and sub not in EVENT_TYPES.get(event_type, ()):
            raise LexiconError(path, line, f"'{event_type}' / '{sub}' is not an ACLED event type and sub-event type")
        try:
            rank = int(row["rank"])
        except ValueError:
            raise LexiconError(path, line, f"rank must be a whole number, not '{row['rank']}'") from None
        phrase = row["phrase"].strip()
        if not key_text(phrase.rstrip("*")) or "*" in phrase[:-1]:
            raise LexiconError(path, line, f"phrase '{phrase}' must be words, with '*' only at the end")
        triggers.append(Trigger(phrase, event_type, sub, rank))
    return triggers


def load_words(path: Path) -> dict[str, dict[str, str]]:
    words: dict[str, dict[str, str]] = {}
    for line, row in _rows(path, ("phrase", "role", "value")):
        role, value = row["role"].strip(), (row["value"] or "").strip()
        if role not in ROLES:
            raise LexiconError(path, line, f"unknown role '{role}' (one of {', '.join(sorted(ROLES))})")
        if role in ("number", "multiplier", "month", "weekday", "relative_day", "relative_month", "acled_figure"):
            try:
                int(value)
            except ValueError:
                raise LexiconError(path, line, f"role {role} needs a whole number in 'value'") from None
        phrase = key_text(row["phrase"].rstrip("*"))
        if not phrase:
            raise LexiconError(path, line, "empty phrase")
        words.setdefault(phrase, {})[role] = value
    return words


YEARS = range(1900, 2100)  # years are words of the scan too: no second pass over the text for them


def build(root: Path) -> Lexicon:
    triggers = load_triggers(root / "event_triggers.csv")
    words = load_words(root / "event_words.csv")
    for year in YEARS:
        words.setdefault(str(year), {})["year"] = str(year)
    automaton = ahocorasick.Automaton()
    for i, t in enumerate(triggers):
        prefix = t.phrase.endswith("*")
        text = key_text(t.phrase.rstrip("*"))
        key = " " + text + ("" if prefix else " ")
        if key not in automaton:  # "barrel bomb*" and "barrel-bomb*" fold to one key: first row wins
            automaton.add_word(key, (len(key), prefix, i, text))
    for phrase, roles in words.items():
        key = " " + phrase + " "
        if any(r in roles for r in SCANNED_ROLES) and key not in automaton:
            automaton.add_word(key, (len(key), False, -1, phrase))
    automaton.make_automaton()
    return Lexicon(root, triggers, words, automaton)


def _fingerprint(root: Path) -> tuple:
    return tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(root.glob("*.csv")))


@functools.lru_cache(maxsize=4)
def _load(root: Path, fingerprint: tuple) -> Lexicon:
    return build(root)


def load(root: Path | None = None) -> Lexicon:
    """The lexicon in `root` (default: lexicons/ or $GEO_LEXICONS), rebuilt when its files change."""
    root = root or default_root()
    if not root.is_dir():
        raise LexiconError(root, None, "event lexicon folder not found")
    return _load(root, _fingerprint(root))

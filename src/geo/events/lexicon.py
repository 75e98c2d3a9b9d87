"""The event word lists in lexicons/: loaded once, validated with file:line errors.

`event_triggers.csv` says which words report which ACLED event type; `event_words.csv` gives
every other word the event step reads (actors, casualty words, numbers, months...) a role.
Both are data so that a reviewer can audit and extend them without reading code.
"""

from __future__ import annotations

import csv
import functools
from array import array
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import ahocorasick

from geo import settings
from geo.errors import LexiconError
from geo.gazetteer import FlatAutomaton  # None where _automaton.pyx is not built; it runs the scan's loop
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
# Roles of the small words one rule reads (particles, units, verbs of speech...): never scanned, kept
# apart from `words`, as written in lower case ("o'clock", "pro-government": the casualty step reads
# tokens, not folded text), and compiled into the `Vocabulary` below. A role's field is its name.
PARTICLE_ROLES = {
    # casualties.py
    "casualty_aux": "between a figure and its verb: 55 people were reportedly killed",
    "victim_filler": "between a figure and its victims: 3 other people, five of its members",
    "toll_bridge": "between a casualty word and its figure: the death toll rose to 55",
    "unit": "a number before it is no count of people: 60 km, 20 years, 3 pm",
    "indefinite": "a, an: one person only when a victim follows (a QSD fighter); never inside a number",
    "single": "one: one person only when a victim follows (one soldier)",
    "after_indefinite": "a count word after a or an: a dozen",
    "vague_of": "joins vague amounts and their victims: tens of thousands, hundreds of deaths",
    "number_and": "inside a number: two hundred and fifty",
    "figure_link": "a figure after it shares the previous figure's casualty word: 5 soldiers and 10 militants",
    "including": "a total's parts follow: 18 militants including a commander were killed",
    "passive": "a passive verb before a casualty state: were, have been",
    "active_verb": "casualty words that are verbs, not states, after a figure: kill, kills",
    "active_suffix": "an ending that makes a casualty word a verb, not a state: killing",
    "toll_link": "between a toll word and its figure: the death toll in Aleppo rose to 55",
    "toll": "a figure after it and a toll link is deaths",
    "sign_after": "a sign after a number that is no count of people: 20%, 12:30, 19/4",
    "sign_before": "a sign before a number that is no count of people: $5, #3",
    # classify.py
    "distance_unit": "a place after '<unit> ... of/from' is a reference point: 60 km from Damascus",
    "reference_to": "ends a distance before a reference point: of, from",
    "reference_filler": "may stand between a distance and its reference point, in this order: the, city of",
    "object_gap": "may stand between a trigger and the place it acts on: shelled the town of Kafr Nabl",
    "passive_agent": "an actor after it, after the trigger, took the territory: recaptured by rebels",
    # records.py
    "near_filler": "may stand between a near word and the place: near the Hama airport",
    # dates.py
    "ordinal_suffix": "after a day number: 19th",
    "day_of": "between a day and its month: 7th of May",
    "year_before": "a year alone is a date only after these: in 1982, since 2011",
    "month_alone_before": "a month name alone is a date only after these: in March, early May",
    "since": "a date after it opens a period: since 2011",
    "speech": "a date after it dates a statement, not an event: said on Friday",
    "statement_on": "skipped before a date when looking for a verb of speech: said on Friday",
    "weekday_gap": "may stand between a weekday and its month date: Thursday, the 5th of May",
    "last_weekday": "a weekday after it is a week back when it is today's: last Friday",
    "dateline_before": "a full date after these opens a sentence, not a dateline: On 7 May",
    "heading_lower": "lower-case words a dateline heading may hold: Date of publication",
}
# Particle roles read in normalised text (classify.py): their phrases must be written folded.
FOLDED_ROLES = ("distance_unit", "reference_to", "reference_filler", "object_gap", "passive_agent", "near_filler")
SIGN_ROLES = ("sign_after", "sign_before")
# Numbers the rules read, in event_settings.csv (name,value,note): windows, reaches, limits.
SETTINGS = {
    "casualty_reach": "characters around a casualty word read for figures",
    "victims_reach": "tokens after a figure searched for its victims",
    "unknown_before_victims": "unknown words allowed before the victims: six Takfiri militants",
    "person_after_indefinite": "other words allowed between a or an and a victim: a young Syrian man",
    "aux_reach": "tokens after the victims searched for a casualty state past casualty_aux words",
    "including_reach": "tokens after 'including' searched for the verb of the total",
    "passive_reach": "tokens after the victims searched for a passive casualty verb",
    "bridge_reach": "toll_bridge words allowed between a casualty word and its figure",
    "toll_reach": "tokens before a figure searched for the word toll",
    "figure_link_gap": "tokens from the previous figure's end to a figure_link word, at most",
    "subset_gap": "tokens between a subset phrase and its figure, at most",
    "year_from": "numbers from year_from to year_to are years, not tolls (unless victims follow)",
    "year_to": "the last such year; year words of the date step run from year_from to year_to - 1",
    "carry_chars": "characters back a date in an earlier sentence of the paragraph still dates an event",
    "irrealis_words": "a trigger fewer than this many words after an irrealis word has not happened",
    "launch_site_words": "words allowed between a launch_site word and the place",
    "reference_reach": "characters before a place read for a distance: 60 km from",
    "reference_gap": "characters allowed between a distance unit and of/from: 25 kilometers (15 miles) north of",
    "object_gap_words": "object_gap words allowed between a trigger and its place",
    "agent_reach": "characters before an actor searched for a passive_agent word",
    "near_reach": "characters before a place read for near words",
    "near_after_reach": "characters after a place read for near_after words",
    "future_days": "a day without a year more than this many days after publication is last year's",
    "dateline_within": "characters from the start of the text a dateline must start within",
    "dateline_trusted_days": "a dateline this close to the publication date replaces it",
    "dateline_heading_words": "words a dateline heading may hold before the date",
    "weekday_lookahead": "date words after a weekday read for its month date",
    "weekday_month_gap": "characters between a weekday and a month date that it only confirms",
    "day_before_reach": "characters before a month name read for its day: 7 May",
    "word_before_reach": "characters read for the word before a year or month",
    "date_before_reach": "characters before a date read for since or a verb of speech",
    "month_alone_min_letters": "a month name alone is a date only from this many letters: March, not Mar",
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


@dataclass(frozen=True)
class Vocabulary:
    """The particle roles (file order) and numeric settings, typed: one field per role or setting."""

    casualty_aux: tuple[str, ...]
    victim_filler: tuple[str, ...]
    toll_bridge: tuple[str, ...]
    unit: tuple[str, ...]
    indefinite: tuple[str, ...]
    single: tuple[str, ...]
    after_indefinite: tuple[str, ...]
    vague_of: tuple[str, ...]
    number_and: tuple[str, ...]
    figure_link: tuple[str, ...]
    including: tuple[str, ...]
    passive: tuple[str, ...]
    active_verb: tuple[str, ...]
    active_suffix: tuple[str, ...]
    toll_link: tuple[str, ...]
    toll: tuple[str, ...]
    sign_after: tuple[str, ...]
    sign_before: tuple[str, ...]
    distance_unit: tuple[str, ...]
    reference_to: tuple[str, ...]
    reference_filler: tuple[str, ...]
    object_gap: tuple[str, ...]
    passive_agent: tuple[str, ...]
    near_filler: tuple[str, ...]
    ordinal_suffix: tuple[str, ...]
    day_of: tuple[str, ...]
    year_before: tuple[str, ...]
    month_alone_before: tuple[str, ...]
    since: tuple[str, ...]
    speech: tuple[str, ...]
    statement_on: tuple[str, ...]
    weekday_gap: tuple[str, ...]
    last_weekday: tuple[str, ...]
    dateline_before: tuple[str, ...]
    heading_lower: tuple[str, ...]
    casualty_reach: int
    victims_reach: int
    unknown_before_victims: int
    person_after_indefinite: int
    aux_reach: int
    including_reach: int
    passive_reach: int
    bridge_reach: int
    toll_reach: int
    figure_link_gap: int
    subset_gap: int
    year_from: int
    year_to: int
    carry_chars: int
    irrealis_words: int
    launch_site_words: int
    reference_reach: int
    reference_gap: int
    object_gap_words: int
    agent_reach: int
    near_reach: int
    near_after_reach: int
    future_days: int
    dateline_within: int
    dateline_trusted_days: int
    dateline_heading_words: int
    weekday_lookahead: int
    weekday_month_gap: int
    day_before_reach: int
    word_before_reach: int
    date_before_reach: int
    month_alone_min_letters: int


class ScanKeys(NamedTuple):
    """The scan's keys by value, for the compiled automaton (whose values are ints): what scan() reads of each."""

    key_lengths: array  # the key's length, its leading space included ("I")
    word_lengths: array  # the word's (the key without its spaces) ("I")
    flags: bytes  # PREFIX | TRIGGER
    triggers: list[int]  # the trigger's index in Lexicon.triggers, or -1 for a scanned word
    phrases: list[str]


PREFIX, TRIGGER = 1, 2  # ScanKeys.flags


@dataclass
class Lexicon:
    root: Path
    triggers: list[Trigger]
    words: dict[str, dict[str, str]]  # phrase -> role -> value
    # pyahocorasick's, values (key length, is prefix, trigger index or -1, phrase); or the compiled
    # FlatAutomaton, values indices into `scan_keys`
    automaton: Any
    vocab: Vocabulary
    scan_keys: ScanKeys | None = None

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


def load_words(path: Path, particles: dict[str, list[str]] | None = None) -> dict[str, dict[str, str]]:
    """phrase -> role -> value; the rows of particle roles go to `particles` (role -> phrases) instead."""
    words: dict[str, dict[str, str]] = {}
    particles = {} if particles is None else particles
    for line, row in _rows(path, ("phrase", "role", "value")):
        role, value = row["role"].strip(), (row["value"] or "").strip()
        if role in PARTICLE_ROLES:
            particles.setdefault(role, []).append(_particle(path, line, role, row["phrase"] or ""))
            continue
        if role not in ROLES:
            known = ", ".join(sorted(ROLES | set(PARTICLE_ROLES)))
            raise LexiconError(path, line, f"unknown role '{role}' (one of {known})")
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


def _particle(path: Path, line: int, role: str, phrase: str) -> str:
    phrase = phrase.strip().lower()
    if not phrase:
        raise LexiconError(path, line, "empty phrase")
    if role in SIGN_ROLES:
        if len(phrase) != 1 or phrase.isalnum() or phrase.isspace():
            raise LexiconError(path, line, f"role {role} needs one sign (such as % or $), not '{phrase}'")
    elif role in FOLDED_ROLES and key_text(phrase) != phrase:
        raise LexiconError(path, line, f"role {role} is read in folded text: write '{phrase}' as '{key_text(phrase)}'")
    elif role not in FOLDED_ROLES and not all(w.replace("'", "").replace("-", "").isalpha() for w in phrase.split()):
        raise LexiconError(path, line, f"role {role} needs words, not '{phrase}'")
    return phrase


def load_settings(path: Path) -> dict[str, int]:
    """event_settings.csv: name -> whole number; every setting of SETTINGS once."""
    found: dict[str, int] = {}
    for line, row in _rows(path, ("name", "value")):
        name, value = (row["name"] or "").strip(), (row["value"] or "").strip()
        if name not in SETTINGS:
            raise LexiconError(path, line, f"unknown setting '{name}' (one of {', '.join(sorted(SETTINGS))})")
        if name in found:
            raise LexiconError(path, line, f"setting '{name}' is set twice")
        try:
            found[name] = int(value)
        except ValueError:
            raise LexiconError(path, line, f"setting {name} needs a whole number in 'value', not '{value}'") from None
        if found[name] < 0:
            raise LexiconError(path, line, f"setting {name} cannot be negative")
    missing = [name for name in SETTINGS if name not in found]
    if missing:
        raise LexiconError(path, None, f"missing setting(s) {', '.join(missing)}")
    return found


def vocabulary(particles: dict[str, list[str]], settings_: dict[str, int]) -> Vocabulary:
    """The typed vocabulary: each particle role's phrases in file order (each once), each setting."""
    values: dict[str, object] = {role: tuple(dict.fromkeys(particles.get(role, ()))) for role in PARTICLE_ROLES}
    values.update(settings_)
    return Vocabulary(**values)  # type: ignore[arg-type]


def build(root: Path, flat: bool = True) -> Lexicon:
    """The lexicon of the files in `root`; its scan on the compiled automaton when that was built and `flat`
    (tests build the other too, to hold the two scans equal)."""
    triggers = load_triggers(root / "event_triggers.csv")
    particles: dict[str, list[str]] = {}
    words = load_words(root / "event_words.csv", particles)
    vocab = vocabulary(particles, load_settings(root / "event_settings.csv"))
    # years are words of the scan too: no second pass over the text for them
    for year in range(vocab.year_from, vocab.year_to):
        words.setdefault(str(year), {})["year"] = str(year)
    keys: dict[str, tuple[bool, int, str]] = {}  # key -> (is prefix, trigger index or -1, phrase)
    for i, t in enumerate(triggers):
        prefix = t.phrase.endswith("*")
        text = key_text(t.phrase.rstrip("*"))
        # "barrel bomb*" and "barrel-bomb*" fold to one key: first row wins
        keys.setdefault(" " + text + ("" if prefix else " "), (prefix, i, text))
    for phrase, roles in words.items():
        if any(r in roles for r in SCANNED_ROLES):
            keys.setdefault(" " + phrase + " ", (False, -1, phrase))
    if FlatAutomaton is not None and flat:
        scan_keys = ScanKeys(
            array("I", map(len, keys)),
            array("I", (len(phrase) for _prefix, _trigger, phrase in keys.values())),
            bytes(PREFIX * prefix | TRIGGER * (trigger >= 0) for prefix, trigger, _phrase in keys.values()),
            [trigger for _prefix, trigger, _phrase in keys.values()],
            [phrase for _prefix, _trigger, phrase in keys.values()],
        )
        return Lexicon(root, triggers, words, FlatAutomaton(keys, range(len(keys))), vocab, scan_keys)
    automaton = ahocorasick.Automaton()
    for key, (prefix, trigger, phrase) in keys.items():
        automaton.add_word(key, (len(key), prefix, trigger, phrase))
    automaton.make_automaton()
    return Lexicon(root, triggers, words, automaton, vocab)


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

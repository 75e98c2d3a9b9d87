"""The gazetteer: places and every way of writing them, loaded from gazetteer/ into a search index.

Files (columns documented in gazetteer/README.md):
  places.csv, aliases.csv           derived from OCHA / Who's On First / GeoNames by a script
  curated/places.csv, curated/aliases.csv   hand-curated additions, reviewed like code
  curated/not_places.csv            names that contain a place but are not one (organisations)
  curated/ambiguous_names.txt       person names and the like: a place only with context
  common_words.txt                  English words: a place only when capitalised (and with context)
  common_words_ar.txt               Arabic words: a village of that name only with context (no case to tell)
  spelling_rules.csv                rules that generate news spellings from transliterations
  context_words.csv                 kind words, province words and titles the resolver reads

Each alias is normalised (textnorm.alias_key), expanded by the spelling rules, and stored in
an Aho-Corasick automaton as " key " so that a hit is always a whole word. Building that takes
a couple of seconds, so the built index is pickled in a cache keyed by the files' contents.
"""

from __future__ import annotations

import csv
import hashlib
import io
import marshal
import re
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import accumulate
from operator import attrgetter
from pathlib import Path
from typing import Any, Protocol

import ahocorasick

from geo import settings, store
from geo.errors import GazetteerError
from geo.models import KINDS, Place
from geo.text.normalise import ARABIC_SCRIPT, alias_key
from geo.text.phonetic import PhoneticRule, phonetic_key
from geo.text.phonetic import load_rules as load_phonetic_rules
from geo.text.spelling import SpellingRule, load_rules, variants

try:  # the compiled automaton (_automaton.pyx, built by `pip install -e .`); else pyahocorasick's
    from geo.gazetteer._automaton import FlatAutomaton
except ImportError:
    FlatAutomaton = None


class Automaton(Protocol):
    """What the index's automaton answers (pyahocorasick's Automaton, or the compiled FlatAutomaton)."""

    # (index of a key's last character, value), for the keys in text[start:]
    def iter(self, text: str, start: int = 0) -> Iterable[tuple[int, int]]: ...

    def get(self, key: str, default: Any = None) -> Any: ...


PLACE_COLUMNS = ("id", "name", "name_ar", "kind", "lat", "lon", "governorate", "parent", "population", "source")
ALIAS_COLUMNS = ("place_id", "alias", "note")
NOT_PLACE_COLUMNS = ("phrase", "reason")
OVERRIDE_COLUMNS = ("article", "start", "text", "place_id", "note")
CONTEXT_COLUMNS = ("word", "role", "note")
CONTEXT_ROLES = (
    "admin_after",
    "admin_before",
    "kind_after",
    "kind_before",
    "title_before",
    "org_after",
    "org_before",
    "english_lead",
    "qualifier_after",
    "arabic_prefix",
)
HOME_COUNTRY_ID = "gn:163843"  # Syria: the country whose places carry a governorate
# Names of these kinds are matched in any case ("ALEPPO", "aleppo"); others must be capitalised.
ANY_CASE_KINDS = frozenset({"country", "governorate", "city", "region"})
ADMIN_KINDS = frozenset({"governorate", "district", "sub-district"})
MIN_KEY_LENGTH = 3
CACHE_VERSION = "10"

# Flags of an index entry.
ANY_CASE = 1  # lowercase text may match
NEEDS_CONTEXT = 2  # a common word or person name: counts only with a kind word or a nearby place
NOT_PLACE = 4  # an organisation or title that merely contains a place name
EXACT_CASE = 8  # an all-caps abbreviation ("US", "UK"): only that exact form
MAJOR = 16  # names a country, governorate, city or region
ONE_WORD = 32  # the key has no space: no other whole name can sit inside it


@dataclass(slots=True)
class Entry:
    """One normalised key of the automaton and the places it may name."""

    key: str
    direct: list[Place] = field(default_factory=list)  # places written exactly so
    derived: list[Place] = field(default_factory=list)  # reached only through a spelling rule
    flags: int = 0
    exact_forms: set[str] = field(default_factory=set)
    major: bool = False  # names a country, governorate, city or region
    cands: tuple[Place, ...] = ()  # what the name means without a province word beside it
    admin_cands: tuple[Place, ...] = ()  # what it means with one, when that differs
    simple: bool = False  # one major place written exactly so, no context to read: the resolver's fast path

    def settle(self) -> Entry:
        """Decide the fast path; a spelling variant takes the slow one, whose reason says it is a variant."""
        self.simple = (
            self.major
            and bool(self.direct)
            and len(self.cands) == 1
            and not self.admin_cands
            and not self.flags & NEEDS_CONTEXT
        )
        return self


class EntryTable:
    """Entries by automaton index, made into Entry objects only when a text hits them.

    A saved index keeps its rows packed: one bytes object of marshalled rows and their offsets, which
    unpickle in milliseconds (186k row tuples took 0.12 s, half the warm start-up).

    The automaton stores only each key's index (an int in its node, STORE_INTS: no Python object per
    key to unpickle); `lengths` and `flags` answer by index what the matcher reads of every hit, the
    key's length and its flags (the entry's, and ONE_WORD), without making the Entry.
    """

    def __init__(
        self, raw: list[Entry] | tuple[bytes, array[int], array[int], array[int]], place_list: list[Place] | None = None
    ):
        self._entries: list[Entry] | None
        self._blob: bytes
        self._offsets: array[int]
        self.lengths: array[int]
        self.flags: array[int]
        if isinstance(raw, list):
            self._entries, self._blob, self._offsets = raw, b"", array("Q")
            self.lengths = array("I", (len(e.key) for e in raw))
            self.flags = array("B", (e.flags | (0 if " " in e.key else ONE_WORD) for e in raw))
        else:
            self._entries = None
            self._blob, self._offsets, self.lengths, self.flags = raw
        self._places = place_list
        self._made: dict[int, Entry] = {}

    def __len__(self) -> int:
        return len(self._entries) if self._entries is not None else len(self._offsets) - 1

    def __getitem__(self, index: int) -> Entry:
        entry = self._made.get(index)
        if entry is None:
            if self._entries is not None:
                entry = self._entries[index]
            else:
                if not -len(self) <= index < len(self):
                    raise IndexError(index)
                index %= len(self)
                row = self._blob[self._offsets[index] : self._offsets[index + 1]]
                key, flags, major, direct, derived, cands, admin, exact = marshal.loads(row)
                pl = self._places
                assert pl is not None  # packed rows come from a saved index, with its place list
                entry = Entry(
                    key,
                    [pl[i] for i in direct],
                    [pl[i] for i in derived],
                    flags,
                    set(exact),
                    major,
                    tuple(pl[i] for i in cands),
                    tuple(pl[i] for i in admin),
                ).settle()  # as when the index was built: the same fast path, the same reasons
            self._made[index] = entry
        return entry

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def raw_rows(self, order: dict[str, int]) -> Iterator[tuple]:
        """Each entry as its saved row, places by their position in `order`: what a digest of the index reads."""
        blob, offsets, _lengths, _flags = self.packed(order)
        return (marshal.loads(blob[offsets[i] : offsets[i + 1]]) for i in range(len(offsets) - 1))

    def packed(self, order: dict[str, int]) -> tuple[bytes, array[int], array[int], array[int]]:
        """The rows as saved: places by their position in `order`, one marshalled tuple per entry; then
        the key lengths and flags."""
        if self._entries is None:
            return self._blob, self._offsets, self.lengths, self.flags
        place_id, position = attrgetter("id"), order.__getitem__  # map() over these: half the time of a loop
        rows = [
            marshal.dumps(
                (
                    e.key,
                    e.flags,
                    e.major,
                    tuple(map(position, map(place_id, e.direct))),
                    tuple(map(position, map(place_id, e.derived))) if e.derived else (),
                    tuple(map(position, map(place_id, e.cands))),
                    tuple(map(position, map(place_id, e.admin_cands))) if e.admin_cands else (),
                    tuple(sorted(e.exact_forms)) if e.exact_forms else (),
                )
            )
            for e in self._entries
        ]
        return b"".join(rows), array("Q", accumulate(map(len, rows), initial=0)), self.lengths, self.flags


@dataclass(frozen=True, slots=True)
class ContextWords:
    """Words beside a name that change its reading, as regexes over normalised text.

    `*_after` patterns are used with .match(norm, end) and allow a possessive "s" first;
    `*_before` patterns with .search(norm, start - 40, start) and end at the name.
    """

    admin_after: re.Pattern[str]
    admin_before: re.Pattern[str]
    kind_after: re.Pattern[str]
    kind_before: re.Pattern[str]
    title_before: re.Pattern[str]
    # Organisation words are read in the text as written (capitalised), not in the normalised copy:
    # "the Aleppo front" is a place, "the Levant Front" an armed group.
    org_after: re.Pattern[str]  # "Hawar Kilis Operations Room": .match(text, end)
    org_before: re.Pattern[str]  # "Liwa Thuwar al-Raqqa": .search(text, start - 40, start), two words between
    qualifier_after: re.Pattern[str]  # "Kansafra al-Sharqi": .match(norm, end)
    # English words that, in lowercase and followed by a space, begin no name: "at Tal..." is not At Tall
    english_leads: frozenset[str] = frozenset()
    # "Kansafra al-Sharqi", "Kafr Nubl Tahtani": the part of the place; never a place of its own after a name
    qualifiers: frozenset[str] = frozenset()
    # Arabic writes "and", "in", "to" joined to the next word (وإدلب, بحلب): keys also match after these
    arabic_prefixes: tuple[str, ...] = ()


def _after_pattern(words: set[str]) -> re.Pattern[str]:
    alternatives = "|".join(sorted(map(re.escape, words), key=len, reverse=True)) or "(?!)"
    return re.compile(rf" +(?:s +)?({alternatives})(?![^\W_])")


def _before_pattern(words: set[str], words_between: int = 0) -> re.Pattern[str]:
    alternatives = "|".join(sorted(map(re.escape, words), key=len, reverse=True)) or "(?!)"
    between = rf"(?: +[^\W_]+){{0,{words_between}}}" if words_between else ""
    return re.compile(rf"(?<![^\W_])({alternatives}){between} +$")


@dataclass(slots=True)
class Gazetteer:
    root: Path
    places: dict[str, Place]
    entries: EntryTable
    automaton: Automaton
    context: ContextWords
    common_words: frozenset[str]
    not_place_keys: frozenset[str] = frozenset()
    # (article file name, start offset) -> (text, place id or "" for "not a place here")
    overrides: dict[tuple[str, int], tuple[str, str]] = field(default_factory=dict)
    # phonetic key (text/phonetic.py) -> ids of the places with a Latin name of that key
    phonetic: dict[str, tuple[str, ...]] = field(default_factory=dict)
    phonetic_rules: tuple[PhoneticRule, ...] = ()
    # place id -> prominence score (prominence.csv): a city or district capital beats a hamlet of its name
    prominence: dict[str, int] = field(default_factory=dict)
    # Decisions that depend only on a written name and this gazetteer (the sound-alike stage's screen
    # and phonetic keys), remembered for the process: names recur across articles. Never pickled.
    memo: dict = field(default_factory=dict, compare=False, repr=False)
    # The fingerprint of the files this index was built from ("" when built outside `load`): a key for
    # what is derived from the whole index and cached on disk (results/versions.py's name digests).
    version: str = field(default="", compare=False)

    def __getstate__(self) -> dict:
        """A compact form for the cache: tuples unpickle far faster than 100k objects."""
        order = {pid: i for i, pid in enumerate(self.places)}
        return {
            "root": str(self.root),
            "places": [tuple(getattr(p, f) for f in Place.__slots__) for p in self.places.values()],
            "entries": self.entries.packed(order),
            "automaton": self.automaton,
            "context": self.context,
            "common_words": self.common_words,
            "not_place_keys": self.not_place_keys,
            "overrides": self.overrides,
            "phonetic": self.phonetic,
            "phonetic_rules": self.phonetic_rules,
            "prominence": self.prominence,
        }

    def __setstate__(self, state: dict) -> None:
        place_list = [Place(*row) for row in state["places"]]
        self.root = Path(state["root"])
        self.places = {p.id: p for p in place_list}
        self.entries = EntryTable(state["entries"], place_list)
        self.automaton = state["automaton"]
        largest = getattr(self.automaton, "largest_value", None)
        if largest is not None and largest() >= len(self.entries):
            raise ValueError("a saved index whose automaton names entries it does not have")  # rebuilt
        self.context = state["context"]
        self.common_words = state["common_words"]
        self.not_place_keys = state["not_place_keys"]
        self.overrides = state["overrides"]
        self.phonetic = state["phonetic"]
        self.phonetic_rules = state["phonetic_rules"]
        self.prominence = state["prominence"]
        self.memo = {}
        self.version = ""

    def __repr__(self) -> str:
        return f"Gazetteer({self.root}, {len(self.places)} places, {len(self.entries)} keys)"

    def governorate_place(self, governorate: str) -> Place | None:
        """The governorate called so (OCHA's name), as a place."""
        found = self.memo.get(("governorate", governorate))
        if found is None:
            found = next((p for p in self.places.values() if p.kind == "governorate" and p.name == governorate), None)
            self.memo[("governorate", governorate)] = found
        return found

    def district_of(self, place: Place) -> str:
        """The name of the OCHA district a place lies in ("" when its parents do not say)."""
        for _ in range(4):  # village -> sub-district -> district
            if place.kind == "district":
                return place.name
            parent = self.places.get(place.parent)
            if parent is None:
                return ""
            place = parent
        return ""

    def entry_for(self, name: str) -> Entry | None:
        """The index entry a written name reaches, or None (for tests and curation)."""
        found = self.automaton.get(f" {alias_key(name)} ", None)
        return None if found is None else self.entries[found]


def default_root() -> Path:
    """gazetteer/ beside the package's project, or $GEO_GAZETTEER."""
    return settings.gazetteer_dir()


def source_files(root: Path) -> dict[str, Path]:
    return {
        "places": root / "places.csv",
        "aliases": root / "aliases.csv",
        "curated_places": root / "curated" / "places.csv",
        "curated_aliases": root / "curated" / "aliases.csv",
        "not_places": root / "curated" / "not_places.csv",
        "ambiguous": root / "curated" / "ambiguous_names.txt",
        "generic": root / "curated" / "generic_words.txt",
        "common_words": root / "common_words.txt",
        "common_words_ar": root / "common_words_ar.txt",
        "merged_ids": root / "merged_ids.csv",
        "spelling_rules": root / "spelling_rules.csv",
        "context_words": root / "context_words.csv",
        "overrides": root / "curated" / "overrides.csv",
        "phonetic_rules": root / "phonetic_rules.csv",
        "prominence": root / "prominence.csv",
    }


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def read_rows(path: Path, columns: tuple[str, ...], required: bool = True):
    """Yield (line number, row) of a CSV, checking its header first, then every row.

    A file people edit breaks in every way: bytes that are not UTF-8, a NUL or other control
    character, a quote left open (reported on the line where it opens), a stray comma. Each is a
    GazetteerError naming the file and line, never a traceback.
    """
    if not path.exists():
        if required:
            raise GazetteerError(path, None, "file is missing")
        return
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise GazetteerError(path, line, f"not UTF-8 text (byte {raw[e.start]:#04x}): save the file as UTF-8") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        missing = [c for c in columns if c not in (reader.fieldnames or [])]
    except csv.Error as e:
        raise GazetteerError(path, 1, f"not a CSV header ({e})") from None
    if missing:
        raise GazetteerError(path, 1, f"missing column(s) {', '.join(missing)}; expected {','.join(columns)}")
    first = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            raise GazetteerError(path, first, f"not CSV ({e})") from None
        if any(v is not None and "\n" in v for v in row.values()):
            raise GazetteerError(
                path, first, f"a quote opened on this line is not closed (the field runs on to line {reader.line_num})"
            )
        if None in row or any(v is None for v in row.values()):
            raise GazetteerError(path, reader.line_num, "wrong number of fields (a stray or missing comma?)")
        for column, value in row.items():
            control = _CONTROL.search(value)
            if control:
                where = f"control character U+{ord(control.group()):04X} in {column}"
                raise GazetteerError(path, reader.line_num, f"{where}: remove it")
        yield reader.line_num, row
        first = reader.line_num + 1


def read_word_list(path: Path) -> set[str]:
    if not path.exists():
        return set()
    words = set()
    for line in path.read_text(encoding="utf-8-sig").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            words.add(alias_key(line))
    return words


def parse_place(path: Path, line: int, row: dict) -> Place:
    try:
        lat, lon = float(row["lat"]), float(row["lon"])
    except ValueError:
        raise GazetteerError(path, line, f"lat={row['lat']!r} lon={row['lon']!r}: not numbers") from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        hint = "; are lat and lon swapped?" if -90 <= lon <= 90 else ""
        raise GazetteerError(path, line, f"lat={lat} lon={lon} out of range{hint}")
    if row["kind"] not in KINDS:
        raise GazetteerError(path, line, f"kind {row['kind']!r} is not one of {', '.join(KINDS)}")
    if not row["id"] or not row["name"]:
        raise GazetteerError(path, line, "id and name are required")
    try:
        population = int(row["population"] or 0)
    except ValueError:
        raise GazetteerError(path, line, f"population {row['population']!r} is not a whole number") from None
    return Place(
        id=row["id"],
        name=row["name"],
        name_ar=row["name_ar"],
        kind=row["kind"],
        lat=lat,
        lon=lon,
        governorate=row["governorate"],
        parent=row["parent"],
        population=population,
        source=row["source"],
        in_syria=bool(row["governorate"]) or row["id"] == HOME_COUNTRY_ID,
    )


def load_places(files: dict[str, Path]) -> dict[str, Place]:
    places: dict[str, Place] = {}
    where: dict[str, tuple[Path, int]] = {}
    for name in ("places", "curated_places"):
        for line, row in read_rows(files[name], PLACE_COLUMNS, required=name == "places"):
            place = parse_place(files[name], line, row)
            if place.id in places:
                first = where[place.id]
                raise GazetteerError(
                    files[name], line, f"duplicate id {place.id} (first at {first[0]}:{first[1]}); give it a new id"
                )
            places[place.id] = place
            where[place.id] = (files[name], line)
    return places


def load_context(path: Path) -> ContextWords:
    sets: dict[str, set[str]] = {role: set() for role in CONTEXT_ROLES}
    for line, row in read_rows(path, CONTEXT_COLUMNS):
        if row["role"] not in sets:
            raise GazetteerError(path, line, f"role {row['role']!r} is not one of {', '.join(CONTEXT_ROLES)}")
        word = row["word"].strip()
        sets[row["role"]].add(word if row["role"].startswith("org_") else alias_key(word))
    leads = frozenset(sets.pop("english_lead"))
    arabic_prefixes = tuple(sorted(sets.pop("arabic_prefix")))
    for role in ("admin_before", "kind_before"):  # "وريف حلب": the word before the name takes a prefix too
        sets[role] |= {joined for word in sets[role] for joined in arabic_prefixed(word, arabic_prefixes)}
    qualifiers = frozenset(sets["qualifier_after"])
    patterns = {k: (_after_pattern(v) if k.endswith("after") else _before_pattern(v)) for k, v in sets.items()}
    org_after = _alternatives(sets["org_after"])
    org_before = _alternatives(sets["org_before"])
    patterns["org_after"] = re.compile(rf"(?:'s)?\s+(?:{org_after})(?![\w'’-])")
    particle = r"(?:(?:al|el|as|ash|ad|ar|at|an|az)-)"
    name_word = rf"\s+{particle}?[A-Z][\w'’]*(?:-[\w'’]+)*"  # capitalised: words of the organisation's name
    patterns["org_before"] = re.compile(
        rf"(?<![\w'’-])(?:{org_before})(?:{name_word}){{0,2}}(?:\s+|\s+{particle}|-)$"
    )
    return ContextWords(**patterns, english_leads=leads, qualifiers=qualifiers, arabic_prefixes=arabic_prefixes)


def _alternatives(words: set[str]) -> str:
    return "|".join(re.escape(w).replace("\\ ", r"\s+") for w in sorted(words, key=len, reverse=True)) or "(?!)"


class _IndexBuilder:
    """Collects aliases into entries; one entry per normalised key."""

    def __init__(self, rules: list[SpellingRule], stop_words: set[str], person_words: set[str]):
        self.rules = rules
        self.stop_words = stop_words
        self.person_words = person_words
        self.by_key: dict[str, Entry] = {}
        self.spellings: dict[str, list[str]] = {}  # key -> its variants: 15% of the aliases share a key

    def _entry(self, key: str) -> Entry:
        entry = self.by_key.get(key)
        if entry is None:
            entry = self.by_key[key] = Entry(key)
        return entry

    def add(self, place: Place, written: str, curated: bool) -> None:
        key = alias_key(written)
        if len(key.replace(" ", "")) < MIN_KEY_LENGTH and not (written.isupper() and curated):
            return
        any_case = curated or place.kind in ANY_CASE_KINDS
        abbreviation = written.isupper() and len(written) <= 4
        forms = self.spellings.get(key)
        if forms is None:
            forms = self.spellings[key] = variants(key, self.rules)
        for i, form in enumerate(forms):
            if i and len(form.replace(" ", "")) < MIN_KEY_LENGTH:
                continue
            entry = self._entry(form)
            target = entry.direct if i == 0 else entry.derived
            if not target or all(p is not place for p in target):  # one object per place: no field-by-field ==
                target.append(place)
            if abbreviation and i == 0:
                entry.flags |= EXACT_CASE
                entry.exact_forms.add(written.rstrip("."))  # "U.S." is matched as "U.S": a dot ends words
            elif any_case and (i == 0 or not curated):
                entry.flags |= ANY_CASE  # a hand-written alias, not what rules make of it

    def add_possessives(self) -> None:
        """ "Syrias", "Aleppos": news copy that lost its apostrophes still names the place.

        Only for countries, governorates, cities and regions, and never where the form is
        a word or name of its own ("Hamas" is not Hama's).
        """
        for key, entry in list(self.by_key.items()):
            if not entry.direct or key.endswith("s"):
                continue
            majors = [p for p in entry.direct if p.kind in ANY_CASE_KINDS]
            form = key + "s"
            if not majors or form in self.by_key or form in self.stop_words:
                continue
            self._entry(form).derived.extend(majors)

    def add_not_place(self, phrase: str) -> None:
        self._entry(alias_key(phrase)).flags |= NOT_PLACE

    def finish(self) -> list[Entry]:
        entries = []
        size = attrgetter("size_key")
        for key, entry in self.by_key.items():
            if entry.flags & EXACT_CASE and entry.flags & ANY_CASE:
                entry.flags &= ~EXACT_CASE  # also written in ordinary case by some source
            ambiguous = key in self.stop_words or key in self.person_words
            if ambiguous:
                entry.flags &= ~ANY_CASE
                majors = [p for p in entry.direct if p.kind in ANY_CASE_KINDS]
                if not majors or key in self.person_words:
                    entry.flags |= NEEDS_CONTEXT
            direct, derived = entry.direct, entry.derived
            if len(direct) > 1:  # most keys name one place: nothing to sort
                direct.sort(key=size)
            if derived and direct:  # a place reached both ways counts as written so
                if len(direct) == 1:
                    derived = entry.derived = [p for p in derived if p is not direct[0]]
                else:
                    ids = {id(p) for p in direct}
                    derived = entry.derived = [p for p in derived if id(p) not in ids]
            if len(derived) > 1:
                derived.sort(key=size)
            entry.major = any(p.kind in ANY_CASE_KINDS for p in direct) or any(
                p.kind in ANY_CASE_KINDS for p in derived
            )
            if entry.major:
                entry.flags |= MAJOR
            base = direct or derived
            if len(base) < 2:
                entry.cands = tuple(base)  # one place (most keys) or none (a non-place): nothing to choose
            else:
                admin = [p for p in base if p.kind in ADMIN_KINDS]
                plain = base
                if admin and len(admin) < len(base):
                    entry.admin_cands = tuple([p for p in admin if p.kind == "governorate"] or admin)
                    plain = [p for p in base if p.kind not in ADMIN_KINDS]
                majors = [p for p in plain if p.kind in ANY_CASE_KINDS]
                entry.cands = tuple(majors or plain)
            entry.settle()
            entries.append(entry)
        return entries


ARABIC_PREFIX_MIN_KEY = 3  # letters: a prefix joined to a shorter name would make common words of it


def automaton_kind() -> bytes:
    """Which automaton make_automaton builds: part of the key of every cache that holds one."""
    return b"flat" if FlatAutomaton is not None else b"pyahocorasick"


def make_automaton(words: dict[str, int]) -> Automaton:
    """The search automaton of these keys and values: the compiled flat one when it was built (_automaton.pyx,
    the same hits, read back from the cache in a tenth of the time), else pyahocorasick's."""
    if FlatAutomaton is not None:
        return FlatAutomaton(words.keys(), words.values())
    automaton = ahocorasick.Automaton(ahocorasick.STORE_INTS)
    for key, value in words.items():
        automaton.add_word(key, value)
    automaton.make_automaton()
    return automaton


def arabic_prefixed(key: str, prefixes: tuple[str, ...]) -> list[str]:
    """An Arabic key as written after each joined prefix; its hit still starts at the name itself.

    A prefix ending in lam takes the alif of the article: ل + الرقة is written للرقة.
    """
    if len(key) < ARABIC_PREFIX_MIN_KEY or not ARABIC_SCRIPT.match(key):
        return []
    return [p + key[1:] if p.endswith("ل") and key.startswith("ال") else p + key for p in prefixes]


@store.collector_paused()
def build(root: Path) -> Gazetteer:
    """Read every gazetteer file and build the index (slow path; see load())."""
    files = source_files(root)
    places = load_places(files)
    common_words = frozenset(read_word_list(files["common_words"]) | read_word_list(files["common_words_ar"]))
    builder = _IndexBuilder(
        load_rules(files["spelling_rules"]),
        set(common_words),
        read_word_list(files["ambiguous"]) | read_word_list(files["generic"]),
    )
    for place in places.values():
        curated = not place.source.startswith(("OCHA", "Who's On First"))
        builder.add(place, place.name, curated)
        if place.name_ar:
            builder.add(place, place.name_ar, curated)
    merged = {row["old_id"]: row["new_id"] for _l, row in read_rows(files["merged_ids"], ("old_id", "new_id"), False)}
    spellings = [(p.id, p.name) for p in places.values()]
    for name in ("aliases", "curated_aliases"):
        for line, row in read_rows(files[name], ALIAS_COLUMNS, required=name == "aliases"):
            aliased = places.get(merged.get(row["place_id"], row["place_id"]))
            if aliased is None:
                raise GazetteerError(files[name], line, f"place_id {row['place_id']!r} is not in any places file")
            if row["alias"].strip():
                builder.add(aliased, row["alias"], curated=name == "curated_aliases")
                spellings.append((aliased.id, row["alias"]))
    not_place_keys = set()
    for _line, row in read_rows(files["not_places"], NOT_PLACE_COLUMNS, required=False):
        builder.add_not_place(row["phrase"])
        not_place_keys.add(alias_key(row["phrase"]))
    overrides = read_overrides(files["overrides"])
    for (article, _start), (_text, place_id) in overrides.items():
        if place_id and place_id not in places:
            raise GazetteerError(
                files["overrides"], None, f"{article}: place_id {place_id!r} is not in any places file"
            )
    builder.add_possessives()
    entries = builder.finish()
    context = load_context(files["context_words"])
    words = {f" {entry.key} ": i for i, entry in enumerate(entries)}  # each key's entry index (see EntryTable)
    for i, entry in enumerate(entries):
        if not entry.flags & MAJOR:
            continue  # a village's name joined to "and" or "by" is often a word: و + زارة is وزارة, "ministry"
        for joined in arabic_prefixed(entry.key, context.arabic_prefixes):
            words.setdefault(f" {joined} ", i)  # a name of its own ("وادي") keeps its entry; this hit
            # still spans len(entry.key) characters
    phonetic_rules = load_phonetic_rules(files["phonetic_rules"]) if files["phonetic_rules"].exists() else ()
    return Gazetteer(
        root,
        places,
        EntryTable(entries),
        make_automaton(words),
        context,
        common_words,
        frozenset(not_place_keys),
        overrides,
        phonetic_index(spellings, phonetic_rules, common_words | not_place_keys),
        phonetic_rules,
        load_prominence(files["prominence"], places),
    )


PROMINENCE_MAX = 200


def load_prominence(path: Path, places: dict[str, Place]) -> dict[str, int]:
    """prominence.csv: place id -> score (0-200). Optional: without it no place outranks another by fame."""
    scores = {}
    for line, row in read_rows(path, ("place_id", "score", "basis"), required=False):
        try:
            score = int(row["score"])
        except ValueError:
            raise GazetteerError(path, line, f"score {row['score']!r} is not a whole number") from None
        if not 0 <= score <= PROMINENCE_MAX:
            raise GazetteerError(path, line, f"score {score} is outside 0-{PROMINENCE_MAX}")
        if row["place_id"] in places:  # a place removed since the file was written is no error
            scores[row["place_id"]] = score
    return scores


def phonetic_index(
    spellings: list[tuple[str, str]], rules: tuple[PhoneticRule, ...], not_names: frozenset[str]
) -> dict[str, tuple[str, ...]]:
    """Phonetic key -> ids of the places spelled that way (Latin spellings that are not ordinary words)."""
    index: dict[str, dict[str, None]] = {}
    keys: dict[str, str] = {}  # spelling -> its key, "" for none: a spelling recurs (names shared, aliases)
    for place_id, spelling in spellings:
        key = keys.get(spelling)
        if key is None:
            key = ""
            if rules and (spelling.isascii() or not ARABIC_SCRIPT.search(spelling)):
                alias = alias_key(spelling)
                if alias not in not_names:
                    key = phonetic_key(spelling, rules, alias)
            keys[spelling] = key
        if key:
            index.setdefault(key, {})[place_id] = None
    return {key: tuple(ids) for key, ids in index.items()}


def read_overrides(path: Path) -> dict[tuple[str, int], tuple[str, str]]:
    """(article, start) -> (text, place_id) from curated/overrides.csv: one mention's correction."""
    out = {}
    for line, row in read_rows(path, OVERRIDE_COLUMNS, required=False):
        try:
            out[(row["article"], int(row["start"]))] = (row["text"], row["place_id"])
        except ValueError:
            raise GazetteerError(path, line, f"start {row['start']!r} is not a character offset") from None
    return out


def files_signature(root: Path) -> tuple:
    """Cheap change detector for the app: names, sizes and modification times of the source files."""
    out = []
    for name, path in sorted(source_files(root).items()):
        try:
            st = path.stat()
            out.append((name, st.st_size, st.st_mtime_ns))
        except OSError:
            out.append((name, -1, -1))
    return tuple(out)


def fingerprint(root: Path) -> str:
    digest = hashlib.sha256(CACHE_VERSION.encode())
    digest.update(automaton_kind())  # two builds, two caches
    for name, path in sorted(source_files(root).items()):
        digest.update(name.encode())
        digest.update(path.read_bytes() if path.exists() else b"-")
    package = Path(__file__).resolve().parents[1]  # the index is built by this code: it is part of the key
    for module in ("gazetteer/__init__.py", "text/spelling.py", "text/normalise.py", "text/phonetic.py", "models.py"):
        digest.update((package / module).read_bytes())
    return digest.hexdigest()[:20]


def cache_dir() -> Path:
    return settings.cache_dir()


def load(root: Path | None = None, use_cache: bool = True) -> Gazetteer:
    """The gazetteer index, from the on-disk cache when the files are unchanged."""
    root = Path(root) if root else default_root()
    if not use_cache:
        return build(root)
    version = fingerprint(root)
    cache = cache_dir() / f"gazetteer-{version}.pickle"

    gaz = store.load_cache(cache)
    if isinstance(gaz, Gazetteer):
        gaz.root, gaz.version = root, version
        return gaz
    gaz = build(root)
    store.save_cache(cache, gaz, "gazetteer-*.pickle")  # a read-only home still works, without the cache
    gaz.version = version
    return gaz


def last_good(root: Path | None = None) -> Gazetteer | None:
    """The newest index built from `root` that is still in the cache: what to serve while an edit has
    broken a gazetteer file (the app says so in a banner), or None."""
    root = (Path(root) if root else default_root()).resolve()
    try:
        caches = sorted(cache_dir().glob("gazetteer-*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
    except OSError:
        return None
    for cache in caches:
        gaz = store.load_cache(cache)
        if isinstance(gaz, Gazetteer) and Path(gaz.root).resolve() == root:
            gaz.version = cache.stem.removeprefix("gazetteer-")
            return gaz
    return None


__all__ = ["Gazetteer", "Entry", "load", "build", "default_root", "last_good"]

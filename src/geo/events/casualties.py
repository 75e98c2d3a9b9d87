"""Numbers of people killed and injured that one sentence states, with qualifier and victims.

"killing at least 55 people", "over 300 civilians were dead", "2 children were killed and 3 other
people were injured", "five of its members", "20.000" (a European thousands separator). Vague
tolls ("dozens", "hundreds of deaths") are kept as text with no figure: a number is never invented.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import cast

from geo.events.lexicon import Lexicon
from geo.models import Casualty

# Every word and window read here is in lexicons/ (lexicon.Vocabulary): casualty_aux, victim_filler,
# toll_bridge, unit... in event_words.csv; victims_reach, passive_reach... in event_settings.csv.
_SPAN, _GROUP = re.Match.span, re.Match.group
_THOUSANDS = re.compile(r"\d{1,3}(?:([., ])\d{3})(?:\1\d{3})*")


def _token_pattern(signs: set[str]) -> re.Pattern[str]:
    """Numbers, words and signs. "1 000" (a space as thousands separator) is one token, like "1,000"
    and "1.000"; signs are tokens too, so "20%", "12:30", "$5" and "19/4" can be told from counts."""
    sign = "[" + "".join(re.escape(c) for c in sorted(signs)) + "]" if signs else "(?!)"
    return re.compile(r"\d{1,3}(?: \d{3})+(?![\d.,])|\d+(?:[.,]\d+)*|[^\W\d_]+(?:['’-][^\W\d_]+)*|" + sign)


class Phrases:
    """Phrases of one role (`all`), with their first and last words: most tokens are ruled out in one look-up.

    It holds its frozenset rather than being one: mypyc compiles this module, and a class of its own
    cannot extend a built-in there."""

    def __init__(self, phrases: Iterable[str]):
        self.all = frozenset(phrases)
        self.first = frozenset(p.split()[0] for p in self.all)
        self.last = frozenset(p.split()[-1] for p in self.all)
        self.longest = max((len(p.split()) for p in self.all), default=0)


class _Words:
    """The lexicon's word roles as plain lookups, built once per lexicon."""

    def __init__(self, lexicon: Lexicon):
        v = self.vocab = lexicon.vocab
        self.token = _token_pattern({*v.sign_after, *v.sign_before})
        self.aux, self.filler = frozenset(v.casualty_aux), frozenset(v.victim_filler)
        self.bridge = frozenset(v.toll_bridge)
        self.units, self.indefinite, self.single = frozenset(v.unit), frozenset(v.indefinite), frozenset(v.single)
        self.vague_of, self.number_and = frozenset(v.vague_of), frozenset(v.number_and)
        self.links, self.including, self.passive = frozenset(v.figure_link), frozenset(v.including), Phrases(v.passive)
        self.active_verbs, self.active_suffixes = frozenset(v.active_verb), tuple(v.active_suffix)
        self.toll_links, self.toll = frozenset(v.toll_link), frozenset(v.toll)
        self.sign_after, self.sign_before = frozenset(v.sign_after), frozenset(v.sign_before)
        self.numbers = {p: int(v) for p, v in lexicon.phrases("number").items()}
        self.multipliers = {p: int(v) for p, v in lexicon.phrases("multiplier").items()}
        self.vague = Phrases(lexicon.phrases("vague"))
        self.victims = Phrases(lexicon.phrases("victims"))
        self.killed = Phrases(lexicon.phrases("killed"))
        self.injured = Phrases(lexicon.phrases("injured"))
        self.qualifier_of = lexicon.phrases("qualifier")
        self.qualifiers = Phrases(self.qualifier_of)
        self.subset = Phrases(lexicon.phrases("subset"))
        # "Four children were among the dead": a subset phrase that says they died
        self.among_dead = Phrases(p for p in self.subset.all if set(p.split()) & self.killed.all)
        self.months = set(lexicon.phrases("month"))
        # First words that can open a number: only these tokens are read further.
        self.starters = {p.split()[0] for p in (*self.numbers, *self.vague.all)} - self.indefinite
        self.openers = self.starters | self.indefinite  # one look-up rules out most tokens
        self.after_a = self.victims.all | set(self.multipliers) | set(v.after_indefinite)


def _words(lexicon: Lexicon) -> _Words:
    words = cast("_Words | None", lexicon.derived.get("casualties"))
    if words is None:
        words = lexicon.derived["casualties"] = _Words(lexicon)
    return words


def _phrase_at(tokens: list[str], i: int, phrases: Phrases, longest: int = 4) -> int:
    """Length in tokens of the longest phrase starting at tokens[i], 0 if none."""
    if i >= len(tokens) or tokens[i] not in phrases.first:
        return 0
    for n in range(min(longest, phrases.longest, len(tokens) - i), 0, -1):
        if " ".join(tokens[i : i + n]) in phrases.all:
            return n
    return 0


def _phrase_ending(tokens: list[str], i: int, phrases: Phrases, longest: int = 4) -> int:
    """Length in tokens of the longest phrase ending just before tokens[i], 0 if none."""
    if i <= 0 or tokens[i - 1] not in phrases.last:
        return 0
    for n in range(min(longest, phrases.longest, i), 0, -1):
        if " ".join(tokens[i - n : i]) in phrases.all:
            return n
    return 0


def _digits(token: str) -> float | None:
    if _THOUSANDS.fullmatch(token):
        return float(re.sub(r"[., ]", "", token))
    if token.isdecimal():  # "²" is a digit to isdigit(), and no number to float()
        return float(token)
    try:
        return float(token.replace(",", "."))
    except ValueError:
        return None


def _read_number(tokens: list[str], i: int, w: _Words) -> tuple[float | None, int] | None:
    """(value or None for a vague amount, index after the number) for a number at tokens[i]."""
    tok = tokens[i]
    if tok[0].isdigit():
        value = _digits(tok)
        if value is None:
            return None
        j = i + 1
        if j < len(tokens) and tokens[j] in w.multipliers:
            value *= w.multipliers[tokens[j]]
            j += 1
        elif value != int(value):
            return None  # "2.5" alone is not a count of people
        return value, j
    n = _phrase_at(tokens, i, w.vague, 2)
    if n:
        j = i + n
        # "dozens of thousands", "tens of thousands"
        if j + 1 < len(tokens) and tokens[j] in w.vague_of:
            if tokens[j + 1] in w.vague.all or tokens[j + 1] in w.multipliers:
                j += 2
        return None, j
    total = current = 0
    j = i
    while j < len(tokens):
        parts = tokens[j].split("-")
        if all(p in w.numbers for p in parts) and not (tokens[j] in w.indefinite and j > i):
            current += sum(w.numbers[p] for p in parts)
        elif tokens[j] in w.multipliers and j > i:
            current = max(current, 1) * w.multipliers[tokens[j]]
            if w.multipliers[tokens[j]] >= 1000:
                total, current = total + current, 0
        elif tokens[j] in w.number_and and j > i and j + 1 < len(tokens) and tokens[j + 1].split("-")[0] in w.numbers:
            pass
        else:
            break
        j += 1
    if j == i:
        return None
    if (tokens[i] in w.indefinite or tokens[i] in w.single) and j == i + 1:
        # "a child", "one soldier", "a QSD fighter": a count only when a person follows
        if not _person_follows(tokens, j, w):
            return None
    return float(total + current), j


def _person_follows(tokens: list[str], j: int, w: _Words) -> bool:
    """A victim word at tokens[j], or after up to two other words ("a QSD fighter", "a young Syrian man")."""
    for k in range(j, min(j + 1 + w.vocab.person_after_indefinite, len(tokens))):
        if tokens[k] in w.after_a:
            return True
        if tokens[k] in w.killed.all or tokens[k] in w.injured.all or tokens[k] in w.aux or tokens[k][0].isdigit():
            return False
    return False


def find_casualties(sentence: str, offset: int, lexicon: Lexicon) -> list[Casualty]:
    """Killed and injured figures stated in one sentence (offsets into the article)."""
    w = _words(lexicon)
    spans: list[tuple[int, int]] = []  # token offsets: for ASCII text, worked out only once a toll is found
    matches: list[re.Match[str]] = []
    if sentence.isascii():  # the lowercased text's tokens are where the text's are
        matches = list(w.token.finditer(sentence.lower()))
        tokens = list(map(_GROUP, matches))
    else:  # lowercasing can change a word's length: tokens from the text as written
        spans = list(map(_SPAN, w.token.finditer(sentence)))
        tokens = [sentence[a:b].lower().replace("’", "'") for a, b in spans]
    found: list[Casualty] = []
    last_end_token, last_kind, last_subset = -10, "", False
    starters, openers, indefinite = w.starters, w.openers, w.indefinite
    # Only tokens that can open a number are read further: digits, number words, "a child", "a dozen".
    candidates = [
        i
        for i, tok in enumerate(tokens)
        if (tok in openers and (tok not in indefinite or _person_follows(tokens, i + 1, w)))
        or tok[0].isdigit()
        or ("-" in tok and tok.split("-")[0] in starters)
    ]
    i = 0
    for c in candidates:
        if c < i:
            continue  # inside a figure already read
        i = c
        number = _read_number(tokens, i, w)
        if number is None:
            i += 1
            continue
        value, j = number
        not_people, _ = _not_a_count(tokens, i, j, value, w)
        if not_people:
            i = j
            continue
        first = i - _phrase_ending(tokens, i, w.qualifiers, 4)
        qualifier = w.qualifier_of.get(" ".join(tokens[first:i]), "")
        victims, k = "", j
        unknown = 0  # "six Takfiri militants": up to two words we do not know may stand before the victims
        for step in range(j, min(j + w.vocab.victims_reach, len(tokens))):
            n = _phrase_at(tokens, step, w.victims, 2)
            if n:
                victims, k = " ".join(tokens[step : step + n]), step + n
                break
            if tokens[step] not in w.filler:
                unknown += 1
                ends = tokens[step] in w.aux or tokens[step] in w.killed.all or tokens[step] in w.injured.all
                if unknown > w.vocab.unknown_before_victims or ends:
                    break
        if value is None and not victims and k < len(tokens) and tokens[k] in w.vague_of:
            k += 1  # "hundreds of deaths"
        kind, last = _kind_after(tokens, k, w)
        lo = first
        if not kind:
            kind, lo = _kind_before(tokens, first, w)
            last = k
        gap = w.vocab.subset_gap
        subset = any(_phrase_ending(tokens, pos, w.subset, 3) for pos in range(max(0, first - gap), first + 1))
        linked = 1 <= first - last_end_token <= w.vocab.figure_link_gap and tokens[first - 1] in w.links
        if not kind and linked:
            kind = last_kind  # "killed 5 soldiers and 10 militants"
            subset = subset or last_subset  # "including seven children and two women"
        if not kind and subset:
            kind = last_kind  # "killing 9 people, among them 4 children"
        if kind:
            if not spans:
                spans = list(map(_SPAN, matches))
            start, end = spans[lo][0], spans[last - 1][1]
            figure = int(value) if value is not None else None
            text = sentence[start:end]
            found.append(Casualty(kind, figure, qualifier, victims, subset, start + offset, end + offset, text))
            last_end_token, last_kind, last_subset = last, kind, subset
            i = last
            continue
        i = max(j, i + 1)
    return found


def _not_a_count(tokens: list[str], i: int, j: int, value: float | None, w: _Words) -> tuple[bool, str]:
    """Years, dates, distances, times, shares and sums are numbers, not people: (decision, reason)."""
    after = tokens[j] if j < len(tokens) else ""
    before = tokens[i - 1] if i > 0 else ""
    if after in w.units:
        return True, "a unit follows (role unit)"
    if after in w.months or before in w.months and tokens[i][0].isdigit():
        return True, "a day of a month"  # "15 April", "April 15"; but "On 15 April, six rebels" counts six
    years = w.vocab.year_from <= (value or 0) <= w.vocab.year_to
    if value is not None and years and tokens[i][0].isdigit() and after not in w.victims.all:
        return True, "a year (settings year_from, year_to)"
    if after in w.sign_after or before in w.sign_before:
        return True, "a sign beside it (roles sign_after, sign_before)"
    return False, "a count"


def _kind_after(tokens: list[str], k: int, w: _Words) -> tuple[str, int]:
    """ "... were killed" / "... dead" / "... injured" after the figure and its victims.

    Only a state can follow a figure ("killed", "dead", "wounded"): "2 people injuring 7 others"
    has "injuring" open the next figure. A longer gap is allowed before a passive verb:
    "Seven militants from the Nusra Front group were killed".
    """
    v = w.vocab
    if k < len(tokens) and tokens[k] in w.including:  # "18 militants including a commander were killed"
        for step in range(k + 1, min(k + 1 + v.including_reach, len(tokens))):
            if tokens[step] in w.aux:
                k = step
                break
    for step in range(k, min(k + v.aux_reach, len(tokens))):
        found = _state_at(tokens, step, w)
        if found:
            return found
        if tokens[step] not in w.aux:
            break
    for step in range(k, min(k + v.passive_reach, len(tokens) - 1)):
        if tokens[step][0].isdigit() or tokens[step] in w.killed.all or tokens[step] in w.injured.all:
            break  # another figure or verb: the figure has no passive verb of its own
        n = _phrase_at(tokens, step, w.passive, 4)
        if n:
            found = _state_at(tokens, step + n, w)
            if found:
                return found
    return "", k


def _state_at(tokens: list[str], step: int, w: _Words) -> tuple[str, int] | None:
    for words, kind in ((w.killed, "killed"), (w.injured, "injured"), (w.among_dead, "killed")):
        n = _phrase_at(tokens, step, words, 4)
        if n and not tokens[step].endswith(w.active_suffixes) and tokens[step] not in w.active_verbs:
            return kind, step + n
    return None


def _kind_before(tokens: list[str], first: int, w: _Words) -> tuple[str, int]:
    """ "killing ...", "injured ...", "the death toll rose to ..." just before the figure."""
    pos = first
    while pos > 0 and first - pos < w.vocab.bridge_reach:
        for words, kind in ((w.killed, "killed"), (w.injured, "injured")):
            n = _phrase_ending(tokens, pos, words, 4)
            if n:
                return kind, pos - n
        if tokens[pos - 1] not in w.bridge:
            break
        pos -= 1
    before = tokens[max(0, first - w.vocab.toll_reach) : first]
    if first and tokens[first - 1] in w.toll_links and not w.toll.isdisjoint(before):
        return "killed", first  # "the death toll in Aleppo rose to 55"
    return "", first


def totals(casualties: list[Casualty], kind: str, stated: bool = False) -> int | None:
    """The sum of a kind's figures; None when only vague, or when `stated` (deaths said, no number).

    Parts of a total ("including 5 children") are left out, and a figure repeated for the same
    victims ("air raids kill 42 ... air raids killed 42 people") is counted once.
    """
    figures = [c for c in casualties if c.kind == kind and not c.subset]
    seen: dict[int, str] = {}
    total = 0
    for c in figures:
        if c.figure is None:
            continue
        if c.figure in seen and (not c.victims or not seen[c.figure] or c.victims == seen[c.figure]):
            continue
        seen[c.figure] = seen.get(c.figure) or c.victims
        total += c.figure
    if seen:
        return total
    return None if figures or stated else 0

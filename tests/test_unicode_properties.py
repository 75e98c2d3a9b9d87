"""Invisible characters inside names (issue 17), and properties over arbitrary Unicode (Hypothesis).

A combining accent typed after its letter, bidi controls and zero-width joiners do not defeat
matching; whatever the text, parsing never raises and every offset indexes the text as given.
"""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.pipeline import parse_text
from geo.text.normalise import alias_key, normalise, squeeze
from geo.text.phonetic import phonetic_key

FEW = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
INVISIBLE = [
    "\u0301",
    "\U000e0041",
    "\u0308",
    "\u202e",
    "\u202d",
    "\u2066",
    "\u2069",
    "\u200b",
    "\u200c",
    "\u200d",
    "\u00ad",
    "\ufe0f",
]
NAMES = ["Aleppo", "Idlib", "Hama", "Homs", "Damascus", "Deir ez-Zor", "Kafr Nabl", "Raqqa", "حلب", "حمص"]


@pytest.mark.parametrize(
    "text, written",
    [
        ("Air strikes hit A\u0301leppo on Monday.", "A\u0301leppo"),  # a combining acute, as some keyboards type it
        ("Air strikes hit Alep\u0308po on Monday.", "Alep\u0308po"),
        ("Shelling hit Ha\u202ema and fled.", "Ha\u202ema"),  # RIGHT-TO-LEFT OVERRIDE inside the name
        ("Shelling hit \u2066Homs\u2069 again.", "Homs"),  # isolates around it: not part of the mention
        ("Clashes in Id\u200dl\u200cib province.", "Id\u200dl\u200cib"),
        ("Clashes in Dam\u00adascus.", "Dam\u00adascus"),  # a soft hyphen
        ("قصف على حَلَب اليوم", "حَلَب"),  # Arabic vowel marks
        ("قصف على حمـص اليوم", "حمـص"),  # a tatweel stretching the word
    ],
)
def test_invisible_characters_inside_a_name_do_not_defeat_matching(parse, text, written):
    (m,) = [m for m in parse(text) if m.place.in_syria]
    assert m.text == written and text[m.start : m.end] == written
    assert text[m.excerpt_start : m.excerpt_start + len(m.excerpt)] == m.excerpt


def test_event_offsets_index_the_original_text(parse):
    text = "Air strikes hit A\u0301leppo on 5 May 2016, k\u200dilling at least 5 people in I\u200ddlib."
    for m in parse(text):
        assert m.event is not None and m.event.casualties
        for c in m.event.casualties:
            assert text[c.start : c.end] == c.text and "5 people" in c.text
        if m.event.trigger_start is not None:
            assert text[m.event.trigger_start :].startswith(m.event.trigger)


def test_an_alias_with_marks_has_the_key_of_the_name_without(gaz):
    assert alias_key("A\u0301leppo") == alias_key("Aleppo") == "aleppo"
    assert alias_key("حمّص") == alias_key("حمص")  # a shadda, as the gazetteer's Arabic names carry some


@FEW
@given(st.text())
def test_squeeze_maps_every_character_back(text):
    squeezed = squeeze(text)
    if squeezed is None:
        return
    assert len(squeezed.text) + len(squeezed.removed) == len(text)
    for i, ch in enumerate(squeezed.text):
        assert text[squeezed.start(i)] == ch and squeezed.offset_of(squeezed.start(i)) == i
        assert squeezed.start(i) < squeezed.end(i + 1) <= len(text)
    assert squeezed.start(len(squeezed.text)) == len(text)


@FEW
@given(st.text())
def test_normalise_and_the_keys_never_raise(gaz, text):
    assert len(normalise(text)) == len(text)
    alias_key(text)
    phonetic_key(text, gaz.phonetic_rules)


TEXT = st.lists(
    st.one_of(st.sampled_from(NAMES + INVISIBLE + [" ", ", ", ". ", "in ", "killed 5 "]), st.text(max_size=8))
)


@FEW
@given(TEXT.map("".join))
def test_parsing_any_text_never_raises_and_offsets_index_it(gaz, text):
    for m in parse_text("any.txt", text, gaz):
        assert 0 <= m.start < m.end <= len(text) and text[m.start : m.end] == m.text
        assert m.excerpt_start <= m.start and m.end <= m.excerpt_start + len(m.excerpt)
        assert text[m.excerpt_start : m.excerpt_start + len(m.excerpt)] == m.excerpt
        for c in m.event.casualties if m.event else ():
            assert text[c.start : c.end] == c.text


@FEW
@given(st.sampled_from(NAMES[:8]), st.lists(st.tuples(st.integers(1, 10), st.sampled_from(INVISIBLE)), max_size=3))
def test_a_name_with_invisible_characters_anywhere_inside_is_found(gaz, name, inserts):
    written = name
    for at, ch in inserts:
        at = min(at, len(written) - 1)
        if written[at - 1] != " ":  # inside a word, not after a space
            written = written[:at] + ch + written[at:]
    text = f"Shelling hit {written} on Monday."
    spans = [(m.start, m.end) for m in parse_text("t.txt", text, gaz)]
    start = len("Shelling hit ")
    assert any(s <= start and start + len(written) - 1 < e for s, e in spans), (text, spans)
    assert all(unicodedata.category(text[s]) not in ("Mn", "Cf") for s, _ in spans)

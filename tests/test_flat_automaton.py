"""The compiled automaton (src/geo/gazetteer/_automaton.pyx) finds what pyahocorasick finds, in the same
order: on keys chosen to go wrong, on random ones, and as the gazetteer's index on the seed articles and
FA-KES (../shared, skipped without it), where the whole parse must give the same records.
"""

from __future__ import annotations

import pickle
import struct
import sys
from pathlib import Path

import ahocorasick
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo import gazetteer
from geo.corpus.reader import article_files, read_article
from geo.events import lexicon
from geo.output import render_events, render_mentions
from geo.pipeline import parse_read_article
from geo.places.matcher import find_matches
from geo.text.normalise import normalise

ROOT = Path(__file__).resolve().parents[1]
FAKES = ROOT.parent / "shared" / "data" / "fakes" / "fakes_articles.csv"

pytestmark = pytest.mark.skipif(
    gazetteer.FlatAutomaton is None, reason="geo.gazetteer._automaton is not built (pip install -e . builds it)"
)


def _pair(keys: list[str]):
    """The flat automaton and pyahocorasick's of the same keys, each key's value its position."""
    flat = gazetteer.FlatAutomaton(keys, range(len(keys)))
    aho = ahocorasick.Automaton(ahocorasick.STORE_INTS)
    for i, key in enumerate(keys):
        aho.add_word(key, i)
    aho.make_automaton()
    return flat, aho


TRICKY_KEYS = [
    *("he", "she", "his", "hers", "s", "e"),  # the textbook case: keys inside keys, at one end several
    *(" hama ", " hamas ", " a ", " aa ", " aaa "),  # the index's own shape: spaces at both ends
    *("حلب", "بحلب", " وادي ", "ال"),  # Arabic (two bytes a character)
    *("café", "é"),  # Latin-1 (a byte a character)
    *("🙂x", "x🙂", "🙂"),  # beyond the Basic Multilingual Plane (four bytes)
]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "h",
        "ushers",
        "she sells his hers",
        " hamas hama  a aa aaa aaaa ",
        "في بحلب وحلب ووادي الحلب",
        "un café, é é",
        "🙂x🙂🙂xx🙂",
        "mixed: hers café 🙂x حلب",
    ],
)
def test_the_same_hits_as_pyahocorasick_in_the_same_order(text):
    flat, aho = _pair(TRICKY_KEYS)
    assert flat.iter(text) == list(aho.iter(text))


@settings(max_examples=300, deadline=None)
@given(
    keys=st.lists(st.text(alphabet="ab é🙂", min_size=1, max_size=6), min_size=1, max_size=30, unique=True),
    text=st.text(alphabet="ab é🙂c", max_size=60),
)
def test_random_keys_and_texts_give_the_same_hits(keys, text):
    flat, aho = _pair(keys)
    assert flat.iter(text) == list(aho.iter(text))
    assert sorted(flat.items()) == sorted(aho.items())


def test_it_answers_for_a_key_and_reads_back_from_a_pickle():
    flat, _ = _pair(TRICKY_KEYS)
    assert len(flat) == len(TRICKY_KEYS)
    assert flat.get("hers") == TRICKY_KEYS.index("hers")
    assert flat.get("her") is None and flat.get("her", -1) == -1  # a prefix of a key is no key
    assert flat.get("") is None and "" not in flat and 3 not in flat
    assert "🙂x" in flat and flat.exists(" وادي ")
    again = pickle.loads(pickle.dumps(flat, protocol=pickle.HIGHEST_PROTOCOL))
    assert again.iter("ushers 🙂x") == flat.iter("ushers 🙂x") and len(again) == len(flat)


@pytest.mark.parametrize("field, value", [(0, 10**6), (1, 10**6), (1, 7), (3, 99)])  # first, fail, more
def test_a_damaged_saved_automaton_is_refused_not_searched(field, value):
    """A cache damaged on disk must not make a search read outside the arrays or loop for ever."""
    flat, _ = _pair(TRICKY_KEYS)
    restore, (blob, nodes, keys) = flat.__reduce__()
    node = 5  # each node is four int32: first, fail, value, more
    damaged = bytearray(blob)
    damaged[(4 * node + field) * 4 : (4 * node + field + 1) * 4] = value.to_bytes(4, sys.byteorder, signed=True)
    with pytest.raises(ValueError, match="damaged"):
        restore(bytes(damaged), nodes, keys)
    with pytest.raises(ValueError, match="wrong size"):
        restore(blob[:-4], nodes, keys)
    assert restore(blob, nodes, keys).iter("ushers") == flat.iter("ushers")


def test_a_crafted_saved_automaton_is_refused_whatever_its_numbers():
    """A review's crafted blobs (2026-12-04): a node count whose size wraps around, a key count out of
    range, a failure-link output at a node that ends no key (value -1 would escape to the matcher)."""
    from geo.gazetteer._automaton import _restore

    restore, (blob, nodes, keys) = gazetteer.FlatAutomaton(["ab"], [0]).__reduce__()
    with pytest.raises(ValueError, match="wrong size"):
        restore(b"\0" * 16, 922337203685477581, 0)  # (n + 1) * 16 + (n - 1) * 4 wraps to 16
    for count in (-1, nodes + 1):
        with pytest.raises(ValueError, match="wrong size"):
            _restore(blob, nodes, count)
    raw = bytearray(blob)  # nodes: the root, "a" (no value), "ab" (value 0): point "ab"'s output at "a"
    first, fail, value, _more = struct.unpack_from("=4i", raw, 2 * 16)
    struct.pack_into("=4i", raw, 2 * 16, first, fail, value, 1)
    with pytest.raises(ValueError, match="damaged"):
        _restore(bytes(raw), nodes, keys)


def test_an_automaton_never_built_searches_nothing_and_none_is_no_text():
    class Unbuilt(gazetteer.FlatAutomaton):
        def __init__(self):  # no super().__init__: the object is what __cinit__ left
            pass

    for empty in (gazetteer.FlatAutomaton.__new__(gazetteer.FlatAutomaton), Unbuilt()):
        assert empty.iter("any text") == [] and empty.get("any") is None and len(empty) == 0
    flat, _ = _pair(TRICKY_KEYS)
    for call in (lambda: flat.iter(None), lambda: flat.get(None), lambda: flat.exists(None)):
        with pytest.raises(TypeError):
            call()
    with pytest.raises(TypeError):
        gazetteer.FlatAutomaton(["a", "b"], [1.9, 0])  # as pyahocorasick: a float is no value


def test_the_matcher_loop_refuses_lengths_and_values_it_cannot_hold():
    from array import array

    flat = gazetteer.FlatAutomaton([" ab "], [0])
    args = (set(), None, 5, 1, 2, 4, 8, 16)
    assert flat.place_hits(" ab ", "ab", array("I", [2]), array("B", [1]), *args) == [(0, 2, 0)]
    for length in (0, 3, 0xFFFFFFFF, 0x80000010):  # none fits before the hit's end
        with pytest.raises(ValueError, match="length"):
            flat.place_hits(" ab ", "ab", array("I", [length]), array("B", [1]), *args)
    with pytest.raises(IndexError):
        flat.place_hits(" ab ", "ab", array("I", []), array("B", []), *args)  # value 0 has no length
    with pytest.raises(ValueError, match="as many flags"):
        flat.place_hits(" ab ", "ab", array("I", [2]), array("B", []), *args)


@pytest.mark.parametrize(
    "keys, values, message",
    [
        (["a", "a"], [0, 1], "given twice"),
        (["a", ""], [0, 1], "empty key"),
        (["a"], [-1], "from 0"),
        (["a", 3], [0, 1], "must be a str"),
        (["a"], [0, 1], "as many values"),
    ],
)
def test_bad_keys_are_refused_with_a_reason(keys, values, message):
    with pytest.raises(ValueError, match=message):
        gazetteer.FlatAutomaton(keys, values)


@pytest.fixture(scope="module")
def plain_gaz():
    """The real gazetteer built as a checkout without the compiled module builds it (pyahocorasick)."""
    flat = gazetteer.FlatAutomaton
    gazetteer.FlatAutomaton = None
    try:
        built = gazetteer.build(gazetteer.default_root())
    finally:
        gazetteer.FlatAutomaton = flat
    assert isinstance(built.automaton, ahocorasick.Automaton)
    return built


def _texts(folders):
    return [read_article(p, f) for p, f in article_files(folders)]


def test_the_index_holds_the_same_keys_and_gives_the_same_records_on_the_seeds(
    gaz, plain_gaz, plain_lexicon, monkeypatch, tmp_path
):
    """The whole parse with every automaton on pyahocorasick (the index, the event scan, the cue words),
    as where the module is not built, gives the same records."""
    from geo.places import cues

    assert isinstance(gaz.automaton, gazetteer.FlatAutomaton)
    assert sorted(gaz.automaton.items()) == sorted(plain_gaz.automaton.items())
    read = _texts([ROOT / "articles"])
    assert len(read) >= 5

    def records(index, lex):
        cues.default_pattern.cache_clear()
        results = [parse_read_article(a, index, lex) for a in read]
        return [render_mentions("jsonl", r) + render_events("jsonl", r) for r in results]

    flat = records(gaz, lexicon.load())
    with monkeypatch.context() as m:
        m.setenv("GEO_CACHE_DIR", str(tmp_path))
        m.setattr(gazetteer, "FlatAutomaton", None)  # make_automaton builds pyahocorasick's
        plain = records(plain_gaz, plain_lexicon)
        assert isinstance(cues.default_pattern(str(lexicon.default_root())).automaton, ahocorasick.Automaton)
    cues.default_pattern.cache_clear()
    assert plain == flat


@pytest.mark.skipif(not FAKES.exists(), reason="needs ../shared (FA-KES)")
def test_the_same_hits_on_fakes(gaz, plain_gaz):
    import csv

    with open(FAKES, encoding="utf-8", newline="") as f:
        texts = [row.get("article_content") or "" for row in csv.DictReader(f)]
    assert len(texts) > 700
    for text in texts:
        padded = f" {normalise(text)} "
        assert gaz.automaton.iter(padded) == list(plain_gaz.automaton.iter(padded))


class _WithoutPlaceHits:
    """The compiled automaton seen as pyahocorasick's is: the matcher then runs its own Python loop."""

    def __init__(self, automaton):
        self.iter, self.get = automaton.iter, automaton.get


MATCHER_CASES = [
    "ALEPPO, aleppo and Aleppo; HAMA and hama; SANA and Sana said; the US and U.S. and us.",
    "at Tal Madiq, in Tal Rifaat, near tal abyad; the Aleppo Media Center and Ahrar al-Sham in Idlib.",
    "Hamas is not Hama. Maaret al-Numaan, Ma'arrat an-Nu'man and MAARET AL-NUMAAN; Kafr Nabl and KAFR NABL.",
    "قصف في حلب وبحلب وادلب والرقة، ووادي بردى. Deir ez-Zor, DEIR EZ-ZOR and deir ez-zor.",
    "ǅemal in Ǆ and ǈ: title-case letters; İdlib, ΑΛΕΠΠΟ, 🙂 Homs 🙂, Homs’s and Syrias.",
    "Shelling hit an Nabk and as Safira, then As-Safira and An Nabk.",  # a lead word is no part of a name
]


@pytest.fixture(scope="module")
def seed_texts():
    return [a.text for a in _texts([ROOT / "articles"])]


def _both_loops(gaz, text, monkeypatch):
    compiled = find_matches(text, gaz)
    with monkeypatch.context() as m:
        m.setattr(gaz, "automaton", _WithoutPlaceHits(gaz.automaton))
        plain = find_matches(text, gaz)
    return compiled, plain


def test_the_compiled_matcher_loop_keeps_what_the_python_loop_keeps(gaz, seed_texts, monkeypatch):
    for text in MATCHER_CASES + seed_texts:
        compiled, plain = _both_loops(gaz, text, monkeypatch)
        assert compiled == plain, text[:80]
    assert compiled  # the seeds name places


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_the_two_loops_agree_whatever_the_case_of_the_text(gaz, seed_texts, data):
    text = data.draw(st.sampled_from(MATCHER_CASES + seed_texts))
    start = data.draw(st.integers(0, max(0, len(text) - 400)))
    piece = text[start : start + 400]
    cases = data.draw(st.lists(st.sampled_from([str.upper, str.lower, str.title, str]), min_size=len(piece.split())))
    text = " ".join(case(word) for case, word in zip(cases, piece.split(), strict=False))
    compiled = find_matches(text, gaz)
    saved = gaz.automaton
    gaz.automaton = _WithoutPlaceHits(saved)
    try:
        plain = find_matches(text, gaz)
    finally:
        gaz.automaton = saved
    assert compiled == plain


def test_a_saved_index_whose_automaton_names_missing_entries_is_refused(gaz):
    """Unpickling raises, so store.load_cache gives None and the index is built again."""
    state = gaz.__getstate__()
    state["automaton"] = gazetteer.FlatAutomaton([" nowhere "], [len(gaz.entries)])
    with pytest.raises(ValueError, match="entries it does not have"):
        gazetteer.Gazetteer.__new__(gazetteer.Gazetteer).__setstate__(state)


def test_a_search_from_an_offset_finds_what_pyahocorasick_finds_from_it():
    flat, aho = _pair(TRICKY_KEYS)
    text = "ushers hers café 🙂x حلب"
    for start in range(len(text) + 2):
        assert flat.iter(text, start) == list(aho.iter(text, start)), start
    with pytest.raises(ValueError, match="negative"):
        flat.iter(text, -1)


@pytest.mark.parametrize("seed", range(5))
def test_an_automaton_beyond_the_dense_rows_walks_as_pyahocorasick(seed):
    """More nodes than the table has rows (DENSE_ROWS): the walk leaves the table and comes back to it."""
    import random

    from geo.gazetteer import _automaton

    rng = random.Random(seed)
    alphabet = "abcdé حل"
    keys = sorted({"".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12))) for _ in range(2500)})
    flat, aho = _pair(keys)
    assert flat.nodes > _automaton.DENSE_ROWS
    text = "".join(rng.choice(alphabet + "xyz🙂") for _ in range(3000))
    assert flat.iter(text) == list(aho.iter(text))


@pytest.fixture(scope="module")
def plain_lexicon():
    built = lexicon.build(lexicon.default_root(), flat=False)
    assert built.scan_keys is None and isinstance(built.automaton, ahocorasick.Automaton)
    return built


def test_the_compiled_event_scan_keeps_what_the_python_scan_keeps(seed_texts, plain_lexicon):
    from geo.events.classify import scan

    flat = lexicon.load()
    assert flat.scan_keys is not None
    texts = [normalise(t) for t in seed_texts] + [
        "",
        "shelled",
        "shelling shelled shells",  # a prefix key runs on to the next space, or to the end
        " killed  killed ",
        "barrel bombs barrel-bombs killed 5 people on monday in may 2014",
    ]
    for norm in texts:
        assert scan(norm, flat) == scan(norm, plain_lexicon)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(["shell", "shelled", "killed", "barrel", "bombs", "may", "2014", "x", " "]), max_size=40)
)
def test_the_two_event_scans_agree_on_random_word_runs(plain_lexicon, words):
    from geo.events.classify import scan

    norm = " ".join(words)
    assert scan(norm, lexicon.load()) == scan(norm, plain_lexicon)


def test_the_event_scan_loop_refuses_lengths_and_values_it_cannot_hold():
    from array import array

    flat = gazetteer.FlatAutomaton([" ab ", " a"], [0, 1])
    lengths, words, flags = array("I", [4, 2]), array("I", [2, 1]), b"\x00\x01"
    # " a" (a prefix key: on to the space) and " ab " both give the word at 0-2; the one found first stays
    assert flat.word_hits(" ab ab ", lengths, words, flags, 1, 2) == [(0, 2, 1), (3, 5, 1)]
    with pytest.raises(ValueError, match="as many"):
        flat.word_hits(" ab ", lengths, array("I", [2]), flags, 1, 2)
    with pytest.raises(IndexError, match="value 1"):
        flat.word_hits(" ab ", array("I", [4]), array("I", [2]), b"\x00", 1, 2)
    with pytest.raises(ValueError, match="does not fit"):
        flat.word_hits(" ab ", array("I", [9, 2]), words, flags, 1, 2)
    with pytest.raises(ValueError, match="does not fit"):
        flat.word_hits(" ab ", lengths, array("I", [9, 1]), flags, 1, 2)


def test_an_automaton_is_built_once_and_a_failed_build_leaves_it_empty():
    """A search holds pointers into the arrays while it calls back into Python (place_hits' `exact`, a
    collection's __del__): a second build under it would free them, so there is none."""
    flat, aho = _pair(TRICKY_KEYS)
    with pytest.raises(TypeError, match="built once"):
        flat.__init__(["xy"], [7])
    assert flat.iter("ushers") == list(aho.iter("ushers"))
    with pytest.raises(TypeError, match="built once"):
        pickle.loads(pickle.dumps(flat)).__init__(["xy"], [7])
    empty = gazetteer.FlatAutomaton.__new__(gazetteer.FlatAutomaton)
    with pytest.raises(ValueError, match="given twice"):
        empty.__init__(["he", "he"], [0, 1])
    assert empty.iter("ushers he") == [] and len(empty) == 0
    empty.__init__(["xy"], [7])
    assert empty.iter("axyb") == [(2, 7)]


def test_a_callback_that_tries_to_rebuild_the_automaton_under_a_search_is_refused():
    from array import array

    keys = [f" k{i} " for i in range(3000)]
    flat = gazetteer.FlatAutomaton(keys, range(len(keys)))
    text = " ".join(f"k{i}" for i in range(2000, 3000))

    def exact(value, start, end):
        flat.__init__([" x "], [0])  # a reload from inside the callback
        return True

    with pytest.raises(TypeError, match="built once"):
        flat.place_hits(
            f" {text} ", text, array("I", [len(k) - 2 for k in keys]), bytes([2]) * len(keys),
            set(), exact, 3, 1, 2, 4, 8, 16,
        )  # fmt: skip
    assert len(flat.iter(f" {text} ")) == 1000


def test_a_build_started_inside_a_build_of_the_same_automaton_is_refused():
    """A value's __index__ runs in the middle of the build: building the same object there is refused, and
    the failed outer build leaves it empty."""
    flat = gazetteer.FlatAutomaton.__new__(gazetteer.FlatAutomaton)

    class Value:
        def __index__(self):
            flat.__init__([f"k{i}." for i in range(2000)], range(2000))
            return 1

    with pytest.raises(TypeError, match="built once"):
        flat.__init__(["x", "y"], [0, Value()])
    assert flat.iter("k5. x y") == [] and len(flat) == 0
    flat.__init__(["x"], [3])
    assert flat.iter("x") == [(0, 3)]

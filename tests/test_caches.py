"""The start-up's caches (issue 15): what is read back from the cache folder is what a fresh build makes,
and a stale or broken cache file is built again, never an error."""

from __future__ import annotations

import gc
import pickle
import re

import pytest
from conftest import FIXTURE_GAZETTEER

from geo import cli, store


def test_loading_a_cache_pauses_the_collector_and_gives_it_back(tmp_path):
    cache = tmp_path / "value.pickle"
    store.save_cache(cache, {"a": (1, 2)}, "value-*.pickle")
    assert gc.isenabled()
    assert store.load_cache(cache) == {"a": (1, 2)}
    assert gc.isenabled()
    cache.write_bytes(b"not a pickle")
    assert store.load_cache(cache) is None  # damaged: the caller builds it again
    assert gc.isenabled()
    gc.disable()
    try:
        assert store.load_cache(tmp_path / "missing.pickle") is None
        assert not gc.isenabled()  # a caller that had it off keeps it off
    finally:
        gc.enable()


def test_a_parse_called_in_this_process_leaves_nothing_frozen(tmp_path, monkeypatch):
    """`geo parse` freezes what it loaded while it parses (cli._freeze_loaded), and thaws it after."""
    monkeypatch.setenv("GEO_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "a.txt").write_text("Shelling hit Hama.\n", encoding="utf-8")
    args = ["parse", str(tmp_path / "a.txt"), "--gazetteer", str(FIXTURE_GAZETTEER), "-o", str(tmp_path / "out")]
    assert cli.main(args) == 0
    assert (tmp_path / "out").read_text(encoding="utf-8")
    assert gc.get_freeze_count() == 0


@pytest.fixture
def cache_folder(tmp_path, monkeypatch):
    """An empty cache folder, and the process's own memo of the cue patterns forgotten before and after."""
    from geo.places import cues

    monkeypatch.setenv("GEO_CACHE_DIR", str(tmp_path / "cache"))
    cues.default_pattern.cache_clear()
    yield tmp_path / "cache"
    cues.default_pattern.cache_clear()


def test_the_cue_patterns_read_back_are_those_built(cache_folder):
    from geo.events import lexicon
    from geo.places import cues

    root = str(lexicon.default_root())
    built = cues.cue_pattern(cues.load_cues(lexicon.default_root() / "place_cues.csv"))
    first = cues.default_pattern(root)  # built, and saved
    (saved,) = cache_folder.glob("place-cues-*.pickle")
    cues.default_pattern.cache_clear()
    again = cues.default_pattern(root)  # read back
    assert again is not first
    assert sorted(again.automaton.items()) == sorted(first.automaton.items()) == sorted(built.automaton.items())
    text = "Shelling hit the village of Kafr Zita and near Tal Rifaat district on Monday."
    hits = list(again.automaton.iter(text))
    assert hits and hits == list(built.automaton.iter(text))
    assert saved.exists()


@pytest.mark.parametrize("content", [b"not a pickle", b"", pickle.dumps({"a": 1})])
def test_a_broken_or_foreign_cue_cache_is_built_again(cache_folder, content):
    from geo.events import lexicon
    from geo.places import cues

    root = str(lexicon.default_root())
    cues.default_pattern(root)
    (saved,) = cache_folder.glob("place-cues-*.pickle")
    good = sorted(store.load_cache(saved).automaton.items())
    saved.write_bytes(content)
    cues.default_pattern.cache_clear()
    assert sorted(cues.default_pattern(root).automaton.items()) == good
    assert sorted(store.load_cache(saved).automaton.items()) == good  # saved again


def test_an_edited_cue_file_makes_new_patterns(cache_folder, tmp_path):
    from geo.events import lexicon
    from geo.places import cues

    folder = tmp_path / "lexicons"
    folder.mkdir()
    path = folder / "place_cues.csv"
    path.write_bytes((lexicon.default_root() / "place_cues.csv").read_bytes())
    assert "Frobtown " not in cues.default_pattern(str(folder)).automaton
    with open(path, "a", encoding="utf-8") as f:
        f.write("Frobtown,prefix,a test\n")
    cues.default_pattern.cache_clear()
    assert "Frobtown " in cues.default_pattern(str(folder)).automaton
    assert len(list(cache_folder.glob("place-cues-*.pickle"))) == 2  # the first is not yet a minute old


def _invisible_by_hand() -> str:
    import unicodedata

    from geo.text.normalise import INVISIBLE_CATEGORIES, INVISIBLE_EXTRA

    return "".join(
        chr(cp)
        for cp in range(0x10000)
        if chr(cp) in INVISIBLE_EXTRA or unicodedata.category(chr(cp)) in INVISIBLE_CATEGORIES
    )


def test_the_invisible_characters_read_back_are_those_computed(cache_folder):
    from geo.text import normalise

    expected = _invisible_by_hand()
    assert "\u0301" in expected and "\u200b" in expected and "\u0640" in expected and "a" not in expected
    assert normalise._invisible_bmp_chars() == expected  # computed, and saved
    (saved,) = cache_folder.glob("invisible-*.pickle")
    assert store.load_cache(saved)[1] == expected
    assert normalise._invisible_bmp_chars() == expected  # read back
    assert normalise._invisible_bmp().pattern == "[" + "".join(map(re.escape, expected)) + "]"


@pytest.mark.parametrize(
    "content",
    [
        b"not a pickle",
        b"",
        pickle.dumps({"a": 1}),
        pickle.dumps((("0.0.0", ("Mn",), ""), "abc")),  # another Unicode version's or definition's
    ],
)
def test_a_broken_or_foreign_invisible_cache_is_made_again(cache_folder, content):
    from geo.text import normalise

    normalise._invisible_bmp_chars()
    (saved,) = cache_folder.glob("invisible-*.pickle")
    saved.write_bytes(content)
    assert normalise._invisible_bmp_chars() == _invisible_by_hand()
    assert store.load_cache(saved)[1] == _invisible_by_hand()  # saved again


def test_the_event_model_read_back_is_the_one_read_from_its_file(cache_folder):
    from geo.events import coder, lexicon

    path = lexicon.default_root() / coder.MODEL_NAME
    coder._load.cache_clear()
    try:
        first = coder._load(path, path.stat().st_mtime_ns)  # read from the JSON, and saved
        (saved,) = cache_folder.glob("event-model-*.pickle")
        again = store.load_cache(saved)
    finally:
        coder._load.cache_clear()
    fresh = coder.from_json(path.read_text(encoding="utf-8"))
    assert isinstance(again.weights, coder.WeightRows) and again == first == fresh
    assert list(again.weights) == list(fresh.weights) and dict(again.weights.items()) == fresh.weights
    assert again.to_json() == fresh.to_json()
    norm = "government forces shelled the town and clashes broke out near the checkpoint"
    assert again.sentence_scores(norm) == fresh.sentence_scores(norm)
    assert again.place_scores(norm, 30, 38) == fresh.place_scores(norm, 30, 38)
    assert pickle.loads(pickle.dumps(again)) == fresh  # packed again from packed rows

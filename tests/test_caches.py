"""The start-up's caches (issue 15): what is read back from the cache folder is what a fresh build makes,
and a stale or broken cache file is built again, never an error."""

from __future__ import annotations

import gc
import pickle

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
    with pytest.raises(pickle.UnpicklingError):
        store.load_cache(cache)
    assert gc.isenabled()
    gc.disable()
    try:
        with pytest.raises(FileNotFoundError):
            store.load_cache(tmp_path / "missing.pickle")
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

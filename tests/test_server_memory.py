"""What the dashboard's server process keeps in memory (issue 17)."""

from __future__ import annotations

import gc

from conftest import FIXTURE_GAZETTEER

from geo import gazetteer


def test_a_gazetteer_is_freed_without_the_cycle_collector():
    """The server hides every loaded gazetteer from the cycle collector (gc.freeze in
    geo.dashboard.server.load_gazetteer); one replaced after an edit must then go by reference counting
    alone, or each edit would leak a whole index."""
    gc.collect()
    loaded = gazetteer.load(FIXTURE_GAZETTEER)
    assert len(loaded.places) > 1000
    gc.disable()
    try:
        del loaded
        assert gc.collect() == 0  # nothing left that only the collector could free
    finally:
        gc.enable()

"""The load test (scripts/loadtest.py) at a small size: two browser sessions at once on 120 FA-KES articles.

The corpus is the first 120 rows of FA-KES (../shared/data/fakes beside the checkout), imported by
`geo import` into a temporary folder: large enough that the markers overlap and cluster as at 800;
without ../shared, the seed articles. Real server, real gazetteer, Debian chromium, loopback only.
What is asserted is what must hold at any size: no errors, no request to another host, every step
done, and the first click on a marker enough (no scrolling the map into view first; and a press on a
map partly out of view does not scroll the page, which lost that click). Times and memory are
printed, not asserted: the README has the full-size numbers (`python scripts/loadtest.py`)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import loadtest  # noqa: E402

FAKES = ROOT.parent / "shared" / "data" / "fakes" / "fakes_articles.csv"

pytest.importorskip("playwright.async_api")
pytestmark = pytest.mark.skipif(not Path(loadtest.CHROMIUM).exists(), reason="Debian chromium is not installed")


def test_two_sessions_at_once_all_finish_without_errors(tmp_path, capsys):
    folder = tmp_path / "articles"
    folder.mkdir()
    if FAKES.exists():
        loadtest.fakes_folder(FAKES, folder, 120)
    else:
        for path in (ROOT / "articles").glob("*.txt"):
            shutil.copy(path, folder)
    args = loadtest.parser().parse_args(
        ["--sessions", "2", "--rounds", "1", "--warm", "0", "--idle", "0", "--timeout", "60", "--budget", "120",
         "--viewport", "1400x700"]  # the map partly below the fold: a press there used to scroll it
    )  # fmt: skip
    report = loadtest.run(folder, args)
    summary = report["summary"]
    with capsys.disabled():
        print(f"\n{len(list(folder.iterdir()))} articles ({'FA-KES' if FAKES.exists() else 'the seeds'}):")
        loadtest.print_report(report, summary, out=sys.stdout)
    assert summary["errors"] == 0 and summary["outside_requests"] == 0, report["rounds"]
    assert [summary[step]["done"] for step in ("map", "filter", "click")] == [2, 2, 2]
    assert summary["second_clicks"] == 0  # the first click after the page loads is not lost
    assert summary["press_scroll_px"] == 0  # a press on a map partly out of view does not scroll it (it did: 410 px)
    assert report["rss_mb"]["end"] > 0

"""The load test (scripts/loadtest.py) at a small size: two browser sessions, then three websocket-protocol
sessions (`--client ws`), at once on 120 FA-KES articles.

The corpus is the first 120 rows of FA-KES (../shared/data/fakes beside the checkout), imported by
`geo import` into a temporary folder: large enough that the markers overlap and cluster as at 800;
without ../shared, the seed articles. Real server, real gazetteer, Debian chromium, loopback only.
What is asserted is what must hold at any size: no errors, no request to another host, every step
done, and the first click on a marker enough (no scrolling the map into view first; and a press on a
map partly out of view does not scroll the page, which lost that click); over the websocket, the
map's delta in the first run and the panel naming the clicked marker's place. Times and memory are
printed, not asserted: the README has the full-size numbers (`python scripts/loadtest.py`)."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import loadtest  # noqa: E402

FAKES = ROOT.parent / "shared" / "data" / "fakes" / "fakes_articles.csv"

needs_browser = pytest.mark.skipif(
    importlib.util.find_spec("playwright") is None or not Path(loadtest.CHROMIUM).exists(),
    reason="Playwright or Debian chromium is not installed",
)


def small_corpus(folder: Path) -> Path:
    """The first 120 rows of FA-KES, imported; without ../shared, the seed articles."""
    folder.mkdir()
    if FAKES.exists():
        return loadtest.fakes_folder(FAKES, folder, 120)
    for path in (ROOT / "articles").glob("*.txt"):
        shutil.copy(path, folder)
    return folder


def run_small(tmp_path: Path, capsys, options: list[str], client: str) -> tuple[dict, dict]:
    """One round of the load test on the small corpus, its report printed: (report, summary)."""
    folder = small_corpus(tmp_path / "articles")
    args = loadtest.parser().parse_args(
        ["--client", client, "--rounds", "1", "--warm", "0", "--idle", "0", "--timeout", "60", "--budget", "120",
         *options]
    )  # fmt: skip
    report = loadtest.run(folder, args)
    with capsys.disabled():
        corpus = "FA-KES" if FAKES.exists() else "the seeds"
        print(f"\n{len(list(folder.iterdir()))} articles ({corpus}), {client} sessions:")
        loadtest.print_report(report, report["summary"], out=sys.stdout)
    return report, report["summary"]


@needs_browser
def test_two_sessions_at_once_all_finish_without_errors(tmp_path, capsys):
    # the map partly below the fold: a press there used to scroll it
    report, summary = run_small(tmp_path, capsys, ["--sessions", "2", "--viewport", "1400x700"], "browser")
    assert summary["errors"] == 0 and summary["outside_requests"] == 0, report["rounds"]
    assert [summary[step]["done"] for step in ("map", "filter", "click")] == [2, 2, 2]
    assert summary["second_clicks"] == 0  # the first click after the page loads is not lost
    assert summary["press_scroll_px"] == 0  # a press on a map partly out of view does not scroll it (it did: 410 px)
    assert report["rss_mb"]["end"] > 0


def test_three_websocket_sessions_at_once_all_finish_without_errors(tmp_path, capsys):
    report, summary = run_small(tmp_path, capsys, ["--sessions", "3"], "ws")
    assert summary["errors"] == 0 and report["server_tracebacks"] == 0, report["rounds"]
    assert [summary[step]["done"] for step in loadtest.STEPS] == [3, 3, 3, 3]  # the map's delta came in every run
    sessions = report["rounds"][0]["sessions"]
    assert all(s["clicked"] and s["map"] <= s["loaded"] for s in sessions)  # the panel named the clicked place

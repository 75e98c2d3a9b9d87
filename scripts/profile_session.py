"""Where one dashboard session's server time goes: cProfile of its script runs (issue 17).

Serves the app as scripts/loadtest.py does (FA-KES imported, or `--folder`), but through a wrapper
script that profiles each run in the thread Streamlit runs it in (CPU time of that thread). One
session over the websocket warms the server's caches unprofiled; then SESSIONS sessions open the
page, filter and click (scripts/loadtest_ws.py), their runs are merged, and the top lines by
cumulative and by own time are printed, with the server's whole CPU time beside the runs' (the rest
is the event loop: sending, compressing, the websocket).

Run: python scripts/profile_session.py [--articles 800] [--sessions 1] [--lines 15] [--save FILE.prof]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import pstats
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import loadtest  # noqa: E402
import loadtest_ws  # noqa: E402
from shared_data import FAKES_CSV  # noqa: E402

WRAPPER = """import cProfile, os, time
_prof = cProfile.Profile(time.thread_time)
_prof.enable()
try:
    with open({app!r}, encoding="utf-8") as _f:
        exec(compile(_f.read(), {app!r}, "exec"), {{"__name__": "__main__", "__file__": {app!r}}})
finally:
    _prof.disable()
    _prof.dump_stats(os.path.join(os.environ["GEO_PROFILE_DIR"], f"{{time.time_ns()}}.prof"))
"""


async def sessions(url: str, n: int, timeout: float) -> list[loadtest.Session]:
    return [await loadtest_ws.one_session(url, loadtest.Session(1, i), timeout, "Aleppo") for i in range(n)]


def profile(folder: Path, n: int, timeout: float) -> tuple[pstats.Stats, float, list[loadtest.Session]]:
    """The merged profile of `n` sessions' runs, the server's CPU seconds over them, and the sessions."""
    with tempfile.TemporaryDirectory() as tmp:
        runs = Path(tmp) / "runs"
        runs.mkdir()
        wrapper = Path(tmp) / "app_profiled.py"
        wrapper.write_text(WRAPPER.format(app=str(loadtest.ROOT / "app.py")), encoding="utf-8")
        log = Path(tmp) / "streamlit.log"
        with loadtest.streamlit_server(folder, log, app=wrapper, GEO_PROFILE_DIR=str(runs)) as (url, proc):
            warm = asyncio.run(sessions(url, 1, timeout))
            for path in runs.iterdir():
                path.unlink()
            cpu = loadtest.cpu_seconds(proc.pid)
            done = asyncio.run(sessions(url, n, timeout))
            cpu = loadtest.cpu_seconds(proc.pid) - cpu
        files = sorted(runs.iterdir())
        if not files or any(s.errors for s in warm + done):
            raise SystemExit(f"profile_session.py: sessions failed: {[s.errors for s in warm + done]}; see {log}")
        stats = pstats.Stats(str(files[0]), stream=io.StringIO())
        for path in files[1:]:
            stats.add(str(path))
        return stats, cpu, done


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=800, help="FA-KES rows to import (default 800)")
    ap.add_argument("--csv", type=Path, default=FAKES_CSV, help="the FA-KES table")
    ap.add_argument("--folder", type=Path, help="an articles folder to serve instead of FA-KES")
    ap.add_argument("--sessions", type=int, default=1, help="sessions profiled, one after another")
    ap.add_argument("--lines", type=int, default=15)
    ap.add_argument("--timeout", type=float, default=240)
    ap.add_argument("--save", type=Path, help="keep the merged profile (pstats) in this file")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        stats, cpu, done = profile(loadtest.served_folder(args, tmp), args.sessions, args.timeout)
    if args.save:
        stats.dump_stats(str(args.save))
    out = io.StringIO()
    stats.stream = out  # type: ignore[attr-defined]
    print(
        f"{args.sessions} session(s), 3 runs each: script threads {stats.total_tt:.2f} s CPU (profiled), "
        f"the server's process {cpu:.2f} s CPU; steps {[(s.map, s.loaded, s.filter, s.click) for s in done]}"
    )
    for order in ("cumulative", "tottime"):
        stats.sort_stats(order).print_stats(args.lines)
    print(out.getvalue())


if __name__ == "__main__":
    main()

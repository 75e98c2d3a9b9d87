"""Many browser sessions on one dashboard server at once (issue 17): times, errors and the server's memory.

Starts `streamlit run app.py` on loopback over an articles folder (FA-KES from ../shared imported with
`geo import`, or `--folder`), warms it with one session, then runs ROUNDS rounds of SESSIONS sessions,
each a Playwright browser context in one Debian chromium (`--browsers` spreads them over more). A
session opens the page (`?tiles=0`: nothing leaves the machine), waits for the map's markers, changes a
filter (governorate Aleppo) and waits for the map to change, then clicks the largest marker and waits
for the panel to name it. Every step has a deadline; a step that misses it, a page error or a
Streamlit exception shown on the page is an error. Reports p50/p95 of each step, the errors, and the
server's resident memory (VmRSS of /proc/PID/status) before and after each round and once the closed
sessions are gone. Only 127.0.0.1 is ever asked; every other request of the pages is refused and counted.

Run: python scripts/loadtest.py [--sessions 20] [--rounds 3] [--articles 800] [--ramp 0] [--json]
     python scripts/loadtest.py --folder articles/ --sessions 3 --rounds 1      # the seed articles
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from shared_data import FAKES_CSV, require  # noqa: E402

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
MAP_FRAME = "iframe[title='streamlit_folium.st_folium']"
MARKER_TOTAL = """() => window.L ? Object.values(window).filter(v => v instanceof L.MarkerClusterGroup)
    .reduce((n, g) => n + g.getLayers().length, 0) : null"""
MARKERS_DRAWN = """() => !!window.L && Object.values(window).some(v => v instanceof L.MarkerClusterGroup)
    && document.querySelectorAll('.geo-marker, .geo-cluster').length > 0"""
LARGEST_MARKER = """() => { const g = Object.values(window).find(v => v instanceof L.MarkerClusterGroup);
    const l = g.getLayers().sort((a, b) => b.options.count - a.options.count)[0];
    return {name: l.getTooltip().getContent().split(" · ")[0].split(":")[0],
            lat: l.getLatLng().lat, lon: l.getLatLng().lng, count: l.options.count}; }"""
# Zoomed in past the clustering zoom, a point of the marker that no smaller marker covers; null until drawn.
MARKER_SPOT = """m => { const map = Object.values(window).find(v => v instanceof L.Map);
    const g = Object.values(window).find(v => v instanceof L.MarkerClusterGroup);
    const l = g.getLayers().find(l => l.getLatLng().lat === m.lat && l.getLatLng().lng === m.lon);
    if (!l) return null;
    if (map.getZoom() < 12) { map.closePopup(); map.setView([m.lat, m.lon], 12, {animate: false}); }
    if (!l._path) return null;
    const r = l._path.getBoundingClientRect();
    if (!r.width) return null;
    for (let i = 0; i <= 8; i++) for (let j = 0; j <= 8; j++) {
        const x = r.x + r.width * i / 8, y = r.y + r.height * j / 8;
        if (document.elementFromPoint(x, y) === l._path) return [x, y];
    }
    return null; }"""
PANEL_NAMES = """name => [...document.querySelectorAll('input[aria-label="Place"]')]
    .some(i => i.value.startsWith(name + " ("))"""


@dataclass
class Session:
    """What one browser session saw: seconds per step (None: not reached) and what went wrong."""

    round: int
    number: int
    map: float | None = None
    loaded: float | None = None  # --client ws: until the first run ended (a browser: not measured)
    filter: float | None = None
    click: float | None = None
    clicks: int = 0  # tries: the first click after a page loads could land on the map (see README)
    press_scroll: float | None = None  # pixels a press on a map partly out of view moved the page
    errors: list[str] = field(default_factory=list)
    outside: int = 0  # requests to any host but the server, refused
    received_kb: int | None = None  # --client ws: the ForwardMsgs' size
    clicked: str | None = None  # --client ws: the place whose marker was clicked


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float:
    """Resident memory of a process, from /proc/PID/status (VmRSS, kB)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (/proc/PID/stat): the server's work, whatever else runs."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_cpu_seconds() -> float:
    """Busy CPU time of the whole machine so far (/proc/stat): the server, the browsers and anything else."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle and iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def streamlit_server(
    articles: Path, log: Path, app: Path = ROOT / "app.py", **env_vars: str
) -> Iterator[tuple[str, subprocess.Popen]]:
    """`streamlit run app.py` (or `app`) on a free loopback port over `articles`; yields (URL, process)."""
    port = free_port()
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), GEO_ARTICLES=str(articles), **env_vars)
    args = ["--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true"]
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(app), *args],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError(f"streamlit did not start at {url}; see {log}") from None
                time.sleep(0.3)
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def served_folder(args: argparse.Namespace, tmp: str) -> Path:
    """`--folder` as given, else the first `--articles` rows of FA-KES (`--csv`) imported into `tmp`."""
    if args.folder:
        return args.folder.resolve()
    folder = Path(tmp) / "articles"
    folder.mkdir()
    return fakes_folder(require(args.csv), folder, args.articles)


def fakes_folder(csv_path: Path, folder: Path, articles: int) -> Path:
    """The first `articles` rows of the FA-KES table, imported by `geo import` as a user would."""
    with open(csv_path, encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        rows = [row for _, row in zip(range(articles), reader, strict=False)]
        columns = reader.fieldnames or []
    table = folder.parent / "fakes_subset.csv"
    with open(table, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, columns)
        writer.writeheader()
        writer.writerows(rows)
    subprocess.run(
        [sys.executable, "-m", "geo", "import", str(table), "--to", str(folder)],
        env=dict(os.environ, PYTHONPATH=str(ROOT / "src")),
        check=True,
        capture_output=True,
    )
    return folder


async def map_frame(page, timeout: float):
    """The map's frame once its markers are drawn; the newest such frame (Streamlit swaps it on a change)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for frame in reversed(page.frames):
            if "st_folium" not in frame.url:
                continue
            with contextlib.suppress(Exception):  # detached or still loading: look again
                if await frame.evaluate(MARKERS_DRAWN):
                    return frame
        await asyncio.sleep(0.1)
    raise TimeoutError(f"no map with markers after {timeout:.0f} s")


async def marker_total(page) -> int | None:
    for frame in reversed(page.frames):
        if "st_folium" in frame.url:
            with contextlib.suppress(Exception):
                total = await frame.evaluate(MARKER_TOTAL)
                if total:
                    return total
    return None


async def idle(page, timeout: float) -> None:
    """Until Streamlit has finished the rerun a change started (its status widget is gone)."""
    await page.wait_for_timeout(300)
    await page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", polling=100, timeout=timeout * 1000
    )


async def click(page, frame, marker: dict, timeout: float) -> None:
    """Press and release the mouse on a point of the marker that no smaller marker covers, as a hand does."""
    deadline = time.monotonic() + timeout
    spot = None
    while spot is None:
        spot = await frame.evaluate(MARKER_SPOT, marker)
        if spot is None:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{marker['name']}: no free point of its marker after {timeout:.0f} s")
            await asyncio.sleep(0.2)
    iframe = page.locator(MAP_FRAME).first
    # No scrolling the map into view first: a press on a map partly out of view must not scroll it (the
    # lost first click, fixed in mapview.PlaceMarkers); `clicks` counts the tries, the report the repeats.
    box = await iframe.bounding_box()
    await page.mouse.move(box["x"] + spot[0], box["y"] + spot[1])
    await page.wait_for_timeout(100)
    await page.mouse.down()
    await page.wait_for_timeout(80)
    await page.mouse.up()


async def one_session(
    browser,
    url: str,
    s: Session,
    timeout: float,
    governorate: str,
    viewport: tuple[int, int] = (1400, 1200),
    check_press: bool = False,
) -> Session:
    """Open the page, change a filter, click the largest marker; each step timed, each with a deadline."""
    context = await browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})

    async def local_only(route):
        if route.request.url.startswith(url):
            await route.continue_()
        else:
            s.outside += 1
            await route.abort()

    await context.route("**/*", local_only)
    page = await context.new_page()
    page.on("pageerror", lambda e: s.errors.append(f"page error: {e}"))
    step = "map"
    try:
        start = time.monotonic()
        await page.goto(f"{url}/?tiles=0", timeout=timeout * 1000)
        frame = await map_frame(page, timeout)
        s.map = time.monotonic() - start
        await idle(page, timeout)
        if check_press:
            step = "press"
            s.press_scroll = round(await press_scroll(page))
            await idle(page, timeout)

        step = "filter"
        before = await marker_total(page)
        await page.get_by_test_id("stSidebar").get_by_role("combobox", name="Governorates").click()
        start = time.monotonic()
        await page.get_by_role("option", name=governorate, exact=True).click(timeout=timeout * 1000)
        after = before
        while after in (before, None) and time.monotonic() - start < timeout:
            await asyncio.sleep(0.05)
            after = await marker_total(page)
        if after in (before, None):
            raise TimeoutError(f"the map still shows {before} markers after {timeout:.0f} s")
        s.filter = time.monotonic() - start
        await page.keyboard.press("Escape")
        await idle(page, timeout)

        step = "click"
        frame = await map_frame(page, timeout)
        marker = await frame.evaluate(LARGEST_MARKER)
        start = time.monotonic()
        while s.click is None:
            s.clicks += 1
            await click(page, frame, marker, timeout)
            try:
                await page.wait_for_function(PANEL_NAMES, arg=marker["name"], timeout=10_000)
                s.click = time.monotonic() - start
            except Exception:
                if s.clicks == 3 or time.monotonic() - start > timeout:
                    raise
        shown = await page.locator("[data-testid='stException']").count()
        if shown:
            s.errors.append(f"{shown} Streamlit exception(s) on the page")
    except Exception as e:  # any failure is this session's error, the others go on
        s.errors.append(f"{step}: {type(e).__name__}: {str(e).splitlines()[0][:200]}")
    finally:
        await context.close()
    return s


SCROLL_PAGE = """dy => { for (const e of document.querySelectorAll('*')) {
        const scrolls = /auto|scroll/.test(getComputedStyle(e).overflowY);
        if (scrolls && e.scrollHeight > e.clientHeight + 10) e.scrollTop += dy;
    } window.scrollBy(0, dy); }"""


async def press_scroll(page) -> float:
    """Pixels the page moved when a mouse button went down on a map showing only its top 150 px (0: none).

    Leaflet focuses the map on a press; a focus() that scrolls the frame into view moved the map under
    the pointer, and the release then missed the marker: the lost first click (fixed in mapview). The
    page is scrolled back afterwards, and the press released off the markers (a click on the map)."""
    iframe = page.locator(MAP_FRAME).first
    box = await iframe.bounding_box()
    height = page.viewport_size["height"]
    dy = box["y"] - height + 150
    await page.evaluate(SCROLL_PAGE, dy)
    before = (await iframe.bounding_box())["y"]
    await page.mouse.move(box["x"] + 5, before + 140)
    await page.mouse.down()
    await page.wait_for_timeout(200)
    after = (await iframe.bounding_box())["y"]
    await page.mouse.up()
    await page.evaluate(SCROLL_PAGE, -dy - (before - after))
    return abs(after - before)


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


@contextlib.asynccontextmanager
async def session_runner(args: argparse.Namespace):
    """A function running one session, as a browser context (`--client browser`) or a websocket client (`ws`)."""
    if args.client == "ws":
        import loadtest_ws

        async def over_ws(url: str, s: Session, check_press: bool = False) -> Session:
            return await loadtest_ws.one_session(url, s, args.timeout, args.governorate)

        yield over_ws
        return
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browsers = [await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS) for _ in range(args.browsers)]

        async def in_browser(url: str, s: Session, check_press: bool = False) -> Session:
            browser = browsers[s.number % len(browsers)]
            return await one_session(browser, url, s, args.timeout, args.governorate, args.viewport, check_press)

        yield in_browser
        for b in browsers:
            await b.close()


async def run_rounds(url: str, pid: int, args: argparse.Namespace) -> dict:
    report: dict = {
        "sessions": args.sessions,
        "client": args.client,
        "rounds": [],
        "rss_mb": {"started": round(rss_mb(pid))},
    }
    async with session_runner(args) as session:
        if args.warm:  # the server's first parse and caches, before anything is measured
            report["warm_up"] = asdict(await session(url, Session(0, 0)))
            await asyncio.sleep(args.idle)
        report["rss_mb"]["warm"] = round(rss_mb(pid))
        for r in range(1, args.rounds + 1):
            before, cpu, machine = rss_mb(pid), cpu_seconds(pid), machine_cpu_seconds()

            async def later(n: int, r: int = r) -> Session:
                await asyncio.sleep(args.ramp * n / max(1, args.sessions))
                # One browser session a round also presses on a map partly out of view.
                return await session(url, Session(r, n), check_press=n == 0)

            started = time.monotonic()
            sessions = await asyncio.gather(*(later(n) for n in range(args.sessions)))
            seconds = time.monotonic() - started
            during, cpu, machine = rss_mb(pid), cpu_seconds(pid) - cpu, machine_cpu_seconds() - machine
            await asyncio.sleep(args.idle)  # the sessions are closed: what the server keeps of them
            report["rounds"].append(
                {
                    "round": r,
                    "seconds": round(seconds, 1),
                    "server_cpu_s": round(cpu, 1),
                    "machine_cpu_s": round(machine, 1),  # the clients' share is this less the server's
                    "rss_mb": {"before": round(before), "after": round(during), "closed": round(rss_mb(pid))},
                    "sessions": [asdict(s) for s in sessions],
                }
            )
    return report


STEPS = ("map", "loaded", "filter", "click")


def summarise(report: dict) -> dict:
    sessions = [s for r in report["rounds"] for s in r["sessions"]]
    out = {"sessions": len(sessions), "errors": sum(len(s["errors"]) for s in sessions)}
    out["failed_sessions"] = sum(bool(s["errors"]) for s in sessions)
    out["outside_requests"] = sum(s["outside"] for s in sessions)
    for step in STEPS:
        values = sorted(s[step] for s in sessions if s[step] is not None)
        out[step] = {"done": len(values), "p50": percentile(values, 50), "p95": percentile(values, 95)}
    out["second_clicks"] = sum(s["clicks"] > 1 for s in sessions)
    received = [s["received_kb"] for s in sessions if s["received_kb"] is not None]
    out["received_kb_per_session"] = round(statistics.mean(received)) if received else None
    out["press_scroll_px"] = max((s["press_scroll"] for s in sessions if s["press_scroll"] is not None), default=None)
    return out


def print_report(report: dict, summary: dict, out=sys.stderr) -> None:
    rss = report["rss_mb"]
    print(
        f"{report['articles']} articles, {summary['sessions']} {report['client']} sessions in "
        f"{len(report['rounds'])} round(s) of {report['sessions']}; server started at {rss['started']} MB, "
        f"{rss['warm']} MB after the warm-up",
        file=out,
    )
    for r in report["rounds"]:
        m = r["rss_mb"]
        bad = sum(bool(s["errors"]) for s in r["sessions"])
        print(
            f"  round {r['round']}: {r['seconds']} s (server CPU {r['server_cpu_s']} s of the machine's "
            f"{r['machine_cpu_s']} s), {bad} session(s) with errors; "
            f"server RSS {m['before']} → "
            f"{m['after']} MB with the sessions open, {m['closed']} MB once closed",
            file=out,
        )
    for step in STEPS:
        s = summary[step]
        if not s["done"] and step == "loaded":  # a browser session does not measure it
            continue
        p50, p95 = (f"{v:.1f} s" if v is not None else "-" for v in (s["p50"], s["p95"]))
        print(f"  {step}: {s['done']} of {summary['sessions']} done, p50 {p50}, p95 {p95}", file=out)
    print(
        f"  errors: {summary['errors']} (in {summary['failed_sessions']} sessions); clicked twice: "
        f"{summary['second_clicks']}; requests to other hosts refused: {summary['outside_requests']}",
        file=out,
    )
    if summary["press_scroll_px"] is not None:
        print(f"  a press on a map partly out of view moved the page by {summary['press_scroll_px']} px", file=out)
    for r in report["rounds"]:
        for s in r["sessions"]:
            for e in s["errors"][:3]:
                print(f"    round {r['round']} session {s['number']}: {e}", file=out)


def run(folder: Path, args: argparse.Namespace, **env_vars: str) -> dict:
    """The whole test on one server over `folder` (`env_vars` for it): the report, its summary under "summary"."""
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "streamlit.log"
        with streamlit_server(folder, log, **env_vars) as (url, proc):
            report = asyncio.run(asyncio.wait_for(run_rounds(url, proc.pid, args), args.budget))
            report["rss_mb"]["end"] = round(rss_mb(proc.pid))
        text = log.read_text(encoding="utf-8", errors="replace")
        if args.log:
            args.log.write_text(text, encoding="utf-8")
    report["articles"] = sum(1 for p in folder.iterdir() if p.suffix in (".txt", ".md") and p.name != "README.md")
    report["server_tracebacks"] = text.count("Traceback")
    report["summary"] = summarise(report)
    report["summary"]["errors"] += report["server_tracebacks"]
    return report


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=20, help="sessions per round (default 20)")
    ap.add_argument(
        "--client",
        choices=["browser", "ws"],
        default="browser",
        help="browser: Playwright contexts in Debian chromium; ws: Streamlit's websocket protocol (loadtest_ws.py)",
    )
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--articles", type=int, default=800, help="FA-KES rows to import (default 800: all 789 texts)")
    ap.add_argument("--csv", type=Path, default=FAKES_CSV, help="the FA-KES table")
    ap.add_argument("--folder", type=Path, help="an articles folder to serve instead of FA-KES")
    ap.add_argument("--browsers", type=int, default=1, help="chromium processes the sessions are spread over")
    ap.add_argument("--ramp", type=float, default=0, help="seconds over which a round's sessions start (0: at once)")
    ap.add_argument("--timeout", type=float, default=240, help="deadline of each step of a session, seconds")
    ap.add_argument("--idle", type=float, default=10, help="seconds waited after a round before reading memory")
    ap.add_argument("--budget", type=float, default=3600, help="the whole run is stopped after this many seconds")
    ap.add_argument("--governorate", default="Aleppo", help="the filter each session chooses")
    ap.add_argument(
        "--viewport",
        type=lambda v: tuple(int(n) for n in v.split("x")),
        default=(1400, 1200),
        help="each page's size, WIDTHxHEIGHT (default 1400x1200; 1400x700 leaves the map partly out of view)",
    )
    ap.add_argument("--warm", type=int, default=1, help="1: one session first, not measured (0: none)")
    ap.add_argument("--json", action="store_true", help="the full report as JSON on stdout")
    ap.add_argument("--log", type=Path, help="keep the server's log (its tracebacks count as errors) in this file")
    return ap


def main() -> None:
    args = parser().parse_args()
    if args.client == "browser" and not Path(CHROMIUM).exists():
        sys.exit(f"loadtest.py: needs Debian's chromium at {CHROMIUM} (apt-get install chromium)")
    with tempfile.TemporaryDirectory() as tmp:
        report = run(served_folder(args, tmp), args)
    print_report(report, report["summary"])
    if args.json:
        print(json.dumps(report, indent=1))
    sys.exit(1 if report["summary"]["errors"] else 0)


if __name__ == "__main__":
    main()

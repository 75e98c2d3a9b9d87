"""Shared fixtures: the real gazetteer, loaded once per test session."""
# ruff: noqa: E402  (the thread settings below must come before anything imports numpy)

from __future__ import annotations

import os

# One BLAS/OpenMP thread per process: the suite runs two processes on two cores, and the coder's small
# scikit-learn fits spent more CPU spinning threads than fitting (test_event_coder: 9.5 -> 3.7 s of CPU).
for _threads in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_threads, "1")

import http.server
import shutil
import threading
from pathlib import Path

import pytest

from geo import gazetteer
from geo.pipeline import parse_text

ROOT = Path(__file__).resolve().parent.parent


def pytest_configure(config):
    """Build the real gazetteer's index cache and name digests once, before the test processes start.

    On a fresh machine every process (each xdist worker and each dashboard server the tests start) built
    them at the same time, each about 13 s of CPU on a machine with two cores.
    """
    if hasattr(config, "workerinput"):  # an xdist worker: the controller has done it
        return
    from geo.results import versions

    versions.name_digests(gazetteer.load(ROOT / "gazetteer"))


@pytest.fixture(scope="session")
def gaz():
    return gazetteer.load(ROOT / "gazetteer")


@pytest.fixture(scope="session")
def parse(gaz):
    """parse("text") -> list of mentions, against the real gazetteer."""

    def _parse(text: str):
        return parse_text("test.txt", text, gaz)

    return _parse


def places(mentions) -> list[tuple[str, str]]:
    """(text as written, place name) pairs: what a reader checks first."""
    return [(m.text, m.place.name) for m in mentions]


FIXTURE_GAZETTEER = ROOT / "tests" / "data" / "gazetteer"  # made by scripts/make_test_gazetteer.py


def copy_gazetteer(to: Path) -> Path:
    """A writable copy of the small test gazetteer in `to`/gazetteer (its index builds in a fraction of a second).

    Real rows, fewer of them: every place but the villages the tests do not name.
    """
    root = to / "gazetteer"
    shutil.copytree(FIXTURE_GAZETTEER, root)
    return root


@pytest.fixture()
def gazetteer_copy(tmp_path, monkeypatch):
    """A writable copy of the test gazetteer, with its own index cache: for tests that edit it."""
    root = copy_gazetteer(tmp_path)
    monkeypatch.setenv("GEO_CACHE_DIR", str(tmp_path / "cache"))
    return root


@pytest.fixture()
def local_server():
    """local_server(answer) -> (base URL, requests seen): a web server on 127.0.0.1 (no internet here).

    `answer(path)` returns (status, content type, body bytes).
    """
    servers = []

    def start(answer):
        seen: list[tuple[str, str | None]] = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                seen.append((self.path, self.headers.get("User-Agent")))
                status, content_type, body = answer(self.path)
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}", seen

    yield start
    for server in servers:
        server.shutdown()

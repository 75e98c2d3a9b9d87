"""Small helpers the tests share (fixtures are in conftest.py)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path


def closed_port() -> int:
    """A local port nobody listens on: the address of a service that is down."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_geo(*args, cwd=None, **env_vars) -> subprocess.CompletedProcess:
    """`python -m geo ARGS` in a subprocess, with this checkout's geo whatever is installed."""
    root = Path(__file__).resolve().parents[1]
    env = dict(os.environ, PYTHONPATH=str(root / "src"), **env_vars)
    return subprocess.run(
        [sys.executable, "-m", "geo", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd or root,
        timeout=300,
        env=env,
    )


def add_aliases(args: tuple[str, str]) -> None:
    """One editor of tests/test_curation.py's two: eight aliases, each under the gazetteer's lock.

    Here, not in the test module, so that each editor process imports geo's gazetteer and nothing else.
    """
    from geo import gazetteer
    from geo.gazetteer import curation

    root, worker = args
    gaz = gazetteer.load(Path(root))
    for i in range(8):
        curation.add_alias(Path(root), gaz, f"Jobar {worker} {i}", "cur:jobar", note=f"worker {worker}")

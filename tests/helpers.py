"""Small helpers the tests share (fixtures are in conftest.py)."""

from __future__ import annotations

import socket


def closed_port() -> int:
    """A local port nobody listens on: the address of a service that is down."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

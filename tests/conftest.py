"""Shared fixtures: the real gazetteer, loaded once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo import gazetteer
from geo.pipeline import parse_text

ROOT = Path(__file__).resolve().parent.parent


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

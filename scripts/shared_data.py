"""The measurement data in ../shared (not needed to use geo): where it is, and one clear line when it is not."""

from __future__ import annotations

import sys
from pathlib import Path

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
FAKES_CSV = SHARED / "data" / "fakes" / "fakes_articles.csv"


def require(path: Path, what: str = "the FA-KES table") -> Path:
    """`path`, or exit 2 with a line saying what is missing and how to point at it."""
    if not Path(path).exists():
        sys.exit(
            f"{Path(sys.argv[0]).name}: needs {what} at {path}, which is not there. It is measurement data from "
            "../shared (see README: Measured), not needed to use geo; give its place with --csv or --shared."
        )
    return Path(path)

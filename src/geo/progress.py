"""Progress for the steps a person waits for: a tqdm bar on stderr (counts, rate, ETA), only for a person.

Off when stderr is not a terminal (a log or a pipe stays clean) or with --quiet; the output itself
(stdout, -o) never changes.
"""

from __future__ import annotations

import sys
from typing import TextIO

from tqdm import tqdm


def is_terminal(stream: TextIO) -> bool:
    """Whether a person is probably looking at `stream` (a closed or replaced stream is not a terminal)."""
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def wanted(quiet: bool, records_to_terminal: bool = False) -> bool:
    """A bar when stderr is a terminal, unless --quiet, or records scroll on that terminal (they would tear it)."""
    return not quiet and is_terminal(sys.stderr) and not (records_to_terminal and is_terminal(sys.stdout))


def bar(total: int | None, unit: str, enabled: bool) -> tqdm:
    """A bar on stderr counting `unit`s up to `total` (None: counts and rate, no ETA); disabled, it prints nothing."""
    return tqdm(total=total, unit=unit, file=sys.stderr, disable=not enabled, dynamic_ncols=True, mininterval=0.2)


def say(message: str, file: TextIO | None = None) -> None:
    """print(message) that steps around a bar on screen: the same bytes in the stream."""
    tqdm.write(message, file=file or sys.stderr)

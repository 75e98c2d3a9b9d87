"""Progress for the steps a person waits for: a tqdm bar on stderr (counts, rate, ETA), only for a person.

Off when stderr is not a terminal (a log or a pipe stays clean) or with --quiet; the output itself
(stdout, -o) never changes.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, TextIO, cast

if TYPE_CHECKING:
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


class _Off:
    """A bar that is not shown: counts, prints nothing, and spares a run without a terminal the import
    of tqdm (25 ms of a start-up that aims at 0.3 s)."""

    def __init__(self, total: int | None):
        self.total, self.n = total, 0

    def update(self, n: int = 1) -> None:
        self.n += n

    def close(self) -> None:
        pass

    def __enter__(self) -> _Off:
        return self

    def __exit__(self, *exc: object) -> None:
        pass


def bar(total: int | None, unit: str, enabled: bool) -> tqdm:
    """A bar on stderr counting `unit`s up to `total` (None: counts and rate, no ETA); disabled, it prints nothing."""
    if not enabled:
        return cast("tqdm", _Off(total))
    from tqdm import tqdm

    return tqdm(total=total, unit=unit, file=sys.stderr, dynamic_ncols=True, mininterval=0.2)


def eta_text(done: int, total: int, seconds: float) -> str:
    """What a dashboard bar says ("3 of 6, about 12 s left"), from the time the first `done` steps took."""
    left = ""
    if 0 < done < total and seconds > 0:
        remaining = seconds / done * (total - done)
        left = f", about {remaining:.0f} s left" if remaining < 90 else f", about {remaining / 60:.0f} min left"
    return f"{done:,} of {total:,}{left}"


def say(message: str, file: TextIO | None = None) -> None:
    """print(message) that steps around a bar on screen: the same bytes in the stream."""
    if "tqdm" not in sys.modules:  # no bar was ever shown: nothing to step around
        print(message, file=file or sys.stderr)
        return
    from tqdm import tqdm

    tqdm.write(message, file=file or sys.stderr)

"""A progress bar with counts and an ETA, for every dashboard step a person waits for (issue 16)."""

from __future__ import annotations

import time
from collections.abc import Callable

from geo import progress


def eta_bar(where, waiting: str, doing: str, every: int = 1) -> Callable[[int, int], None]:
    """A bar in `where` (st, or an st.empty slot) saying `waiting` until the first count, then "`doing`:
    3 of 6, about 12 s left"; the callback takes (done, total). `every`: redraw each N counts only (a
    message to the browser per article would cost more than saving it)."""
    bar = where.progress(0.0, text=waiting)
    started = time.monotonic()

    def advanced(done: int, total: int) -> None:
        if done % every == 0 or done == total:
            shown = progress.eta_text(done, total, time.monotonic() - started)
            bar.progress(done / total, text=f"{doing}: {shown}")

    return advanced

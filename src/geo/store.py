"""Atomic writes: a reader never sees half a file, and a crash leaves the old file intact."""

from __future__ import annotations

import contextlib
import csv
import fcntl
import io
import itertools
import os
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

STALE_TEMP_SECONDS = 3600


def _complete_temp_file(path: Path, text: str) -> str:
    """A temporary file beside `path` holding `text`, flushed to disk; the caller links or renames it.

    Temporary files that a killed writer left in the folder over an hour ago are removed first.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_temp_files(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return tmp


def write_text_atomic(path: Path, text: str) -> None:
    """Write to a temporary file beside `path`, fsync, then rename over it."""
    path = Path(path)
    tmp = _complete_temp_file(path, text)
    try:
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def create_text_exclusive(names: Iterable[Path], text: str) -> Path:
    """Write `text` as a new, complete file under the first of `names` that is free, and return it.

    The text goes to a temporary file once, which is hard-linked to a name: the link fails if the
    name is taken, even by another process at the same instant, so two writers never replace each
    other's file. `names` must not run out (e.g. end in a counter).
    """
    names = iter(names)
    first = Path(next(names))
    tmp = _complete_temp_file(first, text)
    try:
        for path in itertools.chain([first], names):
            if os.path.lexists(path):
                continue
            try:
                os.link(tmp, path)
            except FileExistsError:
                continue
            return Path(path)
        raise ValueError("create_text_exclusive: no free name")
    finally:
        Path(tmp).unlink(missing_ok=True)


def write_csv_atomic(path: Path, columns: Sequence[str], rows: Iterable[dict]) -> None:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(columns), lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    write_text_atomic(path, buf.getvalue())


@contextlib.contextmanager
def folder_lock(folder: Path, timeout: float = 60.0) -> Iterator[None]:
    """An exclusive lock on a folder itself (flock on its descriptor): no lock file left among the articles.

    Released when the process dies, so a killed writer never blocks the next one.
    """
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{folder}: another import has held it for over {timeout:g} s") from None
                time.sleep(0.01)
        yield
    finally:
        os.close(fd)


_SWEPT: set[str] = set()  # folders this process has already swept


def _remove_stale_temp_files(path: Path) -> None:
    """Once per folder and process (not on every write: listing the folder each time made imports quadratic)."""
    folder = str(path.parent)
    if folder in _SWEPT:
        return
    _SWEPT.add(folder)
    now = time.time()
    for old in path.parent.glob(".*.tmp"):
        try:
            if now - old.stat().st_mtime > STALE_TEMP_SECONDS:
                old.unlink()
        except OSError:
            pass  # another writer's, or already gone


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """The cycle collector off for a block that makes objects by the hundred thousand and no garbage (an
    index build, an unpickle): the collections they set off walked them again and again, full ones among
    them (an index build took 5 s with them, 3 s without). Left as the caller had it."""
    import gc

    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def load_cache(cache: Path) -> Any:
    """The value pickled in `cache`, or None when it is missing or cannot be read back (damaged, or left
    by another version of a class): a cache is only ever rebuilt, so every caller treats both alike.
    Read with the cycle collector paused (collector_paused).
    """
    import pickle

    try:
        with collector_paused(), open(cache, "rb") as f:
            return pickle.load(f)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError, KeyError):
        return None


def save_cache(cache: Path, value: object, earlier: str, keep: int = 1) -> None:
    """Pickle `value` to `cache` atomically and remove older files matching `earlier` beside it, but the
    newest `keep` (this one included: two gazetteers used in turn each keep theirs).

    A cache is optional: an unwritable folder (a read-only home) is passed over in silence.
    """
    import pickle

    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(f".{os.getpid()}.tmp")
        with collector_paused():
            pickled = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.write_bytes(pickled)
        os.replace(tmp, cache)
        others = sorted((p for p in cache.parent.glob(earlier) if p != cache), key=lambda p: -p.stat().st_mtime)
        for old in others[keep - 1 :]:
            if old.stat().st_mtime < cache.stat().st_mtime - 60:
                old.unlink(missing_ok=True)  # the caches of earlier versions
    except OSError:
        pass

"""The article files of a folder with their sizes and times: one walk serves the dashboard's signature
(every rerun of every session) and the store's sync.

The same files in the same order as corpus.reader.folder_articles (tests/test_results_store.py holds
them equal), walked with os.scandir: its entries bring their names, types and stat without a path join,
a Path or a second system call per file (10,000 files: folder_articles then os.stat took 0.18 s of CPU
a rerun, this about a fifth of that). Not in corpus/reader.py: that file is engine code (results/versions.py),
and a change there parses every stored article again.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from geo.corpus.reader import is_article_name


@dataclass(frozen=True)
class Listed:
    full: str  # the path as a string: a Path is made only for a file that is parsed
    rel: str
    size: int  # -1 when it cannot be stat'ed (a broken link): its parse says why
    mtime_ns: int

    @property
    def path(self) -> Path:
        return Path(self.full)


def scan(folder: Path | str, dirs: dict[str, int] | None = None) -> list[Listed]:
    """folder_articles(folder) with each file's size and modification time (os.stat, links followed).

    `dirs`, when given, receives each folder walked with its modification time, taken before it is listed."""
    root = os.fspath(folder)
    found: list[Listed] = []
    nested = _walk(root, "", found, dirs)
    if nested:  # as Paths sort: by their parts ("a b/x" after "a/x")
        found.sort(key=lambda f: f.rel.split(os.sep))
    else:
        found.sort(key=lambda f: f.rel)
    return found


def _walk(top: str, prefix: str, found: list[Listed], dirs: dict[str, int] | None = None) -> bool:
    """Append the articles below `top`; whether any sat in a subfolder. As os.walk(followlinks=False): hidden
    folders and links to folders are not entered, unreadable folders are passed over."""
    try:
        if dirs is not None:
            dirs[top] = os.stat(top).st_mtime_ns
        entries = list(os.scandir(top))
    except OSError:
        return False
    nested = False
    for entry in entries:
        name = entry.name
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        if is_dir:
            if not name.startswith(".") and not entry.is_symlink():
                nested |= _walk(entry.path, f"{prefix}{name}{os.sep}", found, dirs)
            continue
        if not is_article_name(name):
            continue
        try:
            st = entry.stat()
            size, mtime = st.st_size, st.st_mtime_ns
        except OSError:
            size, mtime = -1, -1
        found.append(Listed(entry.path, prefix + name, size, mtime))
        nested |= bool(prefix)
    return nested


def signature(files: list[Listed]) -> str:
    """Changes when an article is added, removed or edited (its size or time): the key of a store check."""
    text = "\n".join(f"{f.rel}\0{f.mtime_ns}\0{f.size}" for f in files)
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


QUICK_FROM_FILES = 5000  # below this a walk costs under 50 ms: every rerun walks the folder
RECHECK_SECONDS = 30.0  # a large folder is walked again at least this often (edits in place)
_RACY_NS = 2_000_000_000  # a folder changed this close to the walk may change again within its mtime's tick


@dataclass
class FolderCheck:
    """The signature of a folder, without stat'ing 100,000 files on every rerun of every session (1 s).

    A file added, removed or renamed into place (every write of geo's is) changes its folder's modification
    time: while no folder of a large one has changed since the last walk, its signature stands. An edit in
    place changes only the file, so a large folder is walked again every RECHECK_SECONDS; and a folder whose
    time is within two seconds of the walk is not trusted (its next change may carry the same time)."""

    folder: str
    quick_from: int = QUICK_FROM_FILES
    recheck_seconds: float = RECHECK_SECONDS
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _signature: str = ""
    _dirs: dict[str, int] = field(default_factory=dict)
    _walked_at: float = 0.0  # time.monotonic() of the last walk
    _trusted: bool = False  # the last walk found a large folder, none of it changed within _RACY_NS
    walks: int = 0  # how many times the folder was walked (for tests and the benchmark)

    def signature(self) -> str:
        with self._lock:
            if not self._still_valid():
                self._walk()
            return self._signature

    def _still_valid(self) -> bool:
        if not self._trusted or time.monotonic() - self._walked_at > self.recheck_seconds:
            return False
        try:
            return all(os.stat(d).st_mtime_ns == mtime for d, mtime in self._dirs.items())
        except OSError:  # a folder gone
            return False

    def _walk(self) -> None:
        started_ns = time.time_ns()
        dirs: dict[str, int] = {}
        files = scan(self.folder, dirs)
        self._signature, self._dirs, self._walked_at = signature(files), dirs, time.monotonic()
        self._trusted = len(files) >= self.quick_from and all(m < started_ns - _RACY_NS for m in dirs.values())
        self.walks += 1

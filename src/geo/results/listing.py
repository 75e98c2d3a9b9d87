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
from dataclasses import dataclass
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


def scan(folder: Path | str) -> list[Listed]:
    """folder_articles(folder) with each file's size and modification time (os.stat, links followed)."""
    root = os.fspath(folder)
    found: list[Listed] = []
    nested = _walk(root, "", found)
    if nested:  # as Paths sort: by their parts ("a b/x" after "a/x")
        found.sort(key=lambda f: f.rel.split(os.sep))
    else:
        found.sort(key=lambda f: f.rel)
    return found


def _walk(top: str, prefix: str, found: list[Listed]) -> bool:
    """Append the articles below `top`; whether any sat in a subfolder. As os.walk(followlinks=False): hidden
    folders and links to folders are not entered, unreadable folders are passed over."""
    try:
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
                nested |= _walk(entry.path, f"{prefix}{name}{os.sep}", found)
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

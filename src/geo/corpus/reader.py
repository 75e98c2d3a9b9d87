"""Articles on disk: plain .txt/.md files, optionally opened by a front-matter block.

Front matter is `---` on the first line, `key: value` lines, and a closing `---` line.
The text is kept exactly as read (front matter included), so that offsets reported for a
mention index the file as a user opens it; `body_start` says where the article itself begins.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path

from geo import settings
from geo.corpus.encoding import UTF8, NotText, decode_bytes
from geo.errors import ArticleError
from geo.models import Article

ARTICLE_SUFFIXES = (".txt", ".md")
NOT_ARTICLES = {"readme.md"}
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)^---[ \t]*(?:\r?\n|\Z)", re.S | re.M)


def parse_front_matter(text: str) -> tuple[dict[str, str], int]:
    """(metadata, offset where the body starts); no front matter gives ({}, 0)."""
    m = _FRONT_MATTER.match(text)
    if not m:
        return {}, 0
    meta = {}
    for line in m.group(1).splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip() and not key.startswith("#"):
            meta[key.strip().lower()] = value.strip()
    return meta, m.end()


def read_bytes_inside(path: Path, folder: Path | None = None, limit: int | None = None) -> bytes:
    """The bytes of a regular file of at most `limit` bytes (GEO_MAX_ARTICLE_MB); with `folder`, only inside it.

    A link in the articles folder to /etc/passwd, or a FIFO named x.txt, is refused with a message:
    the path is resolved, checked against the folder, and opened without following a link. A file
    over the limit is refused before it is read.
    """
    limit = settings.max_article_bytes() if limit is None else limit
    real = os.path.realpath(path)
    if folder is not None:
        root = os.path.realpath(folder)
        if os.path.commonpath([real, root]) != root:
            raise ArticleError(path, "a link to a file outside the articles folder: skipped")
    try:
        fd = os.open(real, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as e:
        raise ArticleError(path, f"cannot read: {e.strerror or e}") from e
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(f.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise ArticleError(path, "not a regular file: skipped")
        if info.st_size > limit:
            raise ArticleError(path, too_big(info.st_size, limit))
        try:
            data = f.read(info.st_size + 1)
            if len(data) > info.st_size:  # it grew while being read: read on, up to the limit
                data += f.read(limit + 1 - len(data)) if len(data) <= limit else b""
        except OSError as e:
            raise ArticleError(path, f"cannot read: {e.strerror or e}") from e
    if len(data) > limit:
        raise ArticleError(path, too_big(len(data), limit))
    return data


def too_big(size: int, limit: int) -> str:
    """The one-line reason a file is skipped for its size."""
    shown = f"{size / settings.MB:.1f} MB" if size > limit + settings.MB // 10 else f"{size:,} bytes"
    return f"{shown}, over the limit of {limit / settings.MB:.3g} MB per article (GEO_MAX_ARTICLE_MB)"


def read_article(path: Path, folder: Path | None = None) -> Article:
    """Read one article; undecodable, unreadable or out-of-folder files raise ArticleError naming the file.

    Bytes are decoded as `geo import` decodes them (encoding.decode_bytes); a file that is not UTF-8
    is read, with a warning that says in which encoding.
    """
    path = Path(path)
    raw = read_bytes_inside(path, folder)
    try:
        text, encoding = decode_bytes(raw)
    except NotText as e:
        raise ArticleError(path, str(e)) from None
    warnings = [] if encoding in UTF8 else [f"not UTF-8: read as {encoding}"]
    meta, body_start = parse_front_matter(text)
    if not text[body_start:].strip():
        raise ArticleError(path, "front matter only: no text to parse" if text.strip() else "empty: no text to parse")
    return Article(str(path), path.name, text, body_start, meta, tuple(warnings))


def article_files(paths: list[Path]) -> Iterator[tuple[Path, Path | None]]:
    """(file, the folder it was found in or None) for files named directly and the .txt/.md files in folders.

    Folders are walked sorted and recursively, without following links to folders and without
    hidden files or folders; a file found in a folder must be read with `read_article(file, folder)`.
    """
    for path in map(Path, paths):
        if not path.is_dir():
            yield path, None
            continue
        found: list[Path] = []
        for top, dirs, files in os.walk(path, followlinks=False):
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            found.extend(
                Path(top) / name
                for name in files
                if not name.startswith(".")
                and Path(name).suffix.lower() in ARTICLE_SUFFIXES
                and name.lower() not in NOT_ARTICLES
            )
        for child in sorted(found):
            yield child, path


def article_paths(paths: list[Path]) -> Iterator[Path]:
    """The article files of `article_files`, without their folders: for listing, not for reading."""
    for path, _ in article_files(paths):
        yield path

"""Articles on disk: plain .txt/.md files, optionally opened by a front-matter block.

Front matter is `---` on the first line, `key: value` lines, and a closing `---` line; a block
broken in any way is reported line by line (`FrontMatter.problems`) and the article read all the same.
The text is kept exactly as read (front matter included), so that offsets reported for a
mention index the file as a user opens it; `body_start` says where the article itself begins.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from geo import settings
from geo.corpus.encoding import UTF8, NotText, decode_bytes
from geo.errors import ArticleError
from geo.models import Article

ARTICLE_SUFFIXES = (".txt", ".md")
NOT_ARTICLES = {"readme.md"}
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)^---[ \t]*(?:\r?\n|\Z)", re.S | re.M)
_OPENED = re.compile(r"\A---[ \t]*\r?\n")
_KEY = re.compile(r"[a-z][a-z0-9_-]*")
# The keys articles/README.md documents; others are kept as read, with a warning (a typo?).
FRONT_MATTER_KEYS = (
    "title", "author", "translator", "date", "date_note", "date_from", "source", "url", "language", "language_note",
)  # fmt: skip
VALUE_LIMIT = 1000  # characters of one value: a 1 MB title froze the browser tab that showed it
PROBLEMS_SHOWN = 3  # per file: a hostile front matter of 10,000 bad lines is not 10,000 warnings


class FrontMatter(NamedTuple):
    meta: dict[str, str]
    body_start: int  # where the article itself begins; 0 without front matter
    problems: tuple[str, ...] = ()  # "line 3: ...", for a warning: the article is read all the same


def parse_front_matter(text: str) -> FrontMatter:
    """The metadata, where the body starts, and what is wrong with the block; no front matter gives ({}, 0).

    Exports from other tools write YAML: an indented line or a `- item` line under a key continues
    that key's value (list items joined with "; "), and keys this folder does not document are kept
    and named in one warning, not one per key.
    """
    m = _FRONT_MATTER.match(text)
    if not m:
        unclosed = "line 1: front matter opened with --- is never closed: all of it read as article text"
        return FrontMatter({}, 0, (unclosed,) if _OPENED.match(text) else ())
    meta: dict[str, str] = {}
    problems = []
    unknown: list[tuple[int, str]] = []
    key = ""
    for number, line in enumerate(m.group(1).split("\n"), start=2):
        line = line.rstrip("\r")
        if key and _CONTINUED.match(line):
            meta[key] = _continue_value(meta[key], line)
            continue
        if not line.strip():  # a blank line inside a YAML block: the key's value may go on
            continue
        key, problem = _read_meta_line(line, meta)
        if key and key not in FRONT_MATTER_KEYS and not problem:
            unknown.append((number, key))
        elif problem:
            problems.append(f"line {number}: {problem}")
    if unknown:
        keys = ", ".join(_shown(k) for _, k in unknown[:PROBLEMS_SHOWN])
        more = f" and {len(unknown) - PROBLEMS_SHOWN:,} more" if len(unknown) > PROBLEMS_SHOWN else ""
        problems.append(
            f"line {unknown[0][0]}: front matter key{'s' if len(unknown) > 1 else ''} {keys}{more}"
            f" {'are' if len(unknown) > 1 else 'is'} not one of {', '.join(FRONT_MATTER_KEYS)}: kept as read"
        )
        problems.sort(key=lambda p: int(p.split(":")[0].removeprefix("line ")))
    if len(problems) > PROBLEMS_SHOWN:
        problems[PROBLEMS_SHOWN - 1 :] = [f"and {len(problems) - PROBLEMS_SHOWN + 1:,} more front matter problems"]
    return FrontMatter(meta, m.end(), tuple(problems))


_CONTINUED = re.compile(r"[ \t]+\S|-[ \t]|-\Z")  # YAML: an indented line, or a list item
_BLOCK_MARKERS = {"|", "|-", "|+", ">", ">-", ">+", "[]", "''", '""'}


def _continue_value(value: str, line: str) -> str:
    """`value` with one YAML continuation line folded in, within VALUE_LIMIT."""
    part = line.strip()
    item = part.startswith("-")
    part = part.removeprefix("-").strip()
    if part in _BLOCK_MARKERS:
        part = ""
    if not part:
        return value
    joined = f"{value}{'; ' if item else ' '}{part}" if value else part
    return joined[:VALUE_LIMIT]


def _read_meta_line(line: str, meta: dict[str, str]) -> tuple[str, str]:
    """Add one `key: value` line to `meta`: its key ("" if none) and what is wrong with it ("" if nothing).

    Blank lines and # comments are fine.
    """
    if not line.strip() or line.lstrip().startswith("#"):
        return "", ""
    key, sep, value = line.partition(":")
    key, value = key.strip().lower(), value.strip()
    if value in _BLOCK_MARKERS:  # YAML's empty list or string, or a block that the next lines fill
        value = ""
    elif len(value) > 1 and value[0] == value[-1] and value[0] in "'\"":  # a quoted YAML string
        value = value[1:-1]
    if not sep or not _KEY.fullmatch(key):
        return "", f"front matter {_shown(line)} is not `key: value`: ignored"
    problem = ""
    if key in meta:
        problem = f"front matter key {key!r} given again: the last one kept"
    elif key == "date" and value and not _is_date(value):
        problem = f"date {_shown(value)} is not a date (YYYY-MM-DD): the publication date is left out"
    if len(value) > VALUE_LIMIT:
        problem = f"{_shown(key)} is {len(value):,} characters long: cut to {VALUE_LIMIT:,}"
        value = value[:VALUE_LIMIT]
    meta[key] = value
    return key, problem


def _is_date(value: str) -> bool:
    """What Article.published can read."""
    try:
        dt.date.fromisoformat(value[:10])
    except ValueError:
        return False
    return True


def _shown(value: str, limit: int = 40) -> str:
    """A piece of hostile text quoted in a message: short, and on one line."""
    return repr(value if len(value) <= limit else value[: limit - 1] + "…")


def read_bytes_inside(path: Path, folder: Path | None = None, limit: int | None = None) -> bytes:
    """The bytes of a regular file of at most `limit` bytes (GEO_MAX_ARTICLE_MB); with `folder`, only inside it.

    A link in the articles folder to /etc/passwd, or a FIFO named x.txt, is refused with a message:
    the file is opened without following a link, and where the opened file really is (the kernel's
    name for it, /proc/self/fd) is checked against the folder; a link inside the folder is resolved
    first and checked the same way. A file over the limit is refused before it is read.
    """
    limit = settings.max_article_bytes() if limit is None else limit
    try:
        fd = _open_inside(path, folder)
    except OSError as e:
        raise ArticleError(path, f"cannot read: {e.strerror or e}") from e
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ArticleError(path, "not a regular file: skipped")
        if info.st_size > limit:
            raise ArticleError(path, too_big(info.st_size, limit))
        try:
            data = _read_up_to(fd, info.st_size + 1)
            if len(data) > info.st_size:  # it grew while being read: read on, up to the limit
                data += _read_up_to(fd, limit + 1 - len(data)) if len(data) <= limit else b""
        except OSError as e:
            raise ArticleError(path, f"cannot read: {e.strerror or e}") from e
    finally:
        os.close(fd)
    if len(data) > limit:
        raise ArticleError(path, too_big(len(data), limit))
    return data


_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
_FD_NAMES = "/proc/self/fd/"  # Linux: the real path of an open file, one call instead of a lstat per folder


def _open_inside(path: Path, folder: Path | None) -> int:
    """A file descriptor of `path`, opened without following a link at its end; ArticleError when the
    file is not inside `folder`. A link at the end is resolved and opened as its target (os.path.realpath)."""
    root = os.path.realpath(folder) if folder is not None else None
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as e:
        if not os.path.islink(path):
            raise
        if root is not None and not _inside(os.path.realpath(path), root):
            raise ArticleError(path, "a link to a file outside the articles folder: skipped") from e
        return os.open(os.path.realpath(path), _OPEN_FLAGS)
    if root is None:
        return fd
    try:
        real = os.readlink(f"{_FD_NAMES}{fd}")
    except OSError:  # no /proc: resolve the path instead
        real = os.path.realpath(path)
    if not real.startswith("/") or real.endswith(" (deleted)"):
        real = os.path.realpath(path)
    if not _inside(real, root):
        os.close(fd)
        raise ArticleError(path, "a link to a file outside the articles folder: skipped")
    return fd


def _inside(real: str, root: str) -> bool:
    """Is the resolved path `real` in the resolved folder `root` (or `root` itself)?"""
    return real == root or real.startswith(root if root.endswith(os.sep) else root + os.sep)


def _read_up_to(fd: int, size: int) -> bytes:
    """Up to `size` more bytes of an open file (one read may return less than asked)."""
    chunks = []
    while size > 0:
        chunk = os.read(fd, size)
        if not chunk:
            break
        chunks.append(chunk)
        size -= len(chunk)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


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
    meta, body_start, problems = parse_front_matter(text)
    warnings = ([] if encoding in UTF8 else [f"not UTF-8: read as {encoding}"]) + list(problems)
    if not text[body_start:].strip():
        raise ArticleError(path, "front matter only: no text to parse" if text.strip() else "empty: no text to parse")
    return Article(str(path), path.name, text, body_start, meta, tuple(warnings))


def is_article_name(name: str) -> bool:
    """A .txt/.md file that is not hidden and not a folder's README.

    Its suffix by `endswith`, not os.path.splitext (a third of a 100,000-file walk, on every sync): the
    same answer, since a name that starts with a dot is never an article."""
    low = name.lower()
    return low.endswith(ARTICLE_SUFFIXES) and not name.startswith(".") and low not in NOT_ARTICLES


def folder_articles(folder: Path | str) -> list[str]:
    """The article files below `folder` as paths relative to it, in the order `article_files` yields them.

    Walked sorted and recursively, without following links to folders and without hidden files or
    folders. Strings and plain os calls, no Path per file: the store's sync and the dashboard's corpus
    signature list every file on every change, and 100,000 files cost seconds through pathlib.
    """
    root = os.fspath(folder)
    found: list[str] = []
    for top, dirs, files in os.walk(root, followlinks=False):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        inside = os.path.relpath(top, root)
        prefix = "" if inside == os.curdir else inside + os.sep
        found.extend(prefix + name for name in files if is_article_name(name))
    found.sort(key=lambda rel: rel.split(os.sep))  # as Paths sort: by their parts
    return found


def article_files(paths: list[Path]) -> Iterator[tuple[Path, Path | None]]:
    """(file, the folder it was found in or None) for files named directly and the .txt/.md files in folders
    (`folder_articles`); a file found in a folder must be read with `read_article(file, folder)`."""
    for path in map(Path, paths):
        if not path.is_dir():
            yield path, None
            continue
        for rel in folder_articles(path):
            yield path / rel, path


def article_paths(paths: list[Path]) -> Iterator[Path]:
    """The article files of `article_files`, without their folders: for listing, not for reading."""
    for path, _ in article_files(paths):
        yield path

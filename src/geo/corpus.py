"""Articles on disk: plain .txt/.md files, optionally opened by a front-matter block.

Front matter is `---` on the first line, `key: value` lines, and a closing `---` line.
The text is kept exactly as read (front matter included), so that offsets reported for a
mention index the file as a user opens it; `body_start` says where the article itself begins.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from .errors import ArticleError
from .models import Article

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


def read_article(path: Path) -> Article:
    """Read one article; undecodable or unreadable files raise ArticleError naming the file."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise ArticleError(path, f"cannot read: {e.strerror or e}") from e
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise ArticleError(path, f"line {line}: not UTF-8 text (byte {raw[e.start]:#04x} at offset {e.start})") from e
    if "\x00" in text:
        raise ArticleError(path, "contains NUL bytes: a binary file, not an article")
    meta, body_start = parse_front_matter(text)
    return Article(path=str(path), name=path.name, text=text, body_start=body_start, meta=meta)


def article_paths(paths: list[Path]) -> Iterator[Path]:
    """Files named directly, and the .txt/.md files inside folders (sorted, recursive)."""
    for path in map(Path, paths):
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if (
                    child.suffix.lower() in ARTICLE_SUFFIXES
                    and child.name.lower() not in NOT_ARTICLES
                    and not any(part.startswith(".") for part in child.relative_to(path).parts)
                ):
                    yield child
        else:
            yield path

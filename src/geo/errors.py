"""One exception family, so that the CLI and the app can report any failure in one line."""

from __future__ import annotations

from pathlib import Path


class GeoError(Exception):
    """Base of every error geo raises on purpose."""


class GazetteerError(GeoError, ValueError):
    """A gazetteer file is malformed; the message names the file and the line."""

    def __init__(self, path: Path | str, line: int | None, message: str):
        self.path = str(path)
        self.line = line
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {message}")


class ArticleError(GeoError, OSError):
    """An article cannot be read or decoded."""

    def __init__(self, path: Path | str, message: str):
        self.path = str(path)
        super().__init__(f"{self.path}: {message}")

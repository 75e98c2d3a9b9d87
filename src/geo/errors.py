"""One exception family, so that the CLI and the app can report any failure in one line.

Each class also inherits the builtin it stands for (as geopy's errors do), so code that knows only
Python's own exceptions still catches it: a broken data file is a ValueError, an unreadable article
an OSError, an unreachable service a ConnectionError.
"""

from __future__ import annotations

from pathlib import Path


class GeoError(Exception):
    """Base of every error geo raises on purpose."""


class DataFileError(GeoError, ValueError):
    """A data file people edit is malformed: `path`, `line` (None: the whole file) and `message` say where and what."""

    def __init__(self, path: Path | str, line: int | None, message: str):
        self.path = str(path)
        self.line = line
        self.message = message
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {message}")


class GazetteerError(DataFileError):
    """A gazetteer file (gazetteer/) is malformed, or an edit to it would make it so."""


class LexiconError(DataFileError):
    """An event word list (lexicons/) is malformed."""


class ArticleError(GeoError, OSError):
    """An article cannot be read or decoded."""

    def __init__(self, path: Path | str, message: str):
        self.path = str(path)
        self.message = message
        super().__init__(f"{self.path}: {message}")

    def __reduce__(self):
        """Picklable (a worker process sends it back): the default would call __init__ with one argument."""
        return (type(self), (self.path, self.message))

    def shown_from(self, folder: Path | str) -> str:
        """The error with the file named relative to `folder`: a dashboard shows no server paths."""
        return f"{shown_name(self.path, folder)}: {self.message}"


def shown_name(path: Path | str, folder: Path | str) -> str:
    """`path` relative to `folder`, or its bare name: what a message may say about a file on the server."""
    try:
        return str(Path(path).relative_to(folder))
    except ValueError:
        return Path(path).name


class ImportError_(GeoError, ValueError):  # noqa: N801 (ImportError is the builtin for Python modules)
    """An import that cannot be done; the message says which file, line or URL, and why."""


class FetchError(ImportError_, ConnectionError):
    """A web page that cannot be fetched, or may not be; the message names the address and the reason."""


class LookupUnavailable(GeoError, ConnectionError):
    """A geocoding service cannot be reached; the message says which."""


class SettingError(GeoError, ValueError):
    """An environment variable geo reads (settings.py) has a value it cannot use; the message names it."""


class UnsafeTextError(GeoError, ValueError):
    """A map element holds text that would run as template code: a sink was missed."""

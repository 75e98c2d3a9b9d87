"""Every setting geo reads from the environment, in one table: name, variable, default, and why.

`python -m geo settings` prints the table; the README's "Settings" section is this table.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from geo.errors import SettingError

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Setting:
    variable: str
    default: str
    help: str

    def raw(self) -> str:
        return os.environ.get(self.variable, "").strip()


SETTINGS = {
    "articles": Setting(
        "GEO_ARTICLES", "articles/ in the project", "the folder the dashboard shows and `geo import` adds to"
    ),
    "gazetteer": Setting("GEO_GAZETTEER", "gazetteer/ in the project", "the gazetteer folder (places, aliases, rules)"),
    "lexicons": Setting("GEO_LEXICONS", "lexicons/ in the project", "the event word lists"),
    "cache": Setting("GEO_CACHE_DIR", "~/.cache/geo", "the gazetteer index cache and geocoder look-up answers"),
    "store": Setting(
        "GEO_STORE",
        "<articles folder>.duckdb beside it",
        "the parse results' store (DuckDB), a cache rebuilt from the articles when missing",
    ),
    "allow_private_urls": Setting(
        "GEO_ALLOW_PRIVATE_URLS", "0", "1: URL imports may reach local and private network addresses"
    ),
    "nominatim": Setting(
        "GEO_NOMINATIM", "nominatim.openstreetmap.org (https)", "host[:port] of another Nominatim server (http)"
    ),
    "max_article_mb": Setting(
        "GEO_MAX_ARTICLE_MB",
        "10",
        "an article file or upload over this many MB is named and skipped (a CSV table: 100 times it)",
    ),
    "show_article_chars": Setting(
        "GEO_SHOW_ARTICLE_CHARS",
        "200000",
        "the dashboard's \"Read an article\" shows this many characters of an article, and says what it leaves out",
    ),
    "show_article_mentions": Setting(
        "GEO_SHOW_ARTICLE_MENTIONS",
        "2000",
        "... and highlights at most this many of its mentions (the text stops after the last one shown)",
    ),
    "show_excerpt_chars": Setting(
        "GEO_SHOW_EXCERPT_CHARS",
        "600",
        "an excerpt beside the map is cut to this many characters around its place name, and says so",
    ),
}
MB = 1024 * 1024


def _folder(name: str, project_default: Path) -> Path:
    value = SETTINGS[name].raw()
    return Path(value).expanduser() if value else project_default


# The project's own folders, made once: the parse asks for the lexicons' several times an article.
_IN_PROJECT = {name: PROJECT_ROOT / name for name in ("articles", "gazetteer", "lexicons")}


def articles_dir() -> Path:
    return _folder("articles", _IN_PROJECT["articles"])


def gazetteer_dir() -> Path:
    return _folder("gazetteer", _IN_PROJECT["gazetteer"])


def lexicons_dir() -> Path:
    return _folder("lexicons", _IN_PROJECT["lexicons"])


def cache_dir() -> Path:
    return _folder("cache", Path.home() / ".cache" / "geo")


def store_path(folder: Path) -> Path:
    """$GEO_STORE, else `articles.duckdb` beside `articles/` (never inside it: it is no article)."""
    value = SETTINGS["store"].raw()
    if value:
        return Path(value).expanduser()
    folder = Path(folder).resolve()
    return folder.with_name(f"{folder.name}.duckdb")


def allow_private_urls() -> bool:
    return SETTINGS["allow_private_urls"].raw().lower() in ("1", "true", "yes")


def nominatim_server() -> str:
    return SETTINGS["nominatim"].raw()


def max_article_bytes() -> int:
    """The size limit per article, in bytes: memory and time grow with an article's size."""
    value = SETTINGS["max_article_mb"].raw() or SETTINGS["max_article_mb"].default
    try:
        mb = float(value)
    except ValueError:
        mb = -1.0
    if not mb > 0:  # also NaN
        raise SettingError(f"GEO_MAX_ARTICLE_MB={value!r}: give a size in MB greater than 0, e.g. 10")
    return int(mb * MB)


def _count(name: str) -> int:
    """A whole number > 0 from a setting: what a page may show of a huge article (DOM nodes, bytes sent)."""
    setting = SETTINGS[name]
    value = setting.raw() or setting.default
    try:
        n = int(value)
    except ValueError:
        n = 0
    if n < 1:
        raise SettingError(f"{setting.variable}={value!r}: give a whole number greater than 0, e.g. {setting.default}")
    return n


def show_article_chars() -> int:
    return _count("show_article_chars")


def show_article_mentions() -> int:
    return _count("show_article_mentions")


def show_excerpt_chars() -> int:
    return _count("show_excerpt_chars")


def table() -> str:
    """The settings as a plain-text table, for `geo settings`."""
    rows = [(k, s.variable, s.default, s.help) for k, s in SETTINGS.items()]
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    return "\n".join(f"{v:<{widths[1]}}  {d:<{widths[2]}}  {h}" for _, v, d, h in rows)

"""geo: find the places a news article about Syria names, resolve them to coordinates, and say what happened there.

The public API, for scripts and notebooks (the CLI and the dashboard use the same functions):

    import geo
    gaz = geo.load_gazetteer()                      # the project's gazetteer/, or $GEO_GAZETTEER
    for m in geo.parse_text("a.txt", "Shelling hit Aleppo on Monday.", gaz):
        print(m.text, m.place.name, m.place.lat, m.place.lon, m.event.event_type, m.record())
    for result in geo.parse_paths([Path("articles")], gaz):  # files and folders, in order
        ...

Names are loaded on first use, so `import geo` stays cheap.
"""

from __future__ import annotations

import importlib
import os
from typing import Any

from geo import _compiled

# "compiled" when the mypyc-compiled modules run (setup.py), else why their Python source does.
RUNNING = _compiled.choose(os.path.dirname(__file__))

_EXPORTS = {
    "parse_text": "geo.pipeline",
    "parse_article": "geo.pipeline",
    "parse_paths": "geo.pipeline",
    "ParseResult": "geo.models",
    "read_article": "geo.corpus.reader",
    "Article": "geo.models",
    "Mention": "geo.models",
    "Place": "geo.models",
    "Event": "geo.models",
    "Casualty": "geo.models",
    "RECORD_FIELDS": "geo.models",
    "Gazetteer": "geo.gazetteer",
    "GeoError": "geo.errors",
    "GazetteerError": "geo.errors",
    "LexiconError": "geo.errors",
    "ArticleError": "geo.errors",
}
__all__ = [*_EXPORTS, "load_gazetteer"]


def load_gazetteer(root: Any = None) -> Any:
    """The gazetteer index (from its on-disk cache when the files are unchanged)."""
    from geo.gazetteer import load

    return load(root)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'geo' has no attribute {name!r}")

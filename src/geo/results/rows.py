"""One parsed article as the store's rows, made where it was parsed (a worker sends back one string).

Columns: the articles table (ARTICLE_COLUMNS); mentions are `geo parse`'s record (models.RECORD_FIELDS,
`casualties` as a JSON string, as in batch.MENTION_SCHEMA) plus `file`, `ord` and `day`; events are
`geo events`' record (events.records.EVENT_COLUMNS) plus `file` and `ord`; sounds are the phonetic keys
of the capitalised names in the text, so that a gazetteer edit finds the articles a new sound reaches.
"""

from __future__ import annotations

import json
import re
from typing import Any

from geo.errors import shown_name
from geo.models import Mention, ParseResult
from geo.places.cues import NAME
from geo.summary import event_day
from geo.text.normalise import normalise, without_invisible
from geo.text.phonetic import PhoneticRule, phonetic_key

ARTICLE_COLUMNS = (
    "file", "name", "hash", "size", "mtime_ns", "title", "date", "published", "source", "url", "meta",
    "body_start", "warnings", "error", "mentions", "events", "norm",
)  # fmt: skip
_NAME = re.compile(NAME)
_SPLIT = re.compile(r"[ -]")
_keys: dict[str, str] = {}


def _sounds(body: str, rules: tuple[PhoneticRule, ...]) -> list[str]:
    """Phonetic keys of every capitalised name and each run of its words: what the sound-alike stage may try."""
    out: set[str] = set()
    for m in _NAME.finditer(body):
        words = _SPLIT.split(m.group())
        for i in range(len(words)):
            for j in range(i + 1, len(words) + 1):
                name = " ".join(words[i:j])
                key = _keys.get(name)
                if key is None:
                    key = _keys[name] = phonetic_key(name, rules)
                if key:
                    out.add(key)
    return sorted(out)


def mention_row(m: Mention, file: str, ord_: int) -> dict:
    record = m.record()
    record["casualties"] = json.dumps(record["casualties"], ensure_ascii=False)
    day = event_day(m)
    return record | {"file": file, "ord": ord_, "day": day.isoformat() if day else None}


def article_rows(result: ParseResult, file: str, digest: str, size: int, mtime_ns: int,
                 rules: tuple[PhoneticRule, ...], folder: str) -> dict[str, Any]:  # fmt: skip
    """The rows of one parse result: {"article": {...}, "mentions": [...], "events": [...], "sounds": [...]}."""
    base: dict[str, Any] = dict.fromkeys(ARTICLE_COLUMNS) | {
        "file": file, "hash": digest, "size": size, "mtime_ns": mtime_ns, "mentions": 0, "events": 0,
    }  # fmt: skip
    if result.error is not None or result.article is None:
        error = result.error.shown_from(folder) if result.error is not None else f"{file}: not read"
        return {"article": base | {"name": file.rsplit("/", 1)[-1], "error": error}, "mentions": [], "events": [],
                "sounds": []}  # fmt: skip
    a = result.article
    published = a.published
    base |= {
        "name": a.name,
        "title": a.title,
        "date": a.meta.get("date", ""),
        "published": published.isoformat() if published else None,
        "source": a.meta.get("source", ""),
        "url": a.meta.get("url", ""),
        "meta": json.dumps(a.meta, ensure_ascii=False),
        "body_start": a.body_start,
        "warnings": json.dumps([f"{shown_name(a.path, folder)}: {w}" for w in a.warnings], ensure_ascii=False),
        "mentions": len(result.mentions),
        "events": len(result.events),
        "norm": normalise(without_invisible(a.text)),
    }
    return {
        "article": base,
        "mentions": [mention_row(m, file, i) for i, m in enumerate(result.mentions)],
        "events": [e.record() | {"file": file, "ord": i} for i, e in enumerate(result.events)],
        "sounds": _sounds(a.text[a.body_start :], rules),
    }


def render(rules: tuple[PhoneticRule, ...], folder: str, result: ParseResult) -> str:
    """`pipeline.parse_paths`' render hook: the rows as JSON (file facts are added by the caller)."""
    file = shown_name(result.article.path if result.article else (result.error.path if result.error else ""), folder)
    return json.dumps(article_rows(result, file, "", 0, 0, rules, folder), ensure_ascii=False)

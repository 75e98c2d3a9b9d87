"""Bring articles into articles/: files of any common format, pasted text, web pages and CSV tables.

Every import ends the same way: UTF-8 text plus metadata (title, date, source, url, author),
saved as one `.md` file with front matter under a readable, safe name, written atomically, and
skipped when the same text is already in the folder. Readers of each format are libraries made
for it: trafilatura (web pages, HTML), pypdf (PDF), python-docx (Word), charset-normalizer
(legacy encodings).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import itertools
import logging
import os
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from geo import settings
from geo.corpus import fetch
from geo.corpus.encoding import NotText, decode_bytes
from geo.corpus.reader import VALUE_LIMIT, article_files, parse_front_matter, read_bytes_inside, too_big
from geo.errors import ArticleError, ImportError_
from geo.store import create_text_exclusive, folder_lock

META_KEYS = ("title", "date", "date_from", "source", "url", "author", "language")
# A file's own timestamp is not a publication date: when it is the only date there is, the front matter says so.
FILE_DATE_NOTE = "{what}, not a stated publication date: check it"
FILE_SUFFIXES = (".txt", ".md", ".html", ".htm", ".pdf", ".docx")


@dataclass
class Imported:
    """An article ready to save: its text and what is known about it."""

    text: str
    meta: dict[str, str] = field(default_factory=dict)
    origin: str = ""  # the file, URL or CSV row it came from, for messages


@dataclass(frozen=True)
class Saved:
    path: Path
    added: bool  # False: the same text was already there, as `path`


# --- encodings --------------------------------------------------------------------------------


def decode(data: bytes, origin: str) -> str:
    """Text from bytes, as `geo parse` reads them (encoding.decode_bytes); ImportError_ naming `origin` if none."""
    try:
        return decode_bytes(data).text
    except NotText as e:
        raise ImportError_(f"{origin}: {e}") from None


# --- readers per format ------------------------------------------------------------------------


def read_file(name: str, data: bytes) -> Imported:
    """An uploaded or local file, by its extension: .txt .md .html .htm .pdf .docx; refused over the size limit."""
    limit = settings.max_article_bytes()
    if len(data) > limit:
        raise ImportError_(f"{name}: {too_big(len(data), limit)}")
    suffix = Path(name).suffix.lower()
    if suffix in (".txt", ".md", ""):
        text = decode(data, name).replace("\r\n", "\n")
        meta, body_start, _ = parse_front_matter(text)
        body = text[body_start:]
        meta = {k: v for k, v in meta.items() if k in META_KEYS}
        if "title" not in meta:
            meta["title"] = first_line(body) or Path(name).stem
        return Imported(body, meta, name)
    if suffix in (".html", ".htm"):
        return read_html(decode(data, name), name)
    if suffix == ".pdf":
        return _read_pdf(name, data)
    if suffix == ".docx":
        return _read_docx(name, data)
    raise ImportError_(
        f"{name}: cannot import {suffix or 'files without an extension'} (use {', '.join(FILE_SUFFIXES)})"
    )


def read_html(html: str, origin: str, url: str = "") -> Imported:
    """The article in a web page, without menus and footers, with the metadata the page states."""
    import trafilatura

    doc = trafilatura.bare_extraction(html, url=url or None, with_metadata=True, include_comments=False)
    if doc is None:
        raise ImportError_(f"{origin}: no article text found in the page")
    data = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    text = (data.get("text") or "").strip()
    if not text:
        raise ImportError_(f"{origin}: no article text found in the page")
    meta = {
        "title": data.get("title") or "",
        "date": data.get("date") or "",
        "source": data.get("sitename") or data.get("hostname") or "",
        "author": data.get("author") or "",
        "url": url or data.get("url") or "",
        "language": data.get("language") or "",
    }
    return Imported(text + "\n", {k: v for k, v in meta.items() if v}, origin)


def _read_pdf(name: str, data: bytes) -> Imported:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings ("EOF marker not found") name no file
    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
        info: Mapping[str, object] = reader.metadata or {}
    except (PdfReadError, ValueError, KeyError) as e:
        raise ImportError_(f"{name}: not a readable PDF ({e})") from e
    text = "\n\n".join(p.strip() for p in pages if p.strip())
    if not text:
        raise ImportError_(f"{name}: the PDF has no text layer (a scan?): nothing to import")
    meta = {"title": str(info.get("/Title") or "") or first_line(text) or Path(name).stem}
    if info.get("/Author"):
        meta["author"] = str(info["/Author"])
    created = _pdf_date(str(info.get("/CreationDate") or ""))
    if created:
        meta["date"] = created
        meta["date_from"] = FILE_DATE_NOTE.format(what="the PDF's creation date")
    return Imported(text + "\n", meta, name)


def _pdf_date(value: str) -> str:
    m = re.match(r"D:(\d{4})(\d{2})(\d{2})", value)
    return f"{m.group(1)}-{m.group(2)}-{m.group(3)}" if m else ""


def _read_docx(name: str, data: bytes) -> Imported:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, ValueError, KeyError, zipfile.BadZipFile) as e:
        raise ImportError_(f"{name}: not a readable .docx file ({e})") from e
    text = "\n\n".join(p.text.strip() for p in document.paragraphs if p.text.strip())
    if not text:
        raise ImportError_(f"{name}: the document has no text")
    props = document.core_properties
    meta = {"title": props.title or first_line(text) or Path(name).stem}
    if props.author:
        meta["author"] = props.author
    if props.created:
        meta["date"] = props.created.date().isoformat()
        meta["date_from"] = FILE_DATE_NOTE.format(what="the document's creation date")
    return Imported(text + "\n", meta, name)


def first_line(text: str) -> str:
    """The first non-empty line, as a title: a Markdown heading's # marks dropped."""
    for line in text.splitlines():
        if line.strip().lstrip("#").strip():
            return " ".join(line.strip().lstrip("#").split())[:150]
    return ""


def fetch_url(
    url: str,
    timeout: float = fetch.DEADLINE_SECONDS,
    allow_private: bool | None = None,
    max_bytes: int = fetch.MAX_BYTES,
) -> Imported:
    """A web page, reduced to its article text and metadata; a clear one-line error when it cannot be had.

    Private and local addresses are refused unless `allow_private` (default: GEO_ALLOW_PRIVATE_URLS=1).
    """
    if allow_private is None:
        allow_private = allow_private_urls()
    page = fetch.fetch(url, allow_private=allow_private, max_bytes=max_bytes, deadline=timeout)  # FetchError: one line
    try:
        html = page.body.decode(page.charset) if page.charset else decode(page.body, url)
    except (LookupError, UnicodeDecodeError):
        html = decode(page.body, url)
    return read_html(html, url, page.url)


def allow_private_urls() -> bool:
    """The server's setting: may URL imports reach local and private addresses? (off by default)"""
    return settings.allow_private_urls()


# --- CSV tables --------------------------------------------------------------------------------

# FA-KES's columns, the example the mapping was made for: title, content, source, date.
FAKES_MAPPING = {"title": "article_title", "text": "article_content", "source": "source", "date": "date"}


CSV_FIELDS = ("title", "text", "date", "source", "url", "author")


def read_csv(
    name: str,
    data: bytes,
    mapping: dict[str, str] | None = None,
    date_format: str = "",
    fallback: dict[str, str] | None = None,
) -> Iterator[Imported]:
    """One article per row; `mapping` names the column of text (required), title, date, source, url, author.

    A field `mapping` leaves out takes its `fallback` column (FA-KES's names by default) when the table
    has one; a field mapped to "" has none. Every column `mapping` names must exist.
    """
    text = decode(data, name)
    csv.field_size_limit(max(csv.field_size_limit(), settings.max_article_bytes()))  # csv's own is 128 KB
    reader = csv.DictReader(io.StringIO(text, newline=""))
    columns = _csv_rows(name, reader, lambda: list(reader.fieldnames or []))
    fallback = FAKES_MAPPING if fallback is None else fallback
    mapping = {
        **{k: c for k, c in fallback.items() if c in columns and k not in (mapping or {})},
        **{k: c for k, c in (mapping or {}).items() if c},
    }
    missing = [column for column in mapping.values() if column and column not in columns]
    if missing:
        raise ImportError_(
            f"{name}:1: no column {', '.join(map(repr, missing))} (the columns are {', '.join(columns)})"
        )
    if not mapping.get("text"):
        raise ImportError_(f"{name}: say which column holds the article text")
    rows = _csv_rows(name, reader, lambda: list(reader))
    date_column = mapping.get("date")
    fmt = date_format or (guess_date_format([r[date_column] for r in rows]) if date_column else "")
    for line, row in enumerate(rows, start=2):
        body = (row.get(mapping["text"]) or "").strip()
        if not body:
            continue
        meta = {key: (row.get(column) or "").strip() for key, column in mapping.items() if column and key != "text"}
        meta = {k: " ".join(v.split()) for k, v in meta.items() if v}
        if meta.get("date"):
            try:
                meta["date"] = parse_date(meta["date"], fmt)
            except ValueError:
                raise ImportError_(f"{name}:{line}: date {meta['date']!r} does not read as {fmt}") from None
        yield Imported(body + "\n", meta, f"{name}:{line}")


def _csv_rows(name: str, reader: csv.DictReader, read: Callable[[], list]) -> list:
    """What `read` reads from the table; a quote left open or a field over the size limit names the line."""
    try:
        return read()
    except csv.Error as e:
        raise ImportError_(f"{name}:{reader.line_num + 1}: not a CSV row ({e})") from None  # the line it broke on


DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y/%m/%d", "%d %B %Y", "%B %d, %Y")


def guess_date_format(values: Iterable[str]) -> str:
    """The one format all the (non-empty) values read in; month/day order settled by a day > 12."""
    values = [v.strip() for v in values if v and v.strip()]
    for fmt in DATE_FORMATS:
        try:
            for v in values:
                dt.datetime.strptime(v[:30].split("T")[0].strip(), fmt)
        except ValueError:
            continue
        return fmt
    return ""


def parse_date(value: str, fmt: str) -> str:
    value = value.strip()
    if fmt:
        return dt.datetime.strptime(value.split("T")[0].strip(), fmt).date().isoformat()
    return dt.date.fromisoformat(value[:10]).isoformat()


# --- saving -------------------------------------------------------------------------------------


def text_key(text: str) -> str:
    """Same text, same key: whitespace and case do not make an article new."""
    return hashlib.sha256(" ".join(text.split()).casefold().encode()).hexdigest()


class KnownTexts(dict[str, Path]):
    """Text key -> the article file holding that text; `stamp` says what the folder looked like when last read."""

    stamp: tuple[int, int] | None = None


def _folder_stamp(folder: Path) -> tuple[int, int]:
    """Modification time and number of entries: a file another process added changes one or the other
    (the time alone can stay put when two writes fall in one tick of the file system's clock)."""
    return folder.stat().st_mtime_ns, len(os.listdir(folder))


def existing_keys(folder: Path) -> KnownTexts:
    """The text key of every article already in the folder."""
    known = KnownTexts()
    if Path(folder).is_dir():
        _add_new_files(Path(folder), known)
    return known


def slug(text: str, limit: int = 60) -> str:
    """A readable, safe file name part: ASCII letters, digits and hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[A-Za-z0-9]+", ascii_text.lower())
    out = ""
    for w in words:
        if len(out) + len(w) + 1 > limit:
            break
        out = f"{out}-{w}" if out else w
    return out


# Names Windows keeps for devices, whatever the extension: a folder of articles synced there could not hold them.
WINDOWS_RESERVED = frozenset(
    {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
)


def file_name(article: Imported) -> str:
    """`2016-05-11_air-strikes-hit-aleppo.md`; an untitled or non-Latin title uses the text's hash.

    The name is made of ASCII letters, digits and hyphens only: a title such as "../../etc/passwd",
    "/etc/passwd", ".git" or one with a NUL names a file inside the folder; "CON" becomes "article-con".
    """
    date = article.meta.get("date", "")[:10]
    stem = slug(article.meta.get("title", "")) or "article-" + text_key(article.text)[:10]
    if stem in WINDOWS_RESERVED:
        stem = f"article-{stem}"
    return f"{date}_{stem}.md" if re.fullmatch(r"\d{4}-\d{2}-\d{2}", date) else f"{stem}.md"


def front_matter(meta: dict[str, str]) -> str:
    """The block `reader.parse_front_matter` reads back: one line per value, each at most VALUE_LIMIT long."""
    lines = ["---"]
    for key in META_KEYS:
        value = " ".join(str(meta.get(key, "")).split())[:VALUE_LIMIT]
        if value:
            lines.append(f"{key}: {value}")
    for key, value in meta.items():
        if key not in META_KEYS and value:
            lines.append(f"{key}: {' '.join(str(value).split())[:VALUE_LIMIT]}")
    lines.append("---")
    return "\n".join(lines) + "\n"


def save(article: Imported, folder: Path, known: KnownTexts | None = None) -> Saved:
    """Write the article as one new file in `folder`, unless the same text is already there.

    Two importers at once (two sessions, two CLI runs) never overwrite each other: names are
    claimed exclusively, and the duplicate check runs under a lock that first reads any article
    another process added since `known` was made.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    known = existing_keys(folder) if known is None else known
    key = text_key(article.text)
    body = article.text if article.text.endswith("\n") else article.text + "\n"
    content = front_matter(article.meta) + body
    with folder_lock(folder):
        _add_new_files(folder, known)
        if key in known:
            return Saved(known[key], False)
        name = file_name(article)
        names = itertools.chain([folder / name], (folder / f"{Path(name).stem}-{n}.md" for n in itertools.count(2)))
        path = create_text_exclusive(names, content)
        known[key] = path
        known.stamp = _folder_stamp(folder)  # our own file: no need to read the folder for it
    return Saved(path, True)


def _add_new_files(folder: Path, known: KnownTexts) -> None:
    """Bring `known` up to date with article files that appeared in `folder` since it was read.

    The folder is read again only when its stamp changed since `known` last saw it:
    a save under the lock, one after another, reads no file twice (it was quadratic).
    """
    stamp = _folder_stamp(folder)
    if known.stamp == stamp:
        return
    seen = {str(p) for p in known.values()}
    for path, inside in article_files([folder]):
        if str(path) in seen:
            continue
        try:
            text = decode_bytes(read_bytes_inside(path, inside)).text
        except (OSError, NotText):
            continue
        body_start = parse_front_matter(text).body_start
        known.setdefault(text_key(text[body_start:]), path)
    known.stamp = stamp


def save_all(
    articles: Sequence[Imported], folder: Path, progress: Callable[[int, int], None] | None = None
) -> list[Saved]:
    """Each article saved (a text already in the folder is not added twice); `progress(done, total)` after each."""
    known = existing_keys(Path(folder))
    saved = []
    for a in articles:
        saved.append(save(a, folder, known))
        if progress:
            progress(len(saved), len(articles))
    return saved


def expand_source(source: str) -> list[str]:
    """What the CLI was given, one source each: a folder becomes its files, so one bad file stops no other."""
    path = Path(source)
    if re.match(r"[a-z][a-z0-9+.-]*://", source, re.I) or not path.is_dir():
        return [source]
    files = sorted(
        p
        for p in path.rglob("*")
        if p.suffix.lower() in FILE_SUFFIXES and not any(part.startswith(".") for part in p.relative_to(path).parts)
    )  # hidden files and folders (.git) are not articles
    if not files:
        raise ImportError_(f"{path}: no {', '.join(FILE_SUFFIXES)} files in the folder")
    return [str(f) for f in files]


def read_source(
    source: str, mapping: dict[str, str] | None = None, date_format: str = "", allow_private: bool | None = None
) -> Iterator[Imported]:
    """One source the CLI accepts: a URL, a CSV table or a file (folders: `expand_source` first)."""
    if re.match(r"[a-z][a-z0-9+.-]*://", source, re.I):
        yield fetch_url(source, allow_private=allow_private)
        return
    path = Path(source)
    if path.suffix.lower() == ".csv":
        yield from read_csv(str(path), _read_bytes(path), mapping, date_format)
        return
    yield read_file(str(path), _read_bytes(path))


TABLE_LIMIT = 100  # a CSV table holds many articles: it may be this many times the limit per article


def _read_bytes(path: Path) -> bytes:
    """A regular file's bytes, refused over the size limit per article (a CSV table: TABLE_LIMIT times it)."""
    limit = settings.max_article_bytes() * (TABLE_LIMIT if path.suffix.lower() == ".csv" else 1)
    try:
        return read_bytes_inside(path, limit=limit)
    except ArticleError as e:
        raise ImportError_(str(e)) from None

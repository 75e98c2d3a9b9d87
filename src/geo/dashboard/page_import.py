"""The dashboard's "Add articles" view: upload, paste, fetch a URL, or import a CSV table.

Streamlit widgets only; reading, decoding, de-duplicating and saving are in geo.importer.
Whatever is saved lands in the articles folder, and the map picks it up on the next run.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable
from pathlib import Path

import streamlit as st

from geo.corpus import importer
from geo.corpus.importer import Imported, ImportError_
from geo.dashboard.bars import eta_bar
from geo.dashboard.wording import plural
from geo.sinks import markdown as md

FORM_FIELDS = ("title", "date", "source", "url")


def render(articles: Path) -> None:
    st.header("Add articles")
    st.caption(
        f"Each article is saved as one file in `{articles}` with its title, date, source and URL; "
        "text already in the folder is not added twice. Formats: .txt .md .html .pdf .docx, a web page, "
        "or a CSV table (one article per row)."
    )
    upload, paste, url, table = st.tabs(["Upload files", "Paste text", "From a web page", "CSV table"])
    with upload:
        _upload(articles)
    with paste:
        _paste(articles)
    with url:
        _url(articles)
    with table:
        _table(articles)


def _report(saved: list[importer.Saved]) -> None:
    added = [s for s in saved if s.added]
    for s in added:
        st.success(md(f"Added {s.path.name}"))
    for s in saved:
        if not s.added:
            st.info(md(f"Already in the folder, not added again: {s.path.name}"))
    if added:
        st.caption("The map shows them now: open the Map view.")


def _metadata_form(article: Imported, key: str) -> dict[str, str]:
    """Title, date, source and URL, pre-filled from what the file or page says."""
    a, b = st.columns(2)
    meta = dict(article.meta)
    meta["title"] = a.text_input("Title", meta.get("title", ""), key=f"{key}-title")
    date = b.text_input("Date (YYYY-MM-DD)", meta.get("date", ""), key=f"{key}-date")
    meta["source"] = a.text_input("Source", meta.get("source", ""), key=f"{key}-source")
    meta["url"] = b.text_input("URL", meta.get("url", ""), key=f"{key}-url")
    if meta.get("date_from") and date.strip() == meta.get("date"):
        st.caption(md(f"The date is {meta['date_from']}."))
    elif "date_from" in meta:
        del meta["date_from"]  # the person typed a date: it is theirs, not the file's
    meta["date"] = date.strip()
    return {k: v for k, v in meta.items() if v}


def _valid_date(meta: dict[str, str]) -> bool:
    if not meta.get("date"):
        return True
    try:
        dt.date.fromisoformat(meta["date"])
        return True
    except ValueError:
        st.error(md(f"Date {meta['date']!r}: write it as YYYY-MM-DD."))
        return False


def saving_bar(where, total: int) -> Callable[[int, int], None] | None:
    """A bar with counts and an ETA for a save of many articles (FA-KES's 804 rows take about a second)."""
    if total < 20:
        return None
    return eta_bar(where, f"Saving {total:,} articles…", "Saving articles", every=10)


def _upload(articles: Path) -> None:
    files = st.file_uploader(
        "Files", type=[s.lstrip(".") for s in importer.FILE_SUFFIXES], accept_multiple_files=True, key="upload"
    )
    if not files:
        return
    ready: list[Imported] = []
    for i, f in enumerate(files):
        try:
            article = importer.read_file(f.name, f.getvalue())
        except ImportError_ as e:
            st.error(md(e))
            continue
        with st.expander(md(f"{f.name}: {len(article.text.split())} words"), expanded=len(files) == 1):
            article.meta = _metadata_form(article, f"upload-{i}")
            st.text(article.text[:600] + ("…" if len(article.text) > 600 else ""))
        ready.append(article)
    if ready and st.button(f"Save {len(ready)} article{'s' if len(ready) > 1 else ''}", key="save-upload"):
        if all(_valid_date(a.meta) for a in ready):
            slot = st.empty()
            saved = importer.save_all(ready, articles, saving_bar(slot, len(ready)))
            slot.empty()
            _report(saved)


def _paste(articles: Path) -> None:
    text = st.text_area("Article text", height=220, key="paste-text")
    article = Imported(text, {}, "pasted text")
    meta = _metadata_form(article, "paste")
    st.caption("An empty title takes the text's first line.")
    if st.button("Save", key="save-paste", disabled=not text.strip()):
        meta.setdefault("title", importer.first_line(text))
        article.meta = meta
        if _valid_date(meta):
            _report([importer.save(article, articles)])


def _url(articles: Path) -> None:
    url = st.text_input("Address of the article (http:// or https://)", key="url")
    if st.button("Fetch", key="fetch", disabled=not url.strip()):
        try:
            st.session_state["fetched"] = importer.fetch_url(url.strip())
        except ImportError_ as e:
            st.session_state.pop("fetched", None)
            st.error(md(e))
    fetched: Imported | None = st.session_state.get("fetched")
    if fetched:
        fetched.meta = _metadata_form(fetched, "url")
        st.text(fetched.text[:600] + ("…" if len(fetched.text) > 600 else ""))
        if st.button("Save", key="save-url") and _valid_date(fetched.meta):
            _report([importer.save(fetched, articles)])
            del st.session_state["fetched"]


def _table(articles: Path) -> None:
    f = st.file_uploader("CSV file", type=["csv"], key="csv")
    if not f:
        return
    data = f.getvalue()
    try:
        header = importer.decode(data, f.name).splitlines()[0]
    except (ImportError_, IndexError) as e:
        st.error(md(e if isinstance(e, ImportError_) else f"{f.name}: empty file"))
        return
    columns = next(csv.reader([header]), [])
    st.caption("Which column holds what (FA-KES's names are chosen when present):")
    mapping = {}
    cols = st.columns(5)
    for col, field in zip(cols, ("text", "title", "date", "source", "url"), strict=True):
        default = importer.FAKES_MAPPING.get(field, field)
        options = ["(none)", *columns]
        index = options.index(default) if default in options else 0
        choice = col.selectbox(field, options, index=index, key=f"map-{field}")
        if choice != "(none)":
            mapping[field] = choice
    date_format = st.text_input("Date format (empty: guessed, e.g. %m/%d/%Y)", key="csv-date-format")
    if st.button("Import the table", key="import-csv", disabled="text" not in mapping):
        try:
            rows = list(importer.read_csv(f.name, data, mapping, date_format, fallback={}))
        except ImportError_ as e:
            st.error(md(e))
            return
        slot = st.empty()
        saved = importer.save_all(rows, articles, saving_bar(slot, len(rows)))
        slot.empty()
        added = sum(s.added for s in saved)
        st.success(md(f"{plural(added, 'article')} added, {len(saved) - added} already in the folder."))

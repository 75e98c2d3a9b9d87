"""What one dashboard server process keeps for all its sessions: the gazetteer, and the store in step.

Both are `st.cache_resource` values (never pickled, one per process): the gazetteer per version of its
files, the store's connection with what every view reuses per version of the articles, gazetteer and
lexicon. Each session queries the store on cursors of its own (geo.dashboard.page_map).
"""

from __future__ import annotations

import atexit
import gc
import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from geo import gazetteer, store
from geo.dashboard import explore, queries
from geo.dashboard.bars import eta_bar
from geo.errors import GazetteerError
from geo.events import lexicon
from geo.gazetteer import curation
from geo.pipeline import default_jobs
from geo.results import database, listing
from geo.sinks import markdown as md

LAST_GOOD = ("last good",)  # the gazetteer signature that stands for "the newest cached index that loaded"


@st.cache_resource(show_spinner="Loading the gazetteer…", max_entries=2)
def load_gazetteer(root: str, signature: tuple) -> gazetteer.Gazetteer:
    """Reloaded when a gazetteer file changes (an edit in the Curate view, or by hand)."""
    # Out of the collector's sight from now on (they are still freed when no longer referenced): its
    # millions of objects made every full collection walk them all, Streamlit's after every rerun of every
    # session among them (issue 17: a third of the server's CPU under 20 sessions at once). Frozen before
    # the collector is back, which would otherwise walk all of a fresh build once more (0.2 s).
    with store.collector_paused():
        if signature == LAST_GOOD:
            loaded = gazetteer.last_good(Path(root))
            if loaded is None:
                raise GazetteerError(Path(root), None, "broken, and no earlier index of it to serve")
        else:
            loaded = gazetteer.load(Path(root))
        gc.freeze()
    return loaded


# At exit, what load_gazetteer froze goes back to the collector, which frees it: DuckDB's bindings
# otherwise report every connection and type still frozen as leaked when the server stops.
atexit.register(gc.unfreeze)


@dataclass(frozen=True)
class Opened:
    """The store in step with one version of the articles, gazetteer and lexicon, and what every view reuses."""

    key: tuple
    folder: Path  # the articles folder
    version: str  # a digest of `key`: what the shared caches are keyed by
    con: database.duckdb.DuckDBPyConnection
    report: database.SyncReport
    titles: dict[str, str]
    by_title: list[str]  # the articles' file names in the order of their titles: the filter's choices
    governorates: list[str]
    meta: explore.Corpus  # the articles without their text: titles, dates, sources for tables and downloads
    errors: list[str]
    warnings: list[str]
    store_file: tuple | None  # the store file's identity once synced: another file there is synced again


def file_identity(path: Path) -> tuple | None:
    """(device, inode) of a file, None when it is missing: a store deleted or replaced under a running server."""
    try:
        st_ = path.stat()
    except OSError:
        return None
    return (st_.st_dev, st_.st_ino)


@st.cache_resource(show_spinner=False)
def store_holder() -> dict:
    """One store connection per server process, shared by every session (st.cache_resource: never pickled)."""
    return {"lock": threading.Lock(), "opened": None}


@st.cache_resource(show_spinner=False)
def folder_check(folder: str) -> listing.FolderCheck:
    """The articles folder's signature, kept for every session: a large folder is not walked on each rerun."""
    return listing.FolderCheck(folder)


def open_store(folder: Path, store: Path, gaz: gazetteer.Gazetteer, gaz_signature: tuple, slot) -> Opened:
    """The store, synced when an article, a gazetteer or a lexicon file changed (a progress bar while it parses).

    `slot` (an st.empty made on every run, so that the page's elements keep their places and a widget
    its state) shows the bar, then what the sync had to say when it rebuilt the store."""
    key = (str(folder), str(store), gaz_signature, folder_check(str(folder)).signature(), lexicon_signature())
    holder = store_holder()
    opened = holder["opened"]
    if opened is not None and opened.key == key and opened.store_file == file_identity(store):
        return opened
    with holder["lock"]:  # one sync at a time: the others wait for it, then find it done
        opened = holder["opened"]
        if opened is not None and opened.key == key and opened.store_file == file_identity(store):
            return opened
        advanced = eta_bar(slot, "Checking the store of parsed articles…", "Parsing articles into the store")
        try:
            report = database.sync(folder, gaz, store, jobs=default_jobs(), progress=advanced)
        finally:
            slot.empty()
        if report.rebuilt and report.parsed:
            slot.info(md(f"{report.rebuilt} ({report.parsed:,} articles parsed)."))
        if opened is not None and (report.rebuilt or opened.key[1] != str(store)):
            opened.con.close()  # a rebuilt file is a new file (or another store): open it afresh
            opened = None
        con = opened.con if opened is not None else database.connect(store)
        errors, warnings = queries.problems(con)
        articles = queries.articles(con)
        titles = queries.titles(con)
        opened = Opened(
            key,
            folder,
            hashlib.sha256(repr(key).encode()).hexdigest()[:24],
            con,
            report,
            titles,
            sorted(titles, key=lambda n: titles[n].lower()),  # once per version: 0.1 s at 100,000 articles
            queries.governorates(con),
            explore.Corpus(list(articles.values()), [], errors, warnings),
            errors,
            warnings,
            file_identity(store),
        )
        holder["opened"] = opened
        return opened


@st.cache_resource(show_spinner="Reading the articles for curation…", max_entries=1)
def store_corpus(key: tuple, _opened: Opened, _gaz: gazetteer.Gazetteer) -> explore.Corpus:
    """Every article's text and mentions, for the Curate view (which reads all texts); once per version."""
    return queries.corpus(_opened.con.cursor(), _opened.folder, _gaz)


@st.cache_resource(show_spinner="Looking for names not in the gazetteer…", max_entries=1)
def find_unmapped(key: tuple, _corpus: explore.Corpus, _gaz: gazetteer.Gazetteer):
    return curation.unmapped_names(_corpus.articles, _corpus.mentions, _gaz)


def lexicon_signature() -> tuple:
    """Names, sizes and times of the lexicon files: an event correction or a retrained coder reparses."""
    out = []
    for path in sorted(lexicon.default_root().glob("*")):
        try:
            stat = path.stat()
            out.append((path.name, stat.st_size, stat.st_mtime_ns))
        except OSError:
            continue
    return tuple(out)

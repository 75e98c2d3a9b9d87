"""`geo batch`: the parse of `geo parse`, over partitions of articles on Dask, into Parquet.

The engine is Dask's (`dask.bag` on a `distributed` cluster: a LocalCluster here, any scheduler
address in production); each partition runs `pipeline.parse_read_article`, the step `geo parse`
runs per article, and writes its own `mentions/part-NNNNN.parquet` and `events/part-NNNNN.parquet`,
numbered in input order (files in `geo parse` order, then offset within an article). Each worker
process loads the gazetteer and lexicon once, from its index cache, for all the partitions it runs.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from geo import gazetteer as gazetteer_module
from geo import settings
from geo.corpus.reader import article_files, read_article, too_big
from geo.errors import ArticleError
from geo.events import lexicon as lexicon_module
from geo.events.records import EVENT_COLUMNS
from geo.models import RECORD_FIELDS, Article, ParseResult
from geo.pipeline import parse_read_article

JSONL_SUFFIXES = (".jsonl", ".ndjson")
BLOCK_SIZE = "16MiB"  # one partition per this much JSONL: big enough to amortise a task, small enough to spread

_MENTION_INTS = {"start", "end", "excerpt_start", "trigger_start", "killed", "injured"}
_EVENT_INTS = {"time_precision", "geo_precision", "fatalities", "injured", "start", "end"}
_FLOATS = {"lat", "lon", "latitude", "longitude"}


def _schema(columns: Sequence[str], ints: set[str]) -> pa.Schema:
    """Parquet columns of a record, typed as its JSON is (ints stay ints when some are null)."""

    def kind(column: str) -> pa.DataType:
        if column in ints:
            return pa.int64()
        if column in _FLOATS:
            return pa.float64()
        return pa.bool_() if column == "in_syria" else pa.string()

    return pa.schema([(c, kind(c)) for c in columns])


MENTION_SCHEMA = _schema(RECORD_FIELDS, _MENTION_INTS)  # `casualties` is a JSON string, as in CSV
EVENT_SCHEMA = _schema(EVENT_COLUMNS, _EVENT_INTS)

_loaded: dict[str | None, tuple[Any, Any]] = {}
_lock = threading.Lock()
_loads = 0  # how many times this process loaded a gazetteer: once per root, whatever the articles


def worker_state(root: str | None) -> tuple[Any, Any]:
    """This process's gazetteer and lexicon, loaded on first use (from the index cache) and kept."""
    global _loads
    with _lock:  # threads of one worker share one copy
        if root not in _loaded:
            _loaded[root] = (gazetteer_module.load(Path(root) if root else None), lexicon_module.load())
            _loads += 1
        return _loaded[root]


def loads() -> int:
    """Gazetteer loads in this process so far (`client.run(batch.loads)` asks every worker)."""
    return _loads


def record_article(line: str, origin: str = "JSONL") -> Article:
    """An article from a JSONL record {name, text, date}; a broken record raises ArticleError naming it."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as e:
        raise ArticleError(Path(origin), f"not a JSON record ({e.msg})") from None
    if not isinstance(record, dict) or not isinstance(record.get("text"), str) or not record.get("name"):
        raise ArticleError(Path(origin), 'a record needs "name" and "text"')
    name, text = str(record["name"]), record["text"]
    if len(text.encode("utf-8")) > settings.max_article_bytes():
        raise ArticleError(Path(name), too_big(len(text.encode("utf-8")), settings.max_article_bytes()))
    if not text.strip():
        raise ArticleError(Path(name), "empty: no text to parse")
    meta = {"date": str(record["date"])} if record.get("date") else {}
    return Article(name, name, text, 0, meta)


def parse_item(item: tuple[str, str | None] | str, gaz: Any, lexicon: Any) -> ParseResult:
    """One input article, a file (path, folder) or a JSONL line, parsed as `geo parse` parses a file."""
    try:
        article = record_article(item) if isinstance(item, str) else read_article(Path(item[0]), _path(item[1]))
    except ArticleError as e:
        return ParseResult(None, [], e)
    return parse_read_article(article, gaz, lexicon)


def _path(folder: str | None) -> Path | None:
    return Path(folder) if folder else None


def mention_rows(result: ParseResult) -> list[dict]:
    """The `geo parse` records of an article, `casualties` as a JSON string (Parquet gets flat columns)."""
    rows = []
    for m in result.mentions:
        record = m.record()
        record["casualties"] = json.dumps(record["casualties"], ensure_ascii=False)
        rows.append(record)
    return rows


def write_partition(items: Iterable[Any], index: int, out: str, root: str | None) -> dict:
    """Parse one partition and write its two Parquet files; what it did, for the summary."""
    gaz, lexicon = worker_state(root)
    mentions: list[dict] = []
    events: list[dict] = []
    problems: list[str] = []
    articles = 0
    for item in items:
        result = parse_item(item, gaz, lexicon)
        articles += 1
        if result.error is not None:
            problems.append(f"{result.error}, skipped")
            continue
        assert result.article is not None
        problems += [f"{result.article.path}: {w}" for w in result.article.warnings]
        mentions += mention_rows(result)
        events += [e.record() for e in result.events]
    name = f"part-{index:05d}.parquet"
    pq.write_table(pa.Table.from_pylist(mentions, MENTION_SCHEMA), Path(out) / "mentions" / name)
    pq.write_table(pa.Table.from_pylist(events, EVENT_SCHEMA), Path(out) / "events" / name)
    return {"articles": articles, "mentions": len(mentions), "events": len(events), "problems": problems}


def input_bags(inputs: Sequence[Path], partitions: int) -> list[Any]:
    """One bag per run of inputs, in the order given: files and folders (their paths; workers read them),
    and JSONL files (read by the workers in blocks of BLOCK_SIZE)."""
    import dask.bag as db

    bags: list[Any] = []
    files: list[tuple[str, str | None]] = []

    def flush() -> None:
        if files:
            bags.append(db.from_sequence(list(files), npartitions=max(1, min(partitions, len(files)))))
            files.clear()

    for given in inputs:
        if given.suffix.lower() in JSONL_SUFFIXES and given.is_file():
            flush()
            bags.append(db.read_text(str(given), blocksize=BLOCK_SIZE).filter(str.strip))
        else:
            files.extend((str(p), str(f) if f else None) for p, f in article_files([given]))
    flush()
    return bags


def prepare(out: Path) -> None:
    """DIR/mentions and DIR/events, without the parts of an earlier run (a run of fewer partitions
    would otherwise leave stale files that readers of the folder take in)."""
    for table in ("mentions", "events"):
        folder = out / table
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("part-*.parquet"):
            old.unlink()


def run(
    inputs: Sequence[Path],
    out: Path,
    client: Any,
    partitions: int | None = None,
    gazetteer_root: Path | None = None,
    on_partition: Callable[[dict, int], None] | None = None,
) -> list[dict]:
    """Parse `inputs` on the cluster behind `client` into Parquet under `out`; one summary per partition, in order.

    `on_partition(summary, partitions)` is told of each partition as it finishes (a progress bar).

    `partitions` (default: four per worker thread) splits the files; `gazetteer_root` must be the
    same path on every worker (default: each worker's own GEO_GAZETTEER or installed gazetteer)."""
    import dask
    from distributed import as_completed

    partitions = partitions or 4 * max(1, sum(client.nthreads().values()))
    prepare(out)
    root = str(gazetteer_root) if gazetteer_root else None
    parts = [part for bag in input_bags(inputs, partitions) for part in bag.to_delayed()]
    tasks = [dask.delayed(write_partition)(part, i, str(out), root) for i, part in enumerate(parts)]
    futures = client.compute(tasks)
    for done in as_completed(futures):
        if on_partition is not None:
            on_partition(done.result(), len(futures))
    return client.gather(futures)


@contextmanager
def cluster_client(scheduler: str | None = None, workers: int = 2) -> Iterator[Any]:
    """A client of the scheduler at `scheduler` (tcp://host:8786), or of a LocalCluster of `workers` processes."""
    import logging

    from distributed import Client, LocalCluster

    if scheduler:
        with Client(scheduler) as client:
            yield client
        return
    with (
        LocalCluster(
            n_workers=workers, threads_per_worker=1, dashboard_address=None, silence_logs=logging.ERROR
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client

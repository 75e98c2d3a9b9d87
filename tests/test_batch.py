"""`geo batch` (issue 16): the Dask job's Parquet rows equal the single-process `geo parse` / `geo events` records."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import distributed
import pyarrow.parquet as pq
import pytest

from geo import batch, cli

ROOT = Path(__file__).resolve().parents[1]
SMALL = {  # beside the seed articles: an accent typed after its letter, an event with a toll, a dated one
    "small_1.txt": "Shelling hit Idlib province and Aleppo’s east.\n",
    "small_2.txt": "An air strike on Kafr Nabl killed at least 12 people on 5 May 2016, the Observatory said.\n",
    "small_3.txt": "---\ntitle: Raqqa\ndate: 2017-06-06\n---\nClashes broke out near Raqqa and Deir ez-Zor.\n",
}


@pytest.fixture(scope="module")
def client():
    """Two workers of one thread each, in this process: a cluster that starts in a fraction of a second."""
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None, silence_logs=logging.ERROR
        ) as cluster,
        distributed.Client(cluster) as c,
    ):
        yield c


def corpus(folder: Path) -> Path:
    shutil.copytree(ROOT / "articles", folder, ignore=shutil.ignore_patterns("README.md"))
    (folder / "more").mkdir()
    for name, text in SMALL.items():
        (folder / "more" / name).write_text(text, encoding="utf-8")
    return folder


def parquet_rows(folder: Path) -> list[dict]:
    rows = []
    for part in sorted(folder.glob("part-*.parquet")):  # the parts are numbered in input order
        rows += pq.read_table(part).to_pylist()
    return rows


def jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_the_dask_job_writes_the_rows_of_geo_parse_and_geo_events(tmp_path, client):
    articles = corpus(tmp_path / "articles")
    out = tmp_path / "out"
    loaded_before = max(client.run(batch.loads).values())  # other tests in this process load their own roots
    argv = ["batch", str(articles), "--out", str(out), "--partitions", "3", "--scheduler", client.scheduler.address]
    assert cli.main(argv) == cli.EXIT_OK
    assert cli.main(["parse", str(articles), "--format", "jsonl", "-o", str(tmp_path / "m.jsonl")]) == cli.EXIT_OK
    assert cli.main(["events", str(articles), "--format", "jsonl", "-o", str(tmp_path / "e.jsonl")]) == cli.EXIT_OK
    assert len(list((out / "mentions").glob("*.parquet"))) == 3
    mentions = parquet_rows(out / "mentions")
    for row in mentions:
        row["casualties"] = json.loads(row["casualties"])
    expected = jsonl(tmp_path / "m.jsonl")
    assert len(expected) > 200 and {r["article"] for r in expected} >= set(SMALL)
    assert mentions == expected
    assert parquet_rows(out / "events") == jsonl(tmp_path / "e.jsonl")
    # the gazetteer loaded once by the workers' process (they share this one), not once per partition
    assert max(client.run(batch.loads).values()) - loaded_before <= 1


def test_jsonl_records_parse_as_the_same_articles_in_files(tmp_path, client):
    files = tmp_path / "files"
    files.mkdir()
    records = []
    for name, text in SMALL.items():
        (files / name).write_text(text, encoding="utf-8")
        if not text.startswith("---"):
            records.append({"name": name, "text": text})
    records.append(
        {"name": "small_3.txt", "text": "Clashes broke out near Raqqa and Deir ez-Zor.\n", "date": "2017-06-06"}
    )
    source = tmp_path / "records.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in records) + "\n{broken\n", encoding="utf-8")
    batch.run([files], tmp_path / "a", client, partitions=2)
    summaries = batch.run([source], tmp_path / "b", client)
    assert [p for s in summaries for p in s["problems"]] == [
        "JSONL: not a JSON record (Expecting property name enclosed in double quotes), skipped"
    ]
    from_files, from_records = parquet_rows(tmp_path / "a" / "events"), parquet_rows(tmp_path / "b" / "events")
    assert len(from_files) == 3
    shift = len("---\ntitle: Raqqa\ndate: 2017-06-06\n---\n")  # the file's offsets count its front matter
    for row in from_files:
        if row["article"] == "small_3.txt":
            row["start"] -= shift
            row["end"] -= shift
            row["event_id"] = f"small_3.txt:{int(row['event_id'].rsplit(':', 1)[1]) - shift}"
    assert from_records == from_files

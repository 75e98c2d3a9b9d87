"""`python -m geo` through a subprocess, as scripts use it."""

import csv
import functools
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIELDS = {
    "article",
    "start",
    "end",
    "text",
    "place_id",
    "name",
    "kind",
    "lat",
    "lon",
    "governorate",
    "in_syria",
    "excerpt",
    "reason",
    # issue 5: events
    "event_type",
    "sub_event_type",
    "trigger",
    "killed",
    "injured",
    "casualty_text",
    "event_date",
    "date_source",
}


def geo(*args, cwd=ROOT):
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))  # this checkout's geo, whatever is installed
    return subprocess.run(
        [sys.executable, "-m", "geo", *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=300, env=env
    )


def test_parse_jsonl_has_the_contract_fields(tmp_path):
    (tmp_path / "a.txt").write_text("Shelling hit Idlib province and Aleppo’s east.\n", encoding="utf-8")
    run = geo("parse", tmp_path, "--format", "jsonl")
    assert run.returncode == 0, run.stderr
    records = [json.loads(line) for line in run.stdout.splitlines()]
    assert [r["text"] for r in records] == ["Idlib", "Aleppo"]
    for r in records:
        assert FIELDS <= set(r)
        assert r["article"] == "a.txt"
    assert records[0]["kind"] == "governorate" and records[1]["kind"] == "city"
    assert records[0]["event_type"] == "Explosions/Remote violence"
    assert records[0]["sub_event_type"] == "Shelling/artillery/missile attack"
    assert records[0]["trigger"] == "Shelling" and records[0]["killed"] == 0


def test_event_fields_date_from_front_matter(tmp_path):
    body = "On Thursday, rockets killed at least 3 civilians in Aleppo.\n\nTalks resumed in Hama.\n"
    (tmp_path / "c.md").write_text("---\ntitle: T\ndate: 2016-05-09\n---\n" + body, encoding="utf-8")
    run = geo("parse", tmp_path, "--format", "csv")
    assert run.returncode == 0, run.stderr
    aleppo, hama = csv.DictReader(io.StringIO(run.stdout))
    assert (aleppo["event_date"], aleppo["date_source"], aleppo["date_text"]) == ("2016-05-05", "stated", "Thursday")
    assert (aleppo["killed"], aleppo["casualty_text"]) == ("3", "killed at least 3 civilians")
    assert json.loads(aleppo["casualties"])[0]["qualifier"] == "at least"
    assert (hama["event_type"], hama["event_date"], hama["date_source"]) == ("", "2016-05-09", "publication")


def test_offsets_index_the_file_as_read_with_front_matter(tmp_path):
    body = "Clashes in Hama today.\n"
    text = "---\ntitle: Test Hama article\ndate: 2016-05-11\n---\n" + body
    (tmp_path / "b.md").write_text(text, encoding="utf-8")
    run = geo("parse", tmp_path / "b.md")
    [r] = [json.loads(line) for line in run.stdout.splitlines()]
    assert text[r["start"] : r["end"]] == "Hama"
    assert r["start"] == text.index(body) + body.index("Hama")


def test_csv_and_geojson_formats(tmp_path):
    (tmp_path / "c.txt").write_text("Talks in Moscow about Deraa.", encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(geo("parse", tmp_path, "--format", "csv").stdout)))
    assert [r["text"] for r in rows] == ["Moscow", "Deraa"]
    assert rows[0]["in_syria"] == "False" and rows[1]["in_syria"] == "True"
    data = json.loads(geo("parse", tmp_path, "--format", "geojson").stdout)
    assert data["type"] == "FeatureCollection"
    lon, lat = data["features"][1]["geometry"]["coordinates"]
    assert 32 < lat < 33.5 and 35.5 < lon < 37


def test_unreadable_file_is_reported_and_the_rest_still_parsed(tmp_path):
    (tmp_path / "good.txt").write_text("Fighting in Homs.", encoding="utf-8")
    (tmp_path / "bad.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00 Hama \xff\xfe broken\n")  # an image renamed .txt
    run = geo("parse", tmp_path)
    assert run.returncode == 1
    assert "bad.txt: a binary file" in run.stderr
    assert [json.loads(line)["text"] for line in run.stdout.splitlines()] == ["Homs"]


def test_missing_path_is_reported(tmp_path):
    run = geo("parse", tmp_path / "nope.txt")
    assert run.returncode == 1 and "nope.txt" in run.stderr


def test_parse_the_project_corpus():
    run = geo("parse", "articles")
    assert run.returncode == 0, run.stderr
    articles = {json.loads(line)["article"] for line in run.stdout.splitlines()}
    assert len(articles) == 5


def test_gazetteer_check_exits_0_on_a_sound_gazetteer():
    """The command's exit code and output; that the project's own gazetteer has no problems is
    test_gazetteer_check.py's (in process: the check of 186k names costs 4 s, once is enough)."""
    run = geo("gazetteer", "check", "--gazetteer", ROOT / "tests" / "data" / "gazetteer")
    assert run.returncode == 0, run.stdout + run.stderr


def test_no_events_leaves_the_event_fields_empty(tmp_path):
    (tmp_path / "a.txt").write_text("Air strikes killed 9 people in Idlib.\n", encoding="utf-8")
    (record,) = [json.loads(line) for line in geo("parse", tmp_path, "--no-events").stdout.splitlines()]
    assert (record["text"], record["event_type"], record["killed"]) == ("Idlib", None, None)
    (record,) = [json.loads(line) for line in geo("parse", tmp_path).stdout.splitlines()]
    assert (record["event_type"], record["killed"]) == ("Explosions/Remote violence", 9)


def test_a_broken_lexicon_is_named_with_its_line(tmp_path):
    lex = tmp_path / "lexicons"
    lex.mkdir()
    for f in (ROOT / "lexicons").glob("*.csv"):
        (lex / f.name).write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
    with open(lex / "event_words.csv", "a", encoding="utf-8") as f:
        f.write("brigade,warlord,,\n")
    lines = (lex / "event_words.csv").read_text(encoding="utf-8").count("\n")
    (tmp_path / "a.txt").write_text("Clashes in Hama.\n", encoding="utf-8")
    small = str(ROOT / "tests" / "data" / "gazetteer")  # the lexicon is the point: the small gazetteer is enough
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), GEO_LEXICONS=str(lex), GEO_GAZETTEER=small)
    for args in (["parse", str(tmp_path / "a.txt")], ["gazetteer", "check"]):
        run = subprocess.run([sys.executable, "-m", "geo", *args], capture_output=True, text=True, env=env, timeout=300)
        assert run.returncode == 2, run.stderr
        assert f"event_words.csv:{lines}: unknown role 'warlord'" in run.stdout + run.stderr


def test_the_same_records_cold_warm_and_in_two_processes(tmp_path, monkeypatch):
    """A freshly built index, one read back from the cache, and two worker processes give one output."""
    import pickle

    from geo import gazetteer, output
    from geo.pipeline import parse_paths

    cold = gazetteer.build(ROOT / "gazetteer")
    warm = pickle.loads(pickle.dumps(cold, protocol=pickle.HIGHEST_PROTOCOL))
    folder = tmp_path / "articles"
    shutil.copytree(ROOT / "articles", folder)
    # Qamishli is reached only through a spelling rule (the gazetteer writes Quamishli): its reason says so
    (folder / "variant.txt").write_text("Shelling hit Qamishli and el Kamishli on Monday.\n", encoding="utf-8")

    def records(gaz, jobs=1):
        return [m.record() for r in parse_paths([folder], gaz, jobs=jobs) for m in r.mentions]

    def lines(gaz, jobs=1):  # the output of `geo parse --format jsonl`, made where each article was parsed
        render = functools.partial(output.render_mentions, "jsonl")
        return "".join(r.rendered for r in parse_paths([folder], gaz, jobs=jobs, render=render))

    one = records(cold)
    assert one and records(warm) == one
    assert [r["reason"] for r in one if r["article"] == "variant.txt"] == ["spelling variant of Quamishli"] * 2
    text = lines(cold)
    # the JSON lines made from cached place and event fragments are json.dumps of each record, byte for byte
    assert text == "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in one)
    assert lines(warm) == text and lines(warm, jobs=2) == text

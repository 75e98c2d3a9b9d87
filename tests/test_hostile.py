"""The hostile-input battery of issue 17: each bad file next to good ones, through the real CLI or reader.

Every bad file is named in one line with its problem, the good articles still parse, and no
traceback reaches the user.
"""

from __future__ import annotations

import csv
import gc
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from geo.corpus import importer
from geo.corpus.reader import parse_front_matter, read_article
from geo.pipeline import parse_text

ROOT = Path(__file__).resolve().parent.parent
ENGLISH = "Air strikes hit Aleppo and Idlib on Monday.\n"
ARABIC = "قصف جوي على حلب وإدلب أدى إلى مقتل عشرين شخصا في مدينة حمص.\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4


def geo(*args, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), **(env or {}))
    return subprocess.run(
        [sys.executable, "-m", "geo", *map(str, args)], capture_output=True, text=True, cwd=cwd, env=env, timeout=300
    )


def assert_one_line_each(stderr: str) -> None:
    assert "Traceback" not in stderr
    assert all(line.startswith("geo: ") for line in stderr.splitlines()), stderr


# --- encodings: `geo parse` reads what `geo import` reads -------------------------------------------------


def legacy_files(folder: Path) -> dict[str, bytes]:
    files = {
        "utf16le.txt": ENGLISH.encode("utf-16-le"),
        "utf16be.txt": ARABIC.encode("utf-16-be"),
        "cp1256.txt": ARABIC.encode("cp1256"),
        "good.txt": ENGLISH.encode(),
        "image.txt": PNG,
    }
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return files


def test_parse_reads_utf16_without_bom_and_cp1256_as_import_decodes_them(tmp_path):
    files = legacy_files(tmp_path / "articles")
    run = geo("parse", "articles", "--no-events", cwd=tmp_path)
    found: dict[str, set[str]] = {}
    for line in run.stdout.splitlines():
        record = json.loads(line)
        found.setdefault(record["article"], set()).add(record["name"])
    assert found == {
        "utf16le.txt": {"Aleppo", "Idleb"},
        "utf16be.txt": {"Aleppo", "Idleb", "Homs"},  # وإدلب: "and Idlib"
        "cp1256.txt": {"Aleppo", "Idleb", "Homs"},
        "good.txt": {"Aleppo", "Idleb"},
    }
    assert run.returncode == 1
    assert_one_line_each(run.stderr)
    assert "geo: articles/cp1256.txt: not UTF-8: read as cp1256" in run.stderr
    assert "articles/utf16le.txt: not UTF-8: read as utf-16-le" in run.stderr
    assert "articles/image.txt: a binary file (it holds NUL bytes), not text, skipped" in run.stderr
    for name, data in files.items():  # one decoding for both: the same text, character for character
        if name != "image.txt":
            assert read_article(tmp_path / "articles" / name).text == importer.decode(data, name)


def test_import_of_a_folder_names_each_bad_file_and_imports_the_rest(tmp_path):
    inbox = tmp_path / "inbox"
    legacy_files(inbox)
    (inbox / "sub").mkdir()
    (inbox / "sub" / "scan.pdf").write_bytes(b"%PDF-1.4 not really")
    (inbox / "sub" / "z-last.txt").write_text("Shelling hit Hama.\n", encoding="utf-8")
    run = geo("import", "inbox", "--to", "articles", cwd=tmp_path)
    assert run.returncode == 1
    assert_one_line_each(run.stderr)
    problems = run.stderr.splitlines()[1:]  # after "importing into articles"
    assert len(problems) == 2
    assert problems[0].startswith("geo: inbox/image.txt: a binary file")
    assert problems[1].startswith("geo: inbox/sub/scan.pdf: not a readable PDF")
    added = [line for line in run.stdout.splitlines() if line.startswith("added")]
    assert len(added) == 3  # cp1256 and utf16be are one Arabic text, utf16le and good.txt one English
    assert run.stdout.count("already there") == 2
    assert "(inbox/sub/z-last.txt)" in run.stdout  # files after the bad ones are imported too


def test_the_dashboard_reads_them_too_and_says_so_without_server_paths(tmp_path, gaz):
    from geo.dashboard import explore

    folder = tmp_path / "articles"
    legacy_files(folder)
    corpus = explore.load_corpus(folder, gaz)
    assert sorted(a.name for a in corpus.articles) == ["cp1256.txt", "good.txt", "utf16be.txt", "utf16le.txt"]
    assert corpus.errors == ["image.txt: a binary file (it holds NUL bytes), not text"]
    assert "cp1256.txt: not UTF-8: read as cp1256" in corpus.warnings
    assert not any(str(tmp_path) in line for line in corpus.errors + corpus.warnings)


# --- size: a limit per article, and bounded time on a long line ---------------------------------------------

SMALL_LIMIT = {"GEO_MAX_ARTICLE_MB": "0.01"}  # 10 KB: a big file without writing megabytes


def big_and_good(folder: Path) -> None:
    folder.mkdir()
    (folder / "big.txt").write_text("Shelling hit Aleppo. " * 1000, encoding="utf-8")  # 21 KB
    (folder / "good.txt").write_text("Fighting in Homs.\n", encoding="utf-8")


def test_an_article_over_the_size_limit_is_named_and_skipped_by_the_cli(tmp_path):
    big_and_good(tmp_path / "articles")
    run = geo("parse", "articles", "--no-events", cwd=tmp_path, env=SMALL_LIMIT)
    assert run.returncode == 1
    assert run.stderr == (
        "geo: articles/big.txt: 21,000 bytes, over the limit of 0.01 MB per article (GEO_MAX_ARTICLE_MB), skipped\n"
    )
    assert [json.loads(line)["name"] for line in run.stdout.splitlines()] == ["Homs"]
    imported = geo("import", "articles", "--to", "imported", cwd=tmp_path, env=SMALL_LIMIT)
    assert imported.returncode == 1 and "geo: articles/big.txt: 21,000 bytes, over the limit" in imported.stderr
    assert [p.name for p in (tmp_path / "imported").iterdir()] == ["fighting-in-homs.md"]


def test_an_article_over_the_size_limit_is_named_by_the_dashboard_and_refused_as_an_upload(tmp_path, gaz, monkeypatch):
    from geo.dashboard import explore

    monkeypatch.setenv("GEO_MAX_ARTICLE_MB", "0.01")
    big_and_good(tmp_path / "articles")
    corpus = explore.load_corpus(tmp_path / "articles", gaz)
    assert [a.name for a in corpus.articles] == ["good.txt"]
    assert corpus.errors == ["big.txt: 21,000 bytes, over the limit of 0.01 MB per article (GEO_MAX_ARTICLE_MB)"]
    with pytest.raises(importer.ImportError_, match=r"^upload\.txt: 21,000 bytes, over the limit of 0\.01 MB"):
        importer.read_file("upload.txt", (tmp_path / "articles" / "big.txt").read_bytes())


def test_a_bad_size_limit_is_one_line_naming_the_variable(tmp_path):
    big_and_good(tmp_path / "articles")
    run = geo("parse", "articles", cwd=tmp_path, env={"GEO_MAX_ARTICLE_MB": "lots"})
    assert run.returncode == 2
    assert run.stderr == "geo: GEO_MAX_ARTICLE_MB='lots': give a size in MB greater than 0, e.g. 10\n"


def test_every_setting_is_in_the_readme_table():
    from geo import settings

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for setting in settings.SETTINGS.values():
        assert f"| `{setting.variable}` |" in readme, setting.variable


def test_a_long_line_parses_in_time_proportional_to_its_length(gaz):
    """One line of dated sentences, no newline: parse time was quadratic (1 / 2 / 4 MB took 7.5 / 21.5 / 78 s)."""
    sentence = "On 5 May 2016 air strikes hit Aleppo and Idlib, killing at least 5 people in Hama. "
    cpu = []
    for repeat in (500, 8_000):  # 42 KB and 680 KB
        text = sentence * repeat
        gc.collect()
        gc.disable()  # the collector's pauses grow with everything else the test process holds
        try:
            started = time.process_time()
            mentions = parse_text("line.txt", text, gaz)
            cpu.append(time.process_time() - started)
        finally:
            gc.enable()
        assert len(mentions) == 3 * repeat
    assert cpu[1] < 40 * cpu[0], cpu  # linear: 16x; quadratic: 256x


# --- front matter broken in every way: a one-line warning with its line, and the article still parses ---------

BROKEN_FRONT_MATTER = {
    "malformed.md": ("---\ntitle: Strikes\nno colon here\n---\nShelling hit Hama.\n", "Hama"),
    "keys.md": ("---\ntitle: Strikes\nflavour: vanilla\n---\nShelling hit Homs.\n", "Homs"),
    "huge.md": ("---\ntitle: " + "A" * 1_048_576 + "\n---\nShelling hit Idlib.\n", "Idleb"),
    "date.md": ("---\ndate: 99999-99-99\n---\nShelling hit Aleppo.\n", "Aleppo"),
    "unclosed.md": ("---\ntitle: x\nShelling hit Raqqa.\n", "Ar-Raqqa"),
    "many.md": ("---\n" + "bad line\n" * 10_000 + "---\nShelling hit Daraa.\n", "Dar'a"),
}
FRONT_MATTER_WARNINGS = [
    "date.md: line 2: date '99999-99-99' is not a date (YYYY-MM-DD): the publication date is left out",
    "huge.md: line 2: 'title' is 1,048,576 characters long: cut to 1,000",
    "keys.md: line 3: front matter key 'flavour' is not one of title, author, translator, date, date_note,"
    " date_from, source, url, language, language_note: kept as read",
    "malformed.md: line 3: front matter 'no colon here' is not `key: value`: ignored",
    "many.md: line 2: front matter 'bad line' is not `key: value`: ignored",
    "many.md: line 3: front matter 'bad line' is not `key: value`: ignored",
    "many.md: and 9,998 more front matter problems",
    "unclosed.md: line 1: front matter opened with --- is never closed: all of it read as article text",
]


def broken_front_matter(folder: Path) -> None:
    folder.mkdir()
    for name, (text, _) in BROKEN_FRONT_MATTER.items():
        (folder / name).write_text(text, encoding="utf-8")


YAML_EXPORT = """---
subject: Siege of Homs
description: The siege of Homs was a military confrontation
  between the Syrian Army and the opposition.
tags:
  - |-
    Siege of Homs

    Syrian civil war
  - Homs
date: []
pubDate: "2023-06-24"
place:
  - Homs
---
Shelling hit Homs.
"""


def test_a_yaml_export_is_read_with_one_warning_for_its_keys():
    """Wikipedia and Syrian Archive exports write YAML: lists and folded lines continue their key."""
    meta, body_start, problems = parse_front_matter(YAML_EXPORT)
    assert meta == {
        "subject": "Siege of Homs",
        "description": "The siege of Homs was a military confrontation between the Syrian Army and the opposition.",
        "tags": "Siege of Homs Syrian civil war; Homs",
        "date": "",
        "pubdate": "2023-06-24",
        "place": "Homs",
    }
    assert YAML_EXPORT[body_start:] == "Shelling hit Homs.\n"
    assert problems == (
        "line 2: front matter keys 'subject', 'description', 'tags' and 2 more are not one of title, author,"
        " translator, date, date_note, date_from, source, url, language, language_note: kept as read",
    )


def test_broken_front_matter_is_one_line_per_problem_and_the_article_still_parses(tmp_path):
    broken_front_matter(tmp_path / "articles")
    run = geo("parse", "articles", "--no-events", cwd=tmp_path)
    assert run.returncode == 1
    assert run.stderr.splitlines() == [f"geo: articles/{line}" for line in FRONT_MATTER_WARNINGS]
    found = {(r["article"], r["name"]) for r in map(json.loads, run.stdout.splitlines())}
    assert found == {(name, place) for name, (_, place) in BROKEN_FRONT_MATTER.items()}


def test_the_dashboard_shows_the_same_warnings_and_capped_titles(tmp_path, gaz):
    from geo.dashboard import explore
    from geo.models import TITLE_LIMIT

    broken_front_matter(tmp_path / "articles")
    corpus = explore.load_corpus(tmp_path / "articles", gaz)
    assert corpus.warnings == FRONT_MATTER_WARNINGS and not corpus.errors
    titles = corpus.titles()
    assert len(titles["huge.md"]) == TITLE_LIMIT and titles["huge.md"].endswith("…")
    assert corpus.article("date.md").published is None


def test_an_import_caps_every_value_so_the_file_reads_back_clean(tmp_path):
    article = importer.Imported("Shelling hit Hama.\n", {"title": "T" * 5000, "source": "S " * 3000})
    saved = importer.save(article, tmp_path)
    read = read_article(saved.path)
    assert read.warnings == () and len(read.meta["title"]) == 1000 and 990 < len(read.meta["source"]) <= 1000


# --- names: an upload or import names a file inside articles/, and only there ----------------------------------

HOSTILE_TITLES = [
    "../../etc/passwd",
    "/etc/passwd",
    "C:\\Windows\\system32",
    "a\x00b",
    "CON",
    "nul",
    "Lpt1",
    ".git",
    "..",
]


@pytest.mark.parametrize("title", HOSTILE_TITLES)
def test_a_hostile_title_names_a_plain_file_inside_the_folder(tmp_path, title):
    folder = tmp_path / "articles"
    saved = importer.save(importer.Imported(f"Shelling hit Hama. {title!r}\n", {"title": title}), folder)
    assert saved.added and saved.path.parent == folder and saved.path.exists()
    stem = saved.path.stem
    assert saved.path.suffix == ".md" and stem and set(stem) <= set("abcdefghijklmnopqrstuvwxyz0123456789-_")
    assert stem.split("-")[0] not in importer.WINDOWS_RESERVED or stem.startswith("article-")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["articles"]  # nothing beside the folder


def test_an_upload_named_like_a_path_is_saved_inside_the_folder(tmp_path):
    folder = tmp_path / "articles"
    names = ("../../etc/passwd.txt", "/etc/cron.d/evil.md", "..\\..\\boot.ini.txt", "CON.txt", "NUL", ".git")
    for name in names:  # the name is the upload's; its first line, the title, says the same
        article = importer.read_file(name, f"{name}\nShelling hit Homs.\n".encode())
        assert importer.save(article, folder).path.parent == folder
    assert sorted(p.name for p in folder.iterdir()) == [
        "article-nul.md", "boot-ini-txt.md", "con-txt.md", "etc-cron-d-evil-md.md", "etc-passwd-txt.md", "git.md",
    ]  # fmt: skip
    assert sorted(p.name for p in tmp_path.iterdir()) == ["articles"]


def test_import_of_a_folder_skips_hidden_folders(tmp_path):
    inbox = tmp_path / "inbox"
    (inbox / ".git").mkdir(parents=True)
    (inbox / ".git" / "description.txt").write_text("Unnamed repository in Aleppo.\n", encoding="utf-8")
    (inbox / "news.txt").write_text("Shelling hit Hama.\n", encoding="utf-8")
    assert importer.expand_source(str(inbox)) == [str(inbox / "news.txt")]


def test_a_csv_row_longer_than_csv_s_own_limit_imports_and_a_broken_one_names_its_line(tmp_path, monkeypatch):
    long_text = "Shelling hit Hama. " * 10_000  # 190 KB: over the csv module's 128 KB field limit (a traceback)
    before = csv.field_size_limit(131_072)  # csv's default, as a fresh process has it
    try:
        (rows,) = [list(importer.read_csv("t.csv", f'article_content\n"{long_text}"\n'.encode()))]
        assert rows[0].text == long_text.strip() + "\n"
        monkeypatch.setenv("GEO_MAX_ARTICLE_MB", "0.1")
        csv.field_size_limit(100_000)
        with pytest.raises(importer.ImportError_, match=r"^t\.csv:3: not a CSV row \(field larger than field limit"):
            list(importer.read_csv("t.csv", f'article_content\nshort\n"{long_text}"\n'.encode()))
    finally:
        csv.field_size_limit(before)


def test_a_folder_lists_its_articles_sorted_by_path_parts_without_hidden_or_readme_files(tmp_path):
    """One walk serves the parse, the store's sync and the dashboard's signature: the same files, in order."""
    from geo.corpus.reader import article_files, folder_articles

    names = ("a b/x.txt", "a/x.txt", "a/é.txt", ".git/y.txt", "z/README.md", "z/n.MD", "top.txt", ".h.txt", "a/b.csv")
    for rel in names:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("Aleppo.\n", encoding="utf-8")
    (tmp_path / "linked").symlink_to(tmp_path / "a", target_is_directory=True)  # links to folders are not walked
    assert folder_articles(tmp_path) == ["a/x.txt", "a/é.txt", "a b/x.txt", "top.txt", "z/n.MD"]  # "a" before "a b"
    assert list(article_files([tmp_path])) == [(tmp_path / r, tmp_path) for r in folder_articles(tmp_path)]
    from geo.results import listing  # the store's and the dashboard's walk (os.scandir): the same files

    (tmp_path / "gone.txt").symlink_to(tmp_path / "missing.txt")  # a broken link is listed, its parse says why
    listed = listing.scan(tmp_path)
    assert [f.rel for f in listed] == folder_articles(tmp_path)
    assert [f.size for f in listed if f.rel == "gone.txt"] == [-1]
    assert all(f.size == (tmp_path / f.rel).stat().st_size for f in listed if f.rel != "gone.txt")

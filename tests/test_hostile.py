"""The hostile-input battery of issue 17: each bad file next to good ones, through the real CLI or reader.

Every bad file is named in one line with its problem, the good articles still parse, and no
traceback reaches the user.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from geo.corpus import importer
from geo.corpus.reader import read_article

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
        "utf16be.txt": {"Aleppo", "Homs"},
        "cp1256.txt": {"Aleppo", "Homs"},
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

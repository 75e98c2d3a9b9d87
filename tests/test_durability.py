"""Nothing is lost (issue 17): a writer killed with SIGKILL at a random instant leaves the old file or
the new one, never a torn one, and no lock that blocks the next edit.

Each trial forks a child that writes in a loop and kills it after a random delay, so a hundred
kills take a few seconds; the delays span a whole write, fsync included.
"""

from __future__ import annotations

import os
import random
import signal
import time

import pytest

from geo.corpus import importer
from geo.corpus.reader import read_article
from geo.gazetteer import curation, read_rows
from geo.store import folder_lock, write_text_atomic

TRIALS = 100
pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork to kill writers cheaply")


def kill_during(write, seconds: float) -> None:
    """Run `write(n)` for n = 0, 1, 2... in a forked child and SIGKILL it after `seconds`."""
    pid = os.fork()
    if pid == 0:  # the child: write until killed, never return into pytest
        try:
            for n in range(10**9):
                write(n)
        finally:
            os._exit(0)
    time.sleep(seconds)
    os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status) or os.WEXITSTATUS(status) == 0


def one_write_takes(write) -> float:
    started = time.perf_counter()
    for n in range(5):
        write(n)
    return (time.perf_counter() - started) / 5


def version(n: int) -> str:
    """Seven versions of different lengths, each checkable whole: a torn file is none of them."""
    n %= 7
    return "".join(f"{n},{i},row {i} of version {n}\n" for i in range(200 + 37 * n))


def test_a_killed_atomic_write_leaves_the_old_or_the_new_file(tmp_path):
    target = tmp_path / "aliases.csv"
    write_text_atomic(target, version(0))
    valid = {version(n) for n in range(7)}
    span = 3 * one_write_takes(lambda n: write_text_atomic(target, version(n)))
    rng = random.Random(17)
    for _ in range(TRIALS):
        kill_during(lambda n: write_text_atomic(target, version(n)), rng.uniform(0, span))
        assert target.read_text(encoding="utf-8") in valid
    assert len(list(tmp_path.glob(".*.tmp"))) <= TRIALS  # at most the one a kill interrupted


def test_a_killed_gazetteer_edit_loses_no_confirmed_row_and_leaves_no_lock(tmp_path, gazetteer_copy):
    root = gazetteer_copy
    path = root / "curated" / "not_places.csv"
    done_r, done_w = os.pipe()

    def edit(phrase: str) -> None:
        assert curation.add_not_place(root, phrase)
        os.write(done_w, f"{phrase}\n".encode())  # confirmed: it must survive the kill

    span = 3 * one_write_takes(lambda n: curation.add_not_place(root, f"Warm up {n}"))
    rng = random.Random(17)
    for trial in range(TRIALS):
        kill_during(lambda n, t=trial: edit(f"Phrase {t} {n}"), rng.uniform(0, span))
        rows = {row["phrase"] for _, row in read_rows(path, curation.NOT_PLACE_COLUMNS)}  # parses: not torn
        confirmed = os.read(done_r, 1 << 20).decode().split("\n")[:-1] if _readable(done_r) else []
        assert set(confirmed) <= rows
        with curation.lock(root).acquire(timeout=2):  # no stale lock: the next edit goes through
            pass
    assert curation.add_not_place(root, "After the kills")
    os.close(done_r)
    os.close(done_w)


def test_a_killed_import_leaves_only_complete_articles_and_no_lock(tmp_path):
    folder = tmp_path / "articles"
    body = "Shelling hit Hama and Homs on Monday, activists said. " * 200
    span = 3 * one_write_takes(lambda n: importer.save(importer.Imported(f"{n} warm {body}\n", {}), folder))
    rng = random.Random(17)
    for trial in range(TRIALS):
        kill_during(
            lambda n, t=trial: importer.save(importer.Imported(f"{t}-{n} {body}\n"), folder), rng.uniform(0, span)
        )
        with folder_lock(folder, timeout=2):
            pass
    articles = list(folder.glob("*.md"))
    assert len(articles) >= 5  # the warm-up's, and those saved before their kill
    for path in articles:
        assert read_article(path).text.endswith(body + "\n")


def _readable(fd: int) -> bool:
    import select

    return bool(select.select([fd], [], [], 0)[0])

"""Kill writers with SIGKILL at random instants, and say what each kill left (for tests/test_durability.py).

Run in a fresh, small process (`python kill_writers.py MODE FOLDER TRIALS`): forking it costs about a
millisecond, where forking a test process that holds the gazetteer costs 20. Each trial forks a child
that writes in a loop, kills it after a random delay spanning a few writes, and prints one JSON line
of what is on disk then; the test decides whether that is the old or the new state.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path

from geo.corpus import importer
from geo.corpus.reader import read_article
from geo.errors import ArticleError
from geo.gazetteer import curation, read_rows
from geo.store import folder_lock, write_text_atomic


def version(n: int) -> str:
    """Seven versions of different lengths, each checkable whole: a torn file is none of them."""
    n %= 7
    return "".join(f"{n},{i},row {i} of version {n}\n" for i in range(200 + 37 * n))


def kill_during(write: Callable[[int], None], seconds: float) -> None:
    """Run `write(n)` for n = 0, 1, 2... in a forked child and SIGKILL it after `seconds`."""
    pid = os.fork()
    if pid == 0:
        try:
            for n in range(10**9):
                write(n)
        finally:
            os._exit(0)
    time.sleep(seconds)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)


def one_write_takes(write: Callable[[int], None]) -> float:
    started = time.perf_counter()
    for n in range(5):
        write(n)
    return (time.perf_counter() - started) / 5


def lock_free(lock) -> bool:
    try:
        with lock:
            return True
    except TimeoutError:
        return False


def atomic(folder: Path, trial: int) -> tuple[Callable[[int], None], Callable[[], dict]]:
    target = folder / "aliases.csv"
    return (lambda n: write_text_atomic(target, version(n))), lambda: {"text": target.read_text(encoding="utf-8")}


def gazetteer_edit(folder: Path, trial: int) -> tuple[Callable[[int], None], Callable[[], dict]]:
    path = folder / "curated" / "not_places.csv"
    done = folder / f"confirmed-{trial}.txt"

    def edit(n: int) -> None:
        phrase = f"Phrase {trial} {n}" if trial >= 0 else f"Warm up {n}"
        if curation.add_not_place(folder, phrase):  # False: already there, which would hide a loss
            with open(done, "a", encoding="utf-8") as f:  # confirmed: it must survive the kill
                f.write(f"{phrase}\n")

    def seen() -> dict:
        try:
            rows = [row["phrase"] for _, row in read_rows(path, curation.NOT_PLACE_COLUMNS)]
        except ValueError as e:  # a torn CSV: GazetteerError
            return {"error": str(e)}
        confirmed = done.read_text(encoding="utf-8").splitlines() if done.exists() else []
        return {"rows": rows, "confirmed": confirmed, "lock_free": lock_free(curation.lock(folder).acquire(timeout=2))}

    return edit, seen


def article_import(folder: Path, trial: int) -> tuple[Callable[[int], None], Callable[[], dict]]:
    articles = folder / "articles"
    body = "Shelling hit Hama and Homs on Monday, activists said. " * 200

    def complete(path: Path) -> bool:
        try:
            return read_article(path).text.endswith(body + "\n")
        except ArticleError:  # a torn file can be empty
            return False

    def seen() -> dict:
        paths = sorted(articles.glob("*.md"))
        return {"complete": all(map(complete, paths)), "articles": len(paths),
                "lock_free": lock_free(folder_lock(articles, timeout=2))}  # fmt: skip

    return (lambda n: importer.save(importer.Imported(f"{trial}-{n} {body}\n"), articles)), seen


MODES = {"atomic": atomic, "gazetteer": gazetteer_edit, "import": article_import}


def main(mode: str, folder: str, trials: int) -> None:
    rng = random.Random(17)
    warm_write, _ = MODES[mode](Path(folder), -1)
    span = 3 * one_write_takes(warm_write)
    for trial in range(trials):
        write, seen = MODES[mode](Path(folder), trial)
        kill_during(write, rng.uniform(0, span))
        print(json.dumps(seen()), flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))

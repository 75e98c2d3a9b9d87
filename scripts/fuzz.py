"""Fuzz the readers of hostile input for a time budget: the article reader (bytes on disk -> Article ->
mentions), the front-matter parser and the CSV importer.

Inputs are good seeds (articles, front matter, a FA-KES-like table) mutated at random: bytes flipped,
inserted, deleted and repeated, and tokens that break formats spliced in (`---`, `:`, quotes, NUL,
BOMs, line ends, bidi and combining characters, UTF-16 halves). A failure is any exception other
than the one-line error each reader promises (ArticleError, ImportError_), a message of more than
one line, or a mention whose offsets do not index the text. Each failure is printed in one line and
its input saved under --out, to be turned into a regression test (tests/test_fuzz_regressions.py).

Run: python scripts/fuzz.py [--seconds 120] [--seed 1] [--out fuzz-failures/]
Needs nothing from ../shared. Exit code 1 when a failure was found.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from geo import gazetteer  # noqa: E402
from geo.corpus import importer  # noqa: E402
from geo.corpus.reader import parse_front_matter, read_article  # noqa: E402
from geo.errors import ArticleError, ImportError_  # noqa: E402
from geo.events import lexicon  # noqa: E402
from geo.pipeline import parse_text  # noqa: E402

ARTICLE_SEEDS = [
    "---\ntitle: Strikes on Aleppo\ndate: 2016-05-05\nsource: SANA\n---\n"
    "On 5 May 2016 air strikes hit Aleppo’s eastern districts, killing at least 20 people in Idlib.\n",
    "Shelling hit Hama and Homs on Monday. Clashes in Deir ez-Zor and Kafr Nabl left 3 dead.\n",
    "قصف جوي على حلب وإدلب أدى إلى مقتل عشرين شخصا في مدينة حمص.\n",
    "---\ntitle: x\n---\n# Heading\n\nProtests in Sweida and Daraa, 12 March 2011.\n",
]
CSV_SEED = (
    "article_title,article_content,source,date\n"
    '"Strikes on Aleppo","Air strikes hit Aleppo, killing 5.",SANA,5/5/2016\n'
    'Clashes,"Rebels and the army clashed in Hama ""today"".",Reuters,5/6/2016\n'
)
TOKENS = [
    b"---\n", b"---", b":", b": ", b"\n", b"\r\n", b"\r", b'"', b'""', b",", b"\x00", b"\xef\xbb\xbf", b"\xff\xfe",
    b"\xfe\xff", b"\xff", b"\xc3", b"\xe2\x80\xae", b"\xcc\x81", b"\xe2\x80\x8d", b"date: ", b"title: ",
    b"99999-99-99", b"\t", b"\\", b"#", b"- ", "ʿ".encode(), "حلب".encode(), b"Aleppo", b"\x1a", b"\x85",
    "\u2028".encode(), b"A\x00l\x00e\x00p\x00", b"\xd8\x00", b"%PDF", b"PK\x03\x04",
]  # fmt: skip


def mutate(data: bytes, rng: random.Random) -> bytes:
    """A few random edits of `data`: the kinds that break encodings and formats."""
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        at = rng.randint(0, len(out))
        kind = rng.random()
        if kind < 0.35:
            out[at:at] = rng.choice(TOKENS)
        elif kind < 0.5 and out:
            out[min(at, len(out) - 1)] ^= 1 << rng.randint(0, 7)
        elif kind < 0.65:
            out[at:at] = bytes(rng.randint(0, 255) for _ in range(rng.randint(1, 16)))
        elif kind < 0.8:
            del out[at : at + rng.randint(1, 32)]
        elif kind < 0.9:
            piece = bytes(out[at : at + rng.randint(1, 64)])
            out[at:at] = piece * rng.randint(2, 50)
        else:
            out = out[:at]
    return bytes(out)


class Failure(Exception):
    """Not the one-line error a reader promises."""


def one_line(error: BaseException) -> None:
    if "\n" in str(error) or "\r" in str(error):
        raise Failure(f"a message of more than one line: {str(error)[:200]!r}")


def check_article(data: bytes, folder: Path, gaz, lex) -> None:
    path = folder / "fuzz.txt"
    path.write_bytes(data)
    try:
        article = read_article(path, folder)
    except ArticleError as e:
        one_line(e)
        return
    for warning in article.warnings:
        if "\n" in warning:
            raise Failure(f"a warning of more than one line: {warning[:200]!r}")
    text = article.text
    for m in parse_text(article.name, text, gaz, article.body_start, article.published, lex):
        if not (0 <= m.start < m.end <= len(text)) or text[m.start : m.end] != m.text:
            raise Failure(f"mention offsets {m.start}:{m.end} do not index the text ({m.text!r})")
        if text[m.excerpt_start : m.excerpt_start + len(m.excerpt)] != m.excerpt:
            raise Failure(f"excerpt at {m.excerpt_start} is not the text there")


def check_front_matter(data: bytes) -> None:
    text = data.decode("utf-8", errors="replace")
    meta, body_start, problems = parse_front_matter(text)
    if not 0 <= body_start <= len(text):
        raise Failure(f"body_start {body_start} outside the text")
    for problem in problems:
        if "\n" in problem or "\r" in problem:
            raise Failure(f"a front matter problem of more than one line: {problem[:200]!r}")


def check_csv(data: bytes) -> None:
    try:
        for article in importer.read_csv("fuzz.csv", data):
            importer.file_name(article)  # every row must name a file
            importer.front_matter(article.meta)
    except ImportError_ as e:
        one_line(e)


def run(seconds: float, seed: int, out: Path) -> int:
    rng = random.Random(seed)
    gaz = gazetteer.load()
    lex = lexicon.load()
    seeds = [s.encode() for s in ARTICLE_SEEDS]
    encoded = [s.encode(enc) for s in ARTICLE_SEEDS[1:3] for enc in ("utf-16-le", "utf-16", "cp1256", "utf-8-sig")]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        targets: list[tuple[str, Callable[[bytes], None], list[bytes]]] = [
            ("article", lambda d: check_article(d, folder, gaz, lex), seeds + [e for e in encoded if e]),
            ("front-matter", check_front_matter, seeds),
            ("csv", check_csv, [CSV_SEED.encode(), CSV_SEED.encode("utf-16"), CSV_SEED.encode("cp1252")]),
        ]
        counts = dict.fromkeys((name for name, _, _ in targets), 0)
        failures: dict[str, str] = {}
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            name, check, pool = targets[rng.randrange(len(targets))]
            data = mutate(rng.choice(pool), rng)
            counts[name] += 1
            try:
                check(data)
            except Exception as e:  # noqa: BLE001 (any other exception is what the fuzzer is looking for)
                where = traceback.extract_tb(e.__traceback__)[-1]
                key = f"{name}: {type(e).__name__} at {Path(where.filename).name}:{where.lineno}"
                if key not in failures:
                    failures[key] = _save(out, name, data)
                    print(f"{key}: {str(e)[:160]!r} (input: {failures[key]})", flush=True)
                if len(data) < 4000:
                    pool.append(data)  # a failing input is a good seed for more
            else:
                if rng.random() < 0.05 and len(data) < 20_000:
                    pool.append(data)  # keep some survivors: mutations compound
    total = sum(counts.values())
    runs = ", ".join(f"{n} {name}" for name, n in counts.items())
    print(f"fuzz: {total:,} inputs in {seconds:g} s ({runs}), seed {seed}: {len(failures)} distinct failure(s)")
    return 1 if failures else 0


def _save(out: Path, name: str, data: bytes) -> str:
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}-{hashlib.sha256(data).hexdigest()[:12]}.bin"
    path.write_bytes(data)
    return os.path.relpath(path)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=120, help="time budget (default: 120)")
    ap.add_argument("--seed", type=int, default=1, help="random seed: the same seed, the same inputs (default: 1)")
    ap.add_argument("--out", type=Path, default=Path("fuzz-failures"), help="folder for failing inputs")
    args = ap.parse_args()
    return run(args.seconds, args.seed, args.out)


if __name__ == "__main__":
    sys.exit(main())

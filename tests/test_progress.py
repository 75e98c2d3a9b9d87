"""Progress bars (issue 16): on stderr when it is a terminal, counts reaching the total; never in the output."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

from helpers import run_geo

from geo import cli, progress

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "articles"


def run_on_terminal(*args: str | Path, cwd: Path) -> tuple[str, str]:
    """`python -m geo ARGS` with stderr on a pseudo-terminal (what a person sees) and stdout on a pipe."""
    main, side = pty.openpty()
    fcntl.ioctl(side, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a new pty is 0 columns wide
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    stdout = cwd / "stdout.txt"  # a file, not a pipe: a full pipe nobody reads would block the child
    with open(stdout, "wb") as sink:
        run = subprocess.Popen(
            [sys.executable, "-m", "geo", *map(str, args)], stdout=sink, stderr=side, cwd=cwd, env=env
        )
    os.close(side)
    seen = b""
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    run.wait(timeout=300)
    os.close(main)
    assert run.returncode == 0, seen
    return stdout.read_text(encoding="utf-8"), seen.decode(errors="replace")


def test_parse_shows_its_count_reaching_the_total_on_a_terminal_and_the_output_is_unchanged(tmp_path):
    out, seen = run_on_terminal("parse", SEED, "--format", "jsonl", cwd=tmp_path)
    assert "5/5" in seen and "article" in seen
    plain = run_geo("parse", SEED, "--format", "jsonl")  # stderr a pipe: no bar
    assert plain.returncode == 0 and plain.stderr == ""
    assert plain.stdout == out


def test_events_bar_and_quiet(tmp_path):
    out, seen = run_on_terminal("events", SEED, "-o", tmp_path / "a.csv", cwd=tmp_path)
    assert "5/5" in seen
    out, seen = run_on_terminal("events", SEED, "-o", tmp_path / "b.csv", "--quiet", cwd=tmp_path)
    assert seen == "" and out == ""
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


def test_import_counts_every_row_of_a_table(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(progress, "wanted", lambda quiet, records_to_terminal=False: not quiet)
    table = tmp_path / "t.csv"
    rows = "".join(f'"Shelling hit Idlib, number {i}.",2016-05-0{i}\n' for i in range(1, 4))
    table.write_text("article_content,date\n" + rows, encoding="utf-8")
    assert cli.main(["import", str(table), "--to", str(tmp_path / "in")]) == cli.EXIT_OK
    captured = capsys.readouterr()
    assert "3/3" in captured.err
    assert captured.out.count("added ") == 3 and "3/3" not in captured.out
    assert cli.main(["import", str(table), "--to", str(tmp_path / "in"), "--quiet"]) == cli.EXIT_OK
    assert "/3" not in capsys.readouterr().err


def test_a_stream_that_is_not_a_terminal_gets_no_bar(capsys):
    assert not progress.wanted(quiet=False)  # pytest's captured stderr is no terminal
    assert not progress.is_terminal(open(os.devnull, "w"))  # noqa: SIM115

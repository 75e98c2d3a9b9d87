"""Every failure `scripts/fuzz.py` found, as the smallest input that showed it (issue 17).

Each test is named after what broke; the fuzzer's own input is in the docstring's words.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from geo.pipeline import parse_text

ROOT = Path(__file__).resolve().parent.parent


def test_a_superscript_digit_as_a_toll_is_no_number(gaz):
    """fuzz: ValueError at casualties.py: "could not convert string to float: '²'" ("²".isdigit() is True)."""
    text = "Air strikes hit Aleppo, killing ² people."
    (m,) = parse_text("x.txt", text, gaz)
    assert m.place.name == "Aleppo" and m.event is not None


def test_the_fuzz_script_runs_on_its_budget_and_finds_nothing(tmp_path, capsys):
    sys.path.insert(0, str(ROOT / "scripts"))
    import fuzz

    assert fuzz.run(seconds=1, seed=1, out=tmp_path / "failures") == 0
    summary = (
        r"fuzz: [\d,]+ inputs in 1 s \(\d+ article, \d+ front-matter, \d+ csv\), seed 1: 0 distinct failure\(s\)\n"
    )
    assert re.fullmatch(summary, capsys.readouterr().out)
    assert not (tmp_path / "failures").exists()

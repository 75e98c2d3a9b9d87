"""The event step's particles, units and windows are data (lexicons/): checked with file:line, and read."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from pathlib import Path

import pytest

from geo.events import casualties, lexicon
from geo.gazetteer.check import check_lexicon
from geo.pipeline import parse_text


@pytest.fixture()
def lexicon_copy(tmp_path) -> Path:
    """The word lists in a folder of their own (no learned coder: the rules alone)."""
    for path in lexicon.default_root().glob("*.csv"):
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


def replace_line(path: Path, start: str, new: str) -> int:
    """Replace the line starting with `start`; its line number."""
    lines = path.read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines, start=1) if line.startswith(start))
    lines[number - 1] = new
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return number


def append_line(path: Path, row: str) -> int:
    with open(path, "a", encoding="utf-8") as f:
        f.write(row + "\n")
    return path.read_text(encoding="utf-8").count("\n")


def test_the_vocabulary_has_a_field_for_every_role_and_setting(lexicon_copy):
    fields = {f.name for f in dataclasses.fields(lexicon.Vocabulary)}
    assert fields == set(lexicon.PARTICLE_ROLES) | set(lexicon.SETTINGS)
    vocab = lexicon.build(lexicon_copy).vocab
    assert all(getattr(vocab, role) for role in lexicon.PARTICLE_ROLES)  # no role left empty in lexicons/


def test_a_setting_that_is_not_a_number_is_named_with_its_file_and_line(lexicon_copy):
    path = lexicon_copy / "event_settings.csv"
    line = replace_line(path, "passive_reach,", "passive_reach,ten,")
    assert [str(p) for p in check_lexicon(lexicon_copy)] == [
        f"{path}:{line}: setting passive_reach needs a whole number in 'value', not 'ten'"
    ]


def test_an_unknown_or_repeated_setting_is_named_with_its_file_and_line(lexicon_copy):
    path = lexicon_copy / "event_settings.csv"
    line = append_line(path, "speed_limit,3,")
    (problem,) = check_lexicon(lexicon_copy)
    assert (problem.line, problem.message.split(" (")[0]) == (line, "unknown setting 'speed_limit'")
    replace_line(path, "speed_limit,", "carry_chars,200,")
    (problem,) = check_lexicon(lexicon_copy)
    assert (problem.line, problem.message) == (line, "setting 'carry_chars' is set twice")


def test_a_setting_left_out_is_reported(lexicon_copy):
    path = lexicon_copy / "event_settings.csv"
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("carry_chars,")]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert [str(p) for p in check_lexicon(lexicon_copy)] == [f"{path}: missing setting(s) carry_chars"]


@pytest.mark.parametrize(
    "row, message",
    [
        ("Km.,distance_unit,,", "role distance_unit is read in folded text: write 'km.' as 'km'"),
        ("ab,sign_before,,", "role sign_before needs one sign (such as % or $), not 'ab'"),
        ("12,casualty_aux,,", "role casualty_aux needs words, not '12'"),
    ],
)
def test_a_bad_particle_is_named_with_its_file_and_line(lexicon_copy, row, message):
    path = lexicon_copy / "event_words.csv"
    line = append_line(path, row)
    assert [str(p) for p in check_lexicon(lexicon_copy)] == [f"{path}:{line}: {message}"]


def figures(sentence: str, root: Path) -> list[tuple[str, int | None]]:
    return [(c.kind, c.figure) for c in casualties.find_casualties(sentence, 0, lexicon.build(root))]


def test_the_casualty_rules_read_their_particles_from_the_lexicon(lexicon_copy):
    sentence = "55 people were reportedly killed."
    assert figures(sentence, lexicon_copy) == [("killed", 55)]
    replace_line(lexicon_copy / "event_words.csv", "reportedly,casualty_aux,", "allegedly,casualty_aux,,")
    assert figures(sentence, lexicon_copy) == []  # "reportedly" no longer bridges figure and verb


def test_the_casualty_rules_read_their_windows_from_the_lexicon(lexicon_copy):
    sentence = "Seven militants from the Nusra Front group were killed."
    assert figures(sentence, lexicon_copy) == [("killed", 7)]
    replace_line(lexicon_copy / "event_settings.csv", "passive_reach,", "passive_reach,3,")
    assert figures(sentence, lexicon_copy) == []  # "were killed" is now too far from the figure


def test_the_reference_point_rule_reads_its_units_from_the_lexicon(gaz, lexicon_copy):
    def event_type() -> str | None:
        text = "Mortars hit a school 60 km from Damascus."
        (mention,) = parse_text("t.txt", text, gaz, 0, dt.date(2016, 5, 11), lexicon.build(lexicon_copy))
        assert mention.event is not None
        return mention.event.event_type

    assert event_type() is None  # Damascus is a reference point, not where the mortars hit
    replace_line(lexicon_copy / "event_words.csv", "km,distance_unit,", "kilo,distance_unit,,")
    assert event_type() == "Explosions/Remote violence"

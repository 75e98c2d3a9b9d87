"""`geo gazetteer check` on deliberately broken copies of the real gazetteer."""

import re
import shutil
from pathlib import Path

import pytest

from geo import gazetteer
from geo.errors import GazetteerError
from geo.gazetteer.check import check

ROOT = Path(__file__).resolve().parent.parent
HEADER = "id,name,name_ar,kind,lat,lon,governorate,parent,population,source\n"


@pytest.fixture()
def broken(tmp_path):
    """A copy of the gazetteer whose curated files get the rows a test appends."""
    root = tmp_path / "gazetteer"
    shutil.copytree(ROOT / "gazetteer", root)
    return root


def append(path: Path, text: str) -> int:
    """Append rows; returns the line number of the first appended row."""
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(lines) + "\n" + text, encoding="utf-8")
    return len(lines) + 1


def test_each_broken_row_is_reported_as_file_line_with_a_fix(broken):
    places = broken / "curated" / "places.csv"
    first = append(
        places,
        "\n".join(
            [
                "cur:swapped,Swapped Town,,town,36.6,35.1,Idleb,ocha:SY07,,test",  # lat/lon swapped
                "cur:abroad,Nicosia Wrong,,town,35.17,33.36,Idleb,ocha:SY07,,test",  # Syrian place in Cyprus
                "cur:swapped,Twice,,town,35.9,36.6,Idleb,ocha:SY07,,test",  # duplicate id
                "cur:orphan,Orphan,,village,35.9,36.6,Idleb,ocha:NOPE,,test",  # unknown parent
                "cur:badlat,Bad Lat,,village,135.9,36.6,Idleb,,,test",  # out of range
            ]
        )
        + "\n",
    )
    alias_line = append(broken / "curated" / "aliases.csv", "gn:168572,house,test\n")
    found = {(Path(p.path).name, p.line): p.message for p in check(broken)}
    assert "swapped" in found[("places.csv", first)]
    assert "outside Syria" in found[("places.csv", first + 1)]
    assert "duplicate id cur:swapped" in found[("places.csv", first + 2)]
    assert "unknown parent 'ocha:NOPE'" in found[("places.csv", first + 3)]
    assert "out of range" in found[("places.csv", first + 4)]
    assert "common English word" in found[("aliases.csv", alias_line)]


def test_unknown_alias_place_is_reported(broken):
    line = append(broken / "curated" / "aliases.csv", "cur:does-not-exist,Nowhere,test\n")
    messages = [str(p) for p in check(broken)]
    assert any(f"aliases.csv:{line}:" in m and "cur:does-not-exist" in m for m in messages)


def test_missing_column_stops_loading_with_file_and_line(broken):
    (broken / "curated" / "places.csv").write_text("id,name\ncur:x,X\n", encoding="utf-8")
    with pytest.raises(GazetteerError, match=r"curated/places.csv:1: missing column"):
        gazetteer.build(broken)


def test_bad_coordinate_stops_loading_with_file_and_line(broken):
    line = append(broken / "curated" / "places.csv", "cur:x,X,,village,north,36.6,Idleb,,,test\n")
    with pytest.raises(GazetteerError, match=rf"places.csv:{line}: .*not numbers"):
        gazetteer.build(broken)


def test_project_gazetteer_has_no_problems():
    assert check(ROOT / "gazetteer") == []


@pytest.mark.parametrize(
    "damage, line, message",
    [
        (b"cur:jobar,Jo\xff\xfebar,bytes\n", 3, "not UTF-8 text"),
        (b"cur:jobar,Jo\x00bar,a NUL\n", 3, "control character U+0000 in alias"),
        (b'cur:jobar,"Jobar,an open quote\ncur:jobar,Jubar,next\n', 3, "quote opened on this line is not closed"),
    ],
)
def test_a_broken_aliases_file_is_named_with_its_line(gazetteer_copy, damage, line, message):
    path = gazetteer_copy / "curated" / "aliases.csv"
    path.write_bytes(b"place_id,alias,note\ncur:jobar,Jobar,fine\n" + damage)
    problems = [str(p) for p in check(gazetteer_copy)]
    assert any(f"curated/aliases.csv:{line}:" in p and message in p for p in problems), problems
    with pytest.raises(GazetteerError, match=rf"aliases.csv:{line}: .*{re.escape(message)}"):
        gazetteer.build(gazetteer_copy)


def test_a_place_cue_with_an_unknown_role_is_named(tmp_path):
    from geo.events import lexicon
    from geo.gazetteer.check import check_lexicon

    for name in ("event_triggers.csv", "event_words.csv", "event_settings.csv", "place_cues.csv"):
        shutil.copy(lexicon.default_root() / name, tmp_path / name)
    with open(tmp_path / "place_cues.csv", "a", encoding="utf-8") as f:
        f.write("ambushed,beside,\n")
    lines = (tmp_path / "place_cues.csv").read_text(encoding="utf-8").count("\n")
    assert [str(p) for p in check_lexicon(tmp_path)] == [
        f"{tmp_path / 'place_cues.csv'}:{lines}: role 'beside' is not one of before, after, prefix"
    ]


def test_prominence_scores_are_checked(gazetteer_copy):
    line = append(gazetteer_copy / "prominence.csv", "gn:170063,famous,city\ncur:gone,10,village\n")
    found = {(Path(p.path).name, p.line): p.message for p in check(gazetteer_copy)}
    assert "a whole number from 0 to 200" in found[("prominence.csv", line)]
    assert "unknown place 'cur:gone'" in found[("prominence.csv", line + 1)]


def test_a_broken_edit_leaves_the_last_good_index_to_serve(gazetteer_copy):
    good = gazetteer.load(gazetteer_copy)
    append(gazetteer_copy / "curated" / "places.csv", "cur:broken,Broken,,village,not-a-number,36.6,Idleb,,,test\n")
    with pytest.raises(GazetteerError):
        gazetteer.load(gazetteer_copy)
    served = gazetteer.last_good(gazetteer_copy)
    assert served is not None and len(served.places) == len(good.places)
    assert gazetteer.last_good(gazetteer_copy.parent / "elsewhere") is None

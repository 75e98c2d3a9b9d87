"""The dashboard's folder signature (results/listing.py FolderCheck): a large folder is not walked on every
rerun, and every way geo or a person changes it is still seen."""

from __future__ import annotations

import os
import time

from hypothesis import given
from hypothesis import strategies as st

from geo.corpus import reader
from geo.results import listing

OLD = time.time_ns() - 3600 * 10**9  # an hour ago: older than any walk's racy window


def _by_splitext(name: str) -> bool:
    """The rule as it was written before (os.path.splitext): what reader.is_article_name must still answer."""
    return (
        not name.startswith(".")
        and os.path.splitext(name)[1].lower() in reader.ARTICLE_SUFFIXES
        and name.lower() not in reader.NOT_ARTICLES
    )


@given(st.text(alphabet=st.sampled_from("aAmMdDtTxX._ R-é"), max_size=12))
def test_the_article_test_gives_the_splitext_rules_answer(name):
    assert reader.is_article_name(name) == _by_splitext(name)


def test_names_at_the_edges_get_the_splitext_rules_answer():
    for name in ("a.md", "A.MD", "x.txt", "x..txt", ".md", ".x.txt", "README.md", "readme.MD", "a.md.bak", "a .md"):
        assert reader.is_article_name(name) == _by_splitext(name), name


def _folder(tmp_path, n: int = 3):
    for i in range(n):
        (tmp_path / f"a{i}.txt").write_text("Aleppo.\n", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.md").write_text("Homs.\n", encoding="utf-8")
    _age(tmp_path)
    return tmp_path


def _age(folder):
    """Set every folder's time an hour back, as if nothing had changed for a while."""
    for d in (folder, folder / "sub"):
        os.utime(d, ns=(OLD, OLD))


def test_a_large_folder_unchanged_is_not_walked_again(tmp_path):
    check = listing.FolderCheck(str(_folder(tmp_path)), quick_from=1)
    first = check.signature()
    assert check.signature() == first and check.walks == 1
    assert first == listing.signature(listing.scan(tmp_path))


def test_adding_removing_or_renaming_into_place_is_seen_at_once(tmp_path):
    check = listing.FolderCheck(str(_folder(tmp_path)), quick_from=1)
    seen = {check.signature()}
    (tmp_path / "sub" / "new.md").write_text("Idlib.\n", encoding="utf-8")  # in a subfolder
    seen.add(check.signature())
    _age(tmp_path)
    (tmp_path / "a0.txt").unlink()
    seen.add(check.signature())
    _age(tmp_path)
    (tmp_path / ".a1.txt.tmp").write_text("Daraa.\n", encoding="utf-8")  # geo's atomic write: a rename
    _age(tmp_path)
    check.signature()
    os.replace(tmp_path / ".a1.txt.tmp", tmp_path / "a1.txt")
    seen.add(check.signature())
    assert len(seen) == 4
    assert check.signature() == listing.signature(listing.scan(tmp_path))


def test_a_folder_changed_just_before_the_walk_is_walked_again(tmp_path):
    check = listing.FolderCheck(str(_folder(tmp_path)), quick_from=1)
    (tmp_path / "a9.txt").write_text("Raqqa.\n", encoding="utf-8")  # the folder's time is now: not trusted
    check.signature()
    check.signature()
    assert check.walks == 2


def test_an_edit_in_place_is_seen_by_the_next_recheck(tmp_path):
    check = listing.FolderCheck(str(_folder(tmp_path)), quick_from=1, recheck_seconds=0.2)
    first = check.signature()
    with open(tmp_path / "a2.txt", "a", encoding="utf-8") as f:  # the folder's time does not change
        f.write("Deir ez-Zor.\n")
    assert check.signature() == first  # not yet: the price of not stat'ing every file on every rerun
    time.sleep(0.3)
    assert check.signature() != first


def test_a_small_folder_is_walked_on_every_call(tmp_path):
    check = listing.FolderCheck(str(_folder(tmp_path)))  # 4 files, under QUICK_FROM_FILES
    first = check.signature()
    with open(tmp_path / "a2.txt", "a", encoding="utf-8") as f:
        f.write("Deir ez-Zor.\n")
    assert check.signature() != first and check.walks == 2

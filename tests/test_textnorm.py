from hypothesis import given
from hypothesis import strategies as st

from geo.text.normalise import alias_key, normalise


@given(st.text())
def test_normalise_keeps_length_so_offsets_stay_valid(text):
    assert len(normalise(text)) == len(text)


def test_diacritics_and_case_fold():
    assert normalise("Ḥamāh") == "hamah"
    assert normalise("KHĀN SHAYKHŪN") == "khan shaykhun"


def test_every_apostrophe_and_ayn_becomes_one_apostrophe():
    for mark in "'’‘`ʿʾ":
        assert normalise(f"Ma{mark}arrat") == "ma'arrat"


def test_possessive_becomes_a_word_boundary():
    assert normalise("Aleppo’s") == "aleppo s"
    assert normalise("Hama's") == "hama s"


def test_hyphen_and_space_are_the_same():
    assert alias_key("al-Numaan") == alias_key("al Numaan") == alias_key("Al-Numaan")


def test_arabic_letter_variants_fold():
    assert normalise("إدلب") == normalise("ادلب")

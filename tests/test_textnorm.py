import re

from hypothesis import given, settings
from hypothesis import strategies as st

from geo.text.normalise import FOLD_TABLE, alias_key, normalise


@given(st.text())
def test_normalise_keeps_length_so_offsets_stay_valid(text):
    assert len(normalise(text)) == len(text)


# Text as articles mix it: ASCII, Latin with accents, Arabic, flags and emoji, lone surrogates, apostrophes.
MIXED = st.text(
    alphabet=st.one_of(
        st.characters(max_codepoint=0x24F),
        st.characters(min_codepoint=0x600, max_codepoint=0x6FF),
        st.characters(min_codepoint=0x1E00, max_codepoint=0x2070),
        st.sampled_from(["\U0001f1f8", "\U0001f642", "\ud800", "\udc00", "\ufffd", "ŉ", "\u0374", "’", "s"]),
    )
)


@settings(max_examples=400)
@given(MIXED)
def test_normalise_is_the_fold_table_character_by_character(text):
    """The fast paths (ASCII bytes; UTF-8 bytes beside Arabic or a flag) fold as the table does, one
    character at a time, and a possessive 's becomes " s"."""
    folded = "".join(FOLD_TABLE.get(ord(ch), ch) for ch in text)
    assert normalise(text) == re.sub(r"'(?=s(?![^\W_]))", " ", folded)


def test_the_fold_table_folds_in_one_step():
    assert all(FOLD_TABLE.get(ord(folded), folded) == folded for folded in FOLD_TABLE.values())
    assert normalise("ŉ") == "'"  # ŉ -> ʼ (an apostrophe-like) -> '


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

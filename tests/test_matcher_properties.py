"""Properties of the matcher (Hypothesis), against the real gazetteer."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.places.matcher import find_matches
from geo.text.normalise import alias_key

WORDS = st.sampled_from(
    "the in of near Aleppo Hama Hamas al- Idlib province village Deir ez Zor Tal Abyad , . ’s ' "
    "shelled town Kafr Nabl Damascus East Maaret Numaan Syria".split()
)
TEXT = st.lists(st.one_of(WORDS, st.text(max_size=6)), max_size=30).map(" ".join)
settings.register_profile("geo", suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
settings.load_profile("geo")


@given(TEXT)
def test_mentions_never_overlap_and_stay_in_bounds(gaz, text):
    matches = find_matches(text, gaz)
    for m in matches:
        assert 0 <= m.start < m.end <= len(text)
    for a, b in zip(matches, matches[1:], strict=False):
        assert a.end <= b.start


@given(TEXT)
def test_normalised_mention_is_a_known_alias(gaz, text):
    for m in find_matches(text, gaz):
        assert alias_key(text[m.start : m.end]) == m.entry.key
        assert gaz.entry_for(text[m.start : m.end]) is m.entry


NAMES = st.sampled_from(
    [
        "Aleppo",
        "Hama",
        "Idlib",
        "Deir ez-Zor",
        "Damascus",
        "Sweida",
        "Homs",
        "Raqqa",
        "Latakia",
        "Maaret al-Numaan",
        "Turkey",
        "Moscow",
        "Kafr Nabl",
        "Tal Abyad",
    ]
)


@given(TEXT, NAMES, TEXT)
def test_a_name_inserted_into_any_sentence_is_found(gaz, left, name, right):
    # (Organisation names that would swallow it, "Aleppo Media Center", are tested on their own.)
    text = f"{left} {name} {right}"
    start = len(left) + 1
    end = start + len(name)
    assert any(m.start <= start and end <= m.end for m in find_matches(text, gaz)), text

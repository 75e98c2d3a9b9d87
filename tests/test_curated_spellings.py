"""Every news spelling the issue lists reaches the right place (the curated aliases + rules)."""

import pytest

SPELLINGS = {
    "gn:170063": ["Aleppo", "Halab", "Alep", "Alepo", "حلب"],
    "gn:170654": ["Damascus", "Damas", "Damasco", "Dimashq"],
    "gn:170017": ["Hama", "Hamah", "Ḥamāh"],
    "gn:169577": ["Homs", "Hims"],
    "gn:169389": ["Idlib", "Idleb"],
    "gn:172408": ["Sweida", "Suwayda", "As-Sweida", "Soueida"],
    "gn:167611": ["Maaret al-Numaan", "Maarat al-Numan", "Ma'arrat an-Nu'man", "Maarre Al-Numaan"],
    "gn:170794": ["Deir Ezzor", "Deir ez-Zor", "Dayr az-Zawr"],
    "gn:170905": ["Deraa", "Daraa", "Dar'a"],
    "gn:173576": ["Latakia", "Lattakia"],
    "gn:163808": ["Palmyra", "Tadmur"],
    "gn:172955": ["Raqqa", "Ar-Raqqa"],
    "gn:164717": ["Saydnaya", "Sednaya", "Sadnaya"],
    "gn:174030": ["Atarib", "Atareb"],
    "cur:eastern-ghouta": ["Eastern Ghouta", "East Ghouta"],
    "cur:jabal-al-zawiya": ["Jabal al-Zawiya"],
    "cur:al-ghab-plain": ["Al-Ghab plain"],
    "cur:east-aleppo": ["East Aleppo"],
}
CASES = [(pid, name) for pid, names in SPELLINGS.items() for name in names]


@pytest.mark.parametrize("place_id, spelling", CASES, ids=[c[1] for c in CASES])
def test_news_spelling_finds_its_place(parse, place_id, spelling):
    found = parse(f"Shelling hit {spelling} on Monday.")
    assert [(m.text, m.place.id) for m in found] == [(spelling, place_id)]

"""One test per resolution rule: which place a name means, and the reason recorded."""

import pytest


def test_city_not_governorate_without_province_word(parse):
    [m] = parse("Air strikes hit Idlib on Monday.")
    assert m.place.kind == "city" and "not the governorate" in m.reason


def test_governorate_when_province_follows(parse):
    [m] = parse("Air strikes hit Idlib province on Monday.")
    assert (m.place.kind, m.place.id) == ("governorate", "ocha:SY07")
    assert "province" in m.reason


def test_governorate_when_countryside_of_precedes(parse):
    [m] = parse("Clashes in the countryside of Aleppo.")
    assert m.place.id == "ocha:SY02"


def test_governorate_after_possessive_countryside(parse):
    [m] = parse("Clashes in Aleppo's countryside.")
    assert m.place.id == "ocha:SY02"


def test_the_place_in_brackets_after_a_place_is_where_it_lies(parse):
    """Monitors write "Location (District, Governorate)": the names in brackets are the admin units."""
    found = parse("Regime forces shelled Kafr Nabl (Idlib) and Tadef (Al Bab, Aleppo).")
    assert [(m.text, m.place.kind) for m in found] == [
        ("Kafr Nabl", "town"),
        ("Idlib", "governorate"),
        ("Tadef", "town"),
        ("Al Bab", "district"),
        ("Aleppo", "governorate"),
    ]


def test_a_district_word_after_the_name_is_the_district(parse):
    found = parse("Turkish forces shelled villages in Afrin district. A bomb hit a Homs district.")
    assert [(m.text, m.place.kind) for m in found] == [("Afrin", "district"), ("Homs", "city")]


def test_organisation_name_is_not_a_place(parse):
    assert parse("The Aleppo Media Center said") == []
    assert parse("according to The Washington Post.") == []


def test_faction_with_sham_is_not_damascus(parse):
    assert parse("Hayat Tahrir al-Sham fighters advanced.") == []


def test_common_word_village_needs_context(parse):
    assert parse("Bara said nothing.") == []
    found = parse("Shelling hit the village of Bara.")
    assert [m.text for m in found] == ["Bara"]


def test_common_word_village_vouched_by_nearby_place(parse):
    found = parse("Shelling hit Bara and Kansafra in Jabal al-Zawiya.")
    assert "Bara" in [m.text for m in found]


def test_person_name_is_not_a_place(parse):
    assert all(m.text not in ("Bashar", "Rahman") for m in parse("Bashar al-Assad met Rami Abdel Rahman."))


def test_title_before_name_is_a_person(parse):
    assert all(m.text != "Hass" for m in parse("President Hass spoke."))


def test_shared_village_name_goes_to_nearest_other_place(parse, gaz):
    entry = gaz.entry_for("Tall Abyad")
    assert entry is not None
    found = parse("Clashes near Tal Abyad, north of Raqqa, and in Ain Issa.")
    tal = [m for m in found if m.text == "Tal Abyad"][0]
    assert tal.place.governorate == "Ar-Raqqa"


def test_outside_syria_is_marked(parse):
    found = {m.text: m.place for m in parse("Talks in Moscow and Tehran; refugees in Turkey.")}
    assert set(found) == {"Moscow", "Tehran", "Turkey"}
    assert not any(p.in_syria for p in found.values())


def test_each_reason_names_the_rule_that_decided(parse):
    found = {m.text: m.reason for m in parse("Aleppo, Idlib province, Kansafra, Moscow, Maarre Al-Numaan")}
    assert "not the governorate" in found["Aleppo"]  # a city and a governorate share the name
    assert "'province' beside the name" in found["Idlib"]
    assert found["Kansafra"] == "spelling variant of Kansafrah"
    assert found["Moscow"] == found["Maarre Al-Numaan"] == "the only place of that name"


def test_spelling_variant_reason(parse):
    [m] = parse("Kansafra was shelled.")
    assert "spelling variant" in m.reason


def test_province_word_before_a_list_covers_the_list(parse):
    found = parse("Fighting in the governorates of Deir Ezzor (east), Damascus, Homs (center) and Deraa (south).")
    assert [m.place.kind for m in found] == ["governorate"] * 4


def test_larger_place_when_nothing_else_is_named(parse):
    [m] = parse("Shelling hit Al-Mansura today.")
    assert "the best known of" in m.reason
    assert m.place.kind == "town"  # the other places called so are villages


def test_name_that_goes_on_is_a_longer_unknown_name(parse):
    assert all(m.text != "Rami" for m in parse("Rami Abdulrahman said the village was hit."))


@pytest.mark.parametrize(
    "text, governorate",
    [
        ("Clashes broke out in Salhiyeh, Raqqa province.", "Ar-Raqqa"),
        ("Clashes broke out in Salhiyeh, Hasakeh province.", "Al-Hasakeh"),
        ("Clashes broke out in Salhiyeh in the southern countryside of Hasakeh.", "Al-Hasakeh"),
    ],
)
def test_a_governorate_beside_a_name_contains_it(parse, text, governorate):
    salhiyeh = parse(text)[0]
    assert (salhiyeh.text, salhiyeh.place.governorate) == ("Salhiyeh", governorate)
    assert f"in {governorate} governorate, named beside it" in salhiyeh.reason


def test_a_town_beside_a_name_holds_it_within_a_few_km(parse):
    (jobar, _) = parse("Shelling hit Jobar in Damascus.")
    assert jobar.place.governorate == "Damascus" and "within 35 km of Damascus" in jobar.reason


# --- prominence (gazetteer/prominence.csv) ------------------------------------------------------------


def test_a_well_known_town_beats_hamlets_of_its_name(parse):
    # Baniyas: the coastal town of Tartous (an admin capital), and two villages in Quneitra; Daraa
    # is nearer the Quneitra ones but points to neither.
    found = {m.text: m for m in parse("Shelling hit Daraa; protesters gathered in Baniyas on Friday.")}
    assert found["Baniyas"].place.id == "gn:171830"
    assert "the best known of 3 places of that name" in found["Baniyas"].reason


def test_the_text_can_point_to_the_lesser_place(parse):
    # Quneitra province named beside it: the Baniyas of Quneitra, not the famous one.
    found = {m.text: m for m in parse("Shelling hit Quneitra province and the village of Baniyas.")}
    assert found["Baniyas"].place.governorate == "Quneitra"


def test_a_kind_word_before_of_still_says_where_the_place_is(parse):
    # "the Shahba neighbourhood of Aleppo": not Shahba, the town of As-Sweida.
    found = {m.text: m for m in parse("A rocket hit a school in the Shahba neighbourhood of Aleppo, SANA said.")}
    assert found["Shahba"].place.governorate == "Aleppo" and found["Shahba"].place.kind == "neighbourhood"


def test_a_bad_prominence_score_is_named_with_its_line(gazetteer_copy):
    from geo import gazetteer
    from geo.errors import GazetteerError

    (gazetteer_copy / "prominence.csv").write_text("place_id,score,basis\ngn:170063,famous,city\n", encoding="utf-8")
    with pytest.raises(GazetteerError) as err:
        gazetteer.load(gazetteer_copy, use_cache=False)
    assert err.value.line == 2 and "famous" in str(err.value)

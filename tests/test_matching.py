"""One test per matching phenomenon, on the real gazetteer."""

from conftest import places


def test_any_case(parse):
    assert [m.place.id for m in parse("ALEPPO, aleppo and Aleppo")] == ["gn:170063"] * 3


def test_diacritics_or_none(parse):
    assert {m.place.id for m in parse("Ḥamāh and Hamah and Hama.")} == {"gn:170017"}


def test_curly_and_straight_apostrophes_and_ayn(parse):
    found = parse("Ma'arrat al-Nu'man, Ma’arrat al-Nu’man and Maʿarrat al-Nuʿman were hit.")
    assert [m.place.id for m in found] == ["gn:167611"] * 3


def test_hyphen_or_space(parse):
    found = parse("Maaret al-Numaan, Maaret al Numaan and Maaret Al-Numaan.")
    assert [m.place.id for m in found] == ["gn:167611"] * 3


def test_article_prefixes(parse):
    for text in ("al-Atarib", "el-Atarib", "Atarib", "Al Atareb"):
        assert [m.place.id for m in parse(f"Shelling hit {text} today.")] == ["gn:174030"], text


def test_possessive_is_not_part_of_the_name(parse):
    found = parse("Aleppo’s siege and Hama's mayor")
    assert places(found) == [("Aleppo", "Aleppo"), ("Hama", "Hama")]


def test_possessive_without_apostrophe_of_a_city(parse):
    assert places(parse("Aleppos eastern districts")) == [("Aleppos", "Aleppo")]


def test_arabic_script(parse):
    assert [m.place.id for m in parse("قصف على حلب اليوم")] == ["gn:170063"]


def test_arabic_joined_prefixes_and_in_to(parse):
    """و "and", ب "in", ل "to" are written joined to the name; the mention starts at the name."""
    text = "قصف على حلب وإدلب وبحمص وللرقة"
    assert [(m.text, m.place.name) for m in parse(text)] == [
        ("حلب", "Aleppo"),
        ("إدلب", "Idleb"),
        ("حمص", "Homs"),
        ("للرقة", "Ar-Raqqa"),  # ل + الرقة: the article's alif is dropped
    ]
    # only well-known places: a village's name joined to a prefix is often a word (وزارة, "ministry")
    assert parse("قالت وزارة الدفاع") == []


def test_a_common_arabic_word_is_no_village(parse):
    """Arabic has no capitals: فيديو "video", مدينة "city", تحت "under" are also village names (common_words_ar.txt)."""
    found = parse("نشر فيديو يظهر القصف تحت الجسر في مدينة حلب وفي كفرنبل")
    assert [(m.text, m.place.name) for m in found] == [("حلب", "Aleppo"), ("كفرنبل", "Kafr Nobol")]
    # a place nearby vouches for a capitalised English word, not for an Arabic one: فيديو is 10 km from Lattakia
    found = parse("نشر مقطع فيديو من اللاذقية في الجمهورية العربية السورية")
    assert [m.place.name for m in found] == ["Lattakia", "Syria"]


def test_arabic_province_words_point_to_the_governorate(parse):
    found = parse("قصف على محافظة إدلب وريف حلب ومدينة حلب")
    assert [(m.text, m.place.name, m.place.kind) for m in found] == [
        ("إدلب", "Idleb", "governorate"),  # محافظة: governorate
        ("حلب", "Aleppo", "governorate"),  # و + ريف: and the countryside of
        ("حلب", "Aleppo", "city"),
    ]


def test_never_inside_a_word(parse):
    assert parse("Hamas and the Hamadan delegation") == [] or all(
        m.place.id != "gn:170017" for m in parse("Hamas and the Hamadan delegation")
    )


def test_hamas_is_not_hama(parse):
    assert all(m.text != "Hamas" for m in parse("Hamas said the talks failed."))


def test_longest_name_wins_east_aleppo(parse):
    found = parse("Fighting in East Aleppo continued.")
    assert [m.text for m in found] == ["East Aleppo"]
    assert found[0].place.kind == "region"


def test_longest_name_wins_maaret_al_numaan(parse):
    found = parse("Maarre Al-Numaan market was bombed.")
    assert [(m.text, m.place.id) for m in found] == [("Maarre Al-Numaan", "gn:167611")]


def test_spanish_and_french_exonyms(parse):
    assert [m.place.id for m in parse("Damasco, Alepo, Alep and Damas")] == [
        "gn:170654",
        "gn:170063",
        "gn:170063",
        "gn:170654",
    ]


def test_news_spellings_of_cities(parse):
    text = "Sweida, Deir Ezzor, Deraa, Sadnaya, Atareb and Hama"
    assert [m.text for m in parse(text)] == ["Sweida", "Deir Ezzor", "Deraa", "Sadnaya", "Atareb", "Hama"]


def test_village_spelling_bridge(parse):
    found = parse("Regime forces shelled Kansafra in Jabal al-Zawiya.")
    assert [m.text for m in found] == ["Kansafra", "Jabal al-Zawiya"]
    assert found[0].place.id == "gn:168572"


def test_acronym_is_not_a_village(parse):
    assert all(m.text != "SANA" for m in parse("SANA reported the attack."))


def test_offsets_index_the_text(parse):
    text = "Ceasefire in Idlib; shelling in Hama."
    for m in parse(text):
        assert text[m.start : m.end] == m.text


def test_a_place_inside_an_organisation_s_name_is_not_a_mention(parse):
    text = (
        "Liwa Thuwar al-Raqqa fought in Raqqa. The Hawar Kilis Operations Room and the Idlib Health Directorate "
        "said the Aleppo front was calm. Jaysh al-Islam left Douma. The Army of Aleppo met in Hama."
    )
    assert [m.text for m in parse(text)] == ["Raqqa", "Aleppo", "Douma", "Hama"]


def test_a_lowercase_english_word_begins_no_name(parse):
    found = [m.text for m in parse("Rebels fired at Tall Madiq from the south, and at Tal Rifaat.")]
    assert not any(t.startswith("at ") for t in found)


def test_directional_and_qualifier_forms_are_the_place(parse):
    text = (
        "Clashes in Upper Kansafra and Western Kansafra. Shelling hit Kansafra al-Sharqi, "
        "Saraqeb al-Sharqiya and the Saraqeb front."
    )
    found = [(m.text, m.place.name) for m in parse(text)]
    assert found == [("Kansafra", "Kansafrah")] * 3 + [("Saraqeb", "Saraqab")] * 2  # no village "Ash Sharqi"


def test_a_qualifier_alone_is_still_a_village(parse):
    assert [m.place.name for m in parse("Regime forces shelled the village of al-Sharqi.")] == ["Ash Sharqi"]


def test_names_inside_web_addresses_and_link_targets_are_no_mentions(parse):
    text = (
        "Shelling hit Idlib (https://example.org/idlib/news and [the report](https://x.org/aleppo)). "
        "See www.hama-news.org and [Homs](https://y.org/homs) too. Later Aleppo was quiet."
    )
    found = [(text[m.start : m.end], m.start) for m in parse(text)]
    assert [name for name, _ in found] == ["Idlib", "Homs", "Aleppo"]
    assert found[1][0] == "Homs" and text[found[1][1] - 1] == "["  # the link's text is a mention, its address not

"""The spelling rules in gazetteer/spelling_rules.csv bridge transliterations and news spellings."""

import pytest

from geo.gazetteer import default_root
from geo.text.normalise import alias_key
from geo.text.spelling import load_rules, variants

RULES = load_rules(default_root() / "spelling_rules.csv")


@pytest.mark.parametrize(
    "source, news",
    [
        ("Tall Tamr", "Tal Tamer"),
        ("`Ayn `Isa", "Ein Issa"),
        ("Shaykh Miskin", "Sheikh Miskin"),
        ("Dayr Hafir", "Deir Hafir"),
        ("Ma`arrat an Nu`man", "Maaret al-Numan"),
        ("Ma`arrat an Nu`man", "Maarat al-Numan"),
        ("Ma`arrat an Nu`man", "Ma'arrat al-Nu'man"),
        ("Kafr Nabl", "Kfar Nabl"),
        ("Kafr Nabl", "Kafar Nabl"),
        ("Kansafrah", "Kansafra"),
        ("Al Atarib", "Atareb"),
        ("Dayr az Zawr", "Deir ez-Zor"),
        ("Al Hasakah", "Hasakeh"),
        ("Duma", "Douma"),
        ("Shaykh Miskin", "Cheikh Miskin"),
    ],
)
def test_rule_generates_news_spelling(source, news):
    assert alias_key(news) in variants(alias_key(source), RULES)


def test_variants_start_with_the_name_itself():
    assert variants("kafr nabl", RULES)[0] == "kafr nabl"


def test_bad_rule_is_reported_with_file_and_line(tmp_path):
    bad = tmp_path / "rules.csv"
    bad.write_text("pattern,replacement,note\nabc,x,fine\n(unclosed,x,broken\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"rules.csv:3: bad spelling rule"):
        load_rules(bad)

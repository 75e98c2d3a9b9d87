"""Event typing, casualty figures and event dates, through the real pipeline and lexicons."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from geo.errors import GazetteerError, LexiconError
from geo.events import casualties, lexicon
from geo.pipeline import parse_text

PUBLISHED = dt.date(2016, 5, 11)  # a Wednesday


@pytest.fixture(scope="module")
def lex(tmp_path_factory):
    """The word lists alone, without the learned coder: these tests pin the rules (test_event_coder.py
    tests what the coder changes)."""
    rules_only = tmp_path_factory.mktemp("lexicons")
    for path in lexicon.default_root().glob("*.csv"):
        shutil.copy(path, rules_only / path.name)
    return lexicon.load(rules_only)


@pytest.fixture(scope="module")
def event(gaz, lex):
    """event(text, at="Aleppo", published=...) -> the Event of the mention of `at`."""

    def _event(text: str, at: str | None = None, published: dt.date | None = PUBLISHED):
        mentions = parse_text("t.txt", text, gaz, 0, published, lex)
        chosen = [m for m in mentions if at is None or m.text == at]
        assert chosen, f"no mention of {at!r} in {[m.text for m in mentions]}"
        return chosen[0].event

    return _event


@pytest.mark.parametrize(
    "sentence, event_type, sub_event_type, trigger",
    [
        ("Rebels and government forces clashed in Aleppo on Monday.", "Battles", "Armed clash", "clashed"),
        (
            "The Syrian army recaptured Palmyra from Islamic State.",
            "Battles",
            "Government regains territory",
            "recaptured",
        ),
        (
            "Islamic State fighters seized Palmyra after a week of fighting.",
            "Battles",
            "Non-state actor overtakes territory",
            "seized",
        ),
        ("Russian warplanes pounded Idlib overnight.", "Explosions/Remote violence", "Air/drone strike", "warplanes"),
        (
            "Helicopters dropped barrel bombs on Daraya.",
            "Explosions/Remote violence",
            "Air/drone strike",
            "barrel bombs",
        ),
        (
            "Mortar shells fell on Damascus, state media said.",
            "Explosions/Remote violence",
            "Shelling/artillery/missile attack",
            "Mortar shells",
        ),
        (
            "A suicide bomber blew himself up at a checkpoint in Homs.",
            "Explosions/Remote violence",
            "Suicide bomb",
            "suicide bomber blew himself up",
        ),
        (
            "A car bomb exploded near a mosque in Azaz.",
            "Explosions/Remote violence",
            "Remote explosive/landmine/IED",
            "car bomb exploded",
        ),
        ("A sarin attack hit Khan Sheikhoun.", "Explosions/Remote violence", "Chemical weapon", "sarin"),
        ("Gunmen executed 12 villagers in Aqarib.", "Violence against civilians", "Attack", "executed"),
        (
            "Militants kidnapped two aid workers near Saraqeb.",
            "Violence against civilians",
            "Abduction/forced disappearance",
            "kidnapped",
        ),
        ("Hundreds of people protested in Sweida against fuel prices.", "Protests", "Peaceful protest", "protested"),
        (
            "Security forces fired tear gas to disperse a rally in Deraa.",
            "Protests",
            "Protest with intervention",
            "disperse",
        ),
        ("Rioters set fire to a police station in Sweida.", "Riots", "Violent demonstration", "Rioters"),
        (
            "A ceasefire agreement for Homs took effect at noon.",
            "Strategic developments",
            "Agreement",
            "ceasefire agreement",
        ),
        ("Security forces arrested dozens of young men in Hama.", "Strategic developments", "Arrests", "arrested"),
        ("The siege of Madaya has left residents starving.", "Strategic developments", "Other", "siege"),
        ("Buses began to evacuate the wounded from eastern Aleppo.", "Strategic developments", "Other", "evacuate"),
        ("An aid convoy reached Douma on Tuesday.", "Strategic developments", "Other", "aid convoy"),
    ],
)
def test_event_types(event, sentence, event_type, sub_event_type, trigger):
    e = event(sentence)
    assert (e.event_type, e.sub_event_type, e.trigger) == (event_type, sub_event_type, trigger)


def test_a_place_only_named_is_no_event(event):
    e = event("The delegation from Aleppo met the minister in Damascus.", at="Aleppo")
    assert (e.event_type, e.sub_event_type, e.trigger, e.killed) == (None, None, "", 0)


def test_a_threatened_attack_has_not_happened(event):
    assert event("Turkey threatened to attack Manbij.").event_type is None
    assert event("The army will launch an offensive on Idlib.").event_type is None
    assert event("Regime forces may shell Idlib.").event_type is None


def test_the_month_may_is_no_maybe(event):
    """Monitors open with the date: "On 3 May 2019, ..." reports what happened."""
    for sentence in ("On 3 May 2019, regime forces shelled Idlib.", "On May 3, regime forces shelled Idlib."):
        assert event(sentence).sub_event_type == "Shelling/artillery/missile attack", sentence


def test_the_strongest_trigger_wins_and_explains_itself(event):
    e = event("Clashes erupted after air strikes hit Saraqeb.")
    assert (e.sub_event_type, e.trigger) == ("Air/drone strike", "air strikes")


def test_who_takes_a_town_decides_the_sub_event(event):
    assert event("Rebels captured Jisr al-Shughour.").sub_event_type == "Non-state actor overtakes territory"
    assert event("The army captured Jisr al-Shughour.").sub_event_type == "Government regains territory"
    assert event("Jisr al-Shughour was recaptured by rebels.").sub_event_type == "Non-state actor overtakes territory"


def test_two_places_one_event(event, gaz, lex):
    text = "Air strikes hit Saraqeb and Maaret al-Numaan, killing 12 people."
    a, b = parse_text("t.txt", text, gaz, 0, PUBLISHED, lex)
    assert (a.text, b.text) == ("Saraqeb", "Maaret al-Numaan")
    assert a.event == b.event
    assert (a.event.sub_event_type, a.event.killed, a.event.casualty_text) == (
        "Air/drone strike",
        12,
        "killing 12 people",
    )


# --- casualties: the phrasings of the issue, and numbers in all their spellings -----------------


@pytest.mark.parametrize(
    "sentence, killed, injured, qualifier, victims",
    [
        ("Reports said that over 300 civilians were dead in Aleppo.", 300, 0, "over", "civilians"),
        ("Air strikes hit Aleppo, killing at least 55 people.", 55, 0, "at least", "people"),
        ("In Aleppo 2 children were killed and 3 other people were injured.", 2, 3, "", "children"),
        ("Shelling of Aleppo left 12 dead and dozens injured.", 12, None, "", ""),
        ("A bomb blast killed six people and injured 32 in Aleppo.", 6, 32, "", "people"),
        ("The group said strikes near Aleppo killed five of its members.", 5, 0, "", "members"),
        ("The death toll in Aleppo rose to 20.000, activists said.", 20000, 0, "", ""),
        ("The death toll in Aleppo rose to 20,000, activists said.", 20000, 0, "", ""),
        ("Twenty-five soldiers died in Aleppo.", 25, 0, "", "soldiers"),
        ("Two hundred and fifty people died in Aleppo.", 250, 0, "", "people"),
        ("About 1.5 million people were killed across Syria, Aleppo included.", 1500000, 0, "about", "people"),
        ("Rockets hit Aleppo, killing 20 people, including 5 children, and wounding 40.", 20, 40, "", "people"),
        ("The raid on Aleppo killed 5 soldiers and 10 militants.", 15, 0, "", "soldiers"),
        ("A child was killed by a sniper in Aleppo.", 1, 0, "", "child"),
        # news copy without commas, long subjects, and the lives a blast "claimed"
        ("Rockets hit Aleppo killing 2 people injuring 7 others.", 2, 7, "", "people"),
        ("Seven militants from the Nusra Front group were killed in Aleppo.", 7, 0, "", "militants"),
        ("Two blasts in Aleppo claimed the lives of at least 40 people.", 40, 0, "at least", "people"),
        ("Four children were among the dead in Aleppo.", 4, 0, "", "children"),
        ("The battle for Aleppo has cost the lives of 63 rebels and 21 fighters.", 84, 0, "", "rebels"),
        ("Rebels shelled Aleppo on 7 May 2016 with 300 rockets.", 0, 0, None, None),
        # a date just before the figure: the comma after the day is lost when tokenised
        ("On 15 April, six rebels were killed in Aleppo.", 6, 0, "", "rebels"),
        ("On April 15 six rebels were killed in Aleppo.", 6, 0, "", "rebels"),
    ],
)
def test_casualty_figures(event, sentence, killed, injured, qualifier, victims):
    e = event(sentence)
    assert (e.killed, e.injured) == (killed, injured)
    if qualifier is not None:
        assert (e.casualties[0].qualifier, e.casualties[0].victims) == (qualifier, victims)


@pytest.mark.parametrize(
    "sentence, text",
    [
        ("Dozens of thousands were killed in Aleppo.", "Dozens of thousands were killed"),
        ("There were hundreds of deaths in Aleppo.", "hundreds of deaths"),
        ("Scores of civilians died in Aleppo.", "Scores of civilians died"),
    ],
)
def test_no_number_is_invented_for_a_vague_toll(event, sentence, text):
    e = event(sentence)
    assert (e.killed, e.casualty_text) == (None, text)
    assert e.casualties[0].figure is None


def test_years_distances_and_dates_are_not_people(event):
    e = event("In 2013 fighting 40 km from Aleppo killed civilians on 12 May.")
    assert e.casualties == ()
    assert (e.killed, e.injured) == (None, 0)  # deaths are said, with no number: unknown, not zero


def test_casualty_offsets_point_at_the_text(gaz, lex):
    text = "Intro line.\nJets struck Aleppo, killing at least 55 people."
    (m,) = parse_text("t.txt", text, gaz, 0, PUBLISHED, lex)
    c = m.event.casualties[0]
    assert text[c.start : c.end] == c.text == "killing at least 55 people"
    assert text[m.event.trigger_start :].startswith("Jets")


def test_totals_leave_parts_out_and_keep_vague_tolls_vague(lex):
    found = casualties.find_casualties("killing 9 people, among them 4 children", 0, lex)
    assert [(c.figure, c.subset) for c in found] == [(9, False), (4, True)]
    assert casualties.totals(found, "killed") == 9


# --- dates -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence, published, event_date, date_text",
    [
        ("On 7 May 2020, jets struck Idlib.", dt.date(2020, 5, 20), "2020-05-07", "7 May 2020"),
        ("Jets struck Idlib on September 19th.", dt.date(2019, 9, 25), "2019-09-19", "September 19th"),
        # a day after publication by more than a week belongs to the year before
        ("Jets struck Idlib on December 30.", dt.date(2017, 1, 2), "2016-12-30", "December 30"),
        ("Jets struck Idlib on Thursday, May 5.", dt.date(2016, 5, 11), "2016-05-05", "May 5"),
        ("Jets struck Idlib on Thursday.", dt.date(2016, 5, 11), "2016-05-05", "Thursday"),
        # the same weekday as publication is the day itself; "last" means a week before
        ("Jets struck Idlib on Wednesday.", dt.date(2016, 5, 11), "2016-05-11", "Wednesday"),
        ("Jets struck Idlib last Wednesday.", dt.date(2016, 5, 11), "2016-05-04", "Wednesday"),
        # a weekday across a month and a year boundary
        ("Jets struck Idlib on Friday.", dt.date(2017, 1, 2), "2016-12-30", "Friday"),
        ("Jets struck Idlib yesterday.", dt.date(2017, 1, 1), "2016-12-31", "yesterday"),
        ("The army crushed an uprising in Hama in 1982.", dt.date(2016, 5, 11), "1982", "in 1982"),
        ("Rebels took Idlib in March 2015.", dt.date(2016, 5, 11), "2015-03", "March 2015"),
        ("Rebels took Idlib in March.", dt.date(2016, 1, 11), "2015-03", "March"),
        ("Jets struck Idlib on the 3rd of January 2016.", dt.date(2016, 5, 11), "2016-01-03", "3rd of January 2016"),
    ],
)
def test_stated_dates(event, sentence, published, event_date, date_text):
    e = event(sentence, published=published)
    assert (e.event_date, e.date_source, e.date_text) == (event_date, "stated", date_text)


def test_without_a_stated_date_the_publication_date_is_used_and_marked(event):
    e = event("Jets struck Idlib.", published=dt.date(2016, 5, 11))
    assert (e.event_date, e.date_source, e.date_text) == ("2016-05-11", "publication", "")
    e = event("Jets struck Idlib.", published=None)
    assert (e.event_date, e.date_source) == (None, "")


def test_since_opens_a_period_and_is_not_an_event_date(event):
    e = event("Fighting has raged in Idlib since 2011.")
    assert (e.event_date, e.date_source) == ("2016-05-11", "publication")


def test_the_verb_may_is_not_a_month(event):
    e = event("Jets may strike Idlib 5 times.")
    assert e.date_source == "publication"


def test_a_date_carries_to_the_next_sentence_of_its_paragraph_only(gaz, lex):
    text = "On Monday, jets struck Saraqeb. Five people were killed in Idlib.\n\nTalks opened in Homs."
    saraqeb, idlib, homs = parse_text("t.txt", text, gaz, 0, PUBLISHED, lex)
    assert saraqeb.event.event_date == idlib.event.event_date == "2016-05-09"
    assert (homs.event.event_date, homs.event.date_source) == ("2016-05-11", "publication")


# --- the lexicon files --------------------------------------------------------------------------


def test_lexicon_errors_name_the_file_and_line(tmp_path):
    for name in ("event_triggers.csv", "event_words.csv"):
        (tmp_path / name).write_text((lexicon.default_root() / name).read_text(encoding="utf-8"), encoding="utf-8")
    with open(tmp_path / "event_triggers.csv", "a", encoding="utf-8") as f:
        f.write("air blast,Explosions,Air strike,3,\n")
    with pytest.raises(LexiconError) as err:  # a lexicon problem is not a gazetteer problem
        lexicon.load(tmp_path)
    assert not isinstance(err.value, GazetteerError) and isinstance(err.value, ValueError)
    lines = (tmp_path / "event_triggers.csv").read_text(encoding="utf-8").count("\n")
    assert f"event_triggers.csv:{lines}:" in str(err.value)
    assert "not an ACLED event type" in str(err.value)


# ACLED's event types and sub-event types, as its codebook lists them (ACLED Codebook, 2023 and later).
ACLED_CODEBOOK = {
    "Battles": {"Armed clash", "Government regains territory", "Non-state actor overtakes territory"},
    "Explosions/Remote violence": {
        "Chemical weapon",
        "Air/drone strike",
        "Suicide bomb",
        "Shelling/artillery/missile attack",
        "Remote explosive/landmine/IED",
        "Grenade",
    },
    "Violence against civilians": {"Sexual violence", "Attack", "Abduction/forced disappearance"},
    "Protests": {"Peaceful protest", "Protest with intervention", "Excessive force against protesters"},
    "Riots": {"Violent demonstration", "Mob violence"},
    "Strategic developments": {
        "Agreement",
        "Arrests",
        "Change to group/activity",
        "Disrupted weapons use",
        "Headquarters or base established",
        "Looting/property destruction",
        "Non-violent transfer of territory",
        "Other",
    },
}


def test_every_type_and_trigger_is_spelled_as_in_acleds_codebook(lex):
    for event_type, sub_types in lexicon.EVENT_TYPES.items():
        assert set(sub_types) <= ACLED_CODEBOOK[event_type], event_type
    used = {(t.event_type, t.sub_event_type) for t in lex.triggers if t.event_type != lexicon.NO_EVENT}
    assert all(sub in ACLED_CODEBOOK[kind] for kind, sub in used), used
    assert {kind for kind, _ in used} == set(ACLED_CODEBOOK)  # the triggers cover all six types


def test_a_dateline_dates_the_weekdays_and_is_not_an_event_date(event):
    # FA-KES keeps a publication date that disagrees with the article's own dateline
    e = event(
        "Sat 24 Aug 2013 The blast heard Saturday evening in Damascus was due to a rocket.",
        at="Damascus",
        published=dt.date(2013, 8, 20),
    )
    assert (e.event_date, e.date_text) == ("2013-08-24", "Saturday")
    e = event("Wed 19 Apr 2017 Talks resumed in Damascus.", at="Damascus", published=dt.date(2017, 4, 19))
    assert e.date_source == "publication"  # the dateline is when it was published, not an event date


def test_weekdays_without_their_apostrophe(event):
    e = event("Mondays raid on the convoy destroyed a warehouse in Aleppo.", published=dt.date(2016, 9, 21))
    assert (e.event_date, e.date_text) == ("2016-09-19", "Mondays")


def test_a_dateline_far_from_publication_is_a_retrieval_stamp(event):
    # seed 001 opens with the date a web page was saved, eight years after the article
    text = "Thu Jan 30, 2025\nJanuary 30, 2025\n\nOn Thursday, jets struck Aleppo again.\n"
    e = event(text, published=dt.date(2016, 12, 12))
    assert (e.event_date, e.date_text) == ("2016-12-08", "Thursday")


def test_a_weekday_before_a_month_date_deep_in_a_long_article_is_dated_by_the_month(parse):
    """Only the date words right after a weekday are read (long articles stay linear in their length)."""
    filler = "Talks went on in Geneva on Monday, and again in 2015. " * 400
    found = parse(filler + "On Thursday, May 5, 2016, jets struck Saraqeb.")
    saraqeb = [m for m in found if m.text == "Saraqeb"][-1]
    assert saraqeb.event.event_date == "2016-05-05" and saraqeb.event.date_source == "stated"

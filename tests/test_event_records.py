"""Event records (`geo events`): one per event, located at its most specific place, ACLED's columns."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from helpers import run_geo

from geo.events.records import EVENT_COLUMNS
from geo.pipeline import parse_text_events

REPORTS = (
    "Regime forces shelled Kafr Nabl in the southern countryside of Idlib on Monday, killing a QSD fighter. "
    "Dozens were killed in an air strike on the outskirts of Douma. "
    "Warplanes struck the southern countryside of Idleb."
)


@pytest.fixture(scope="module")
def parsed(gaz):
    return parse_text_events("reports.txt", REPORTS, gaz, published=dt.date(2019, 5, 8))


def by_location(events):
    return {e.location: e for e in events}


def test_an_event_is_located_at_its_most_specific_place_with_acled_precision(parsed):
    _mentions, events = parsed
    events = by_location(events)
    assert set(events) == {"Kafr Nabl", "Douma", "Idleb"}
    assert events["Kafr Nabl"].geo_precision == 1  # the village itself (Idlib, in its sentence, is the area)
    assert events["Douma"].geo_precision == 2  # "the outskirts of Douma"
    assert events["Idleb"].geo_precision == 3  # no village named: the governorate
    assert events["Kafr Nabl"].admin1 == "Idleb" and events["Kafr Nabl"].admin2 == "Al Ma'ra"


def test_every_mention_of_an_event_carries_its_id(parsed):
    mentions, events = parsed
    ids = {e.location: e.event_id for e in events}
    of = {m.text: m.event_id for m in mentions}
    assert of["Kafr Nabl"] == of["Idlib"] == ids["Kafr Nabl"]  # one event, two places named
    assert of["Douma"] == ids["Douma"] and of["Douma"] != ids["Kafr Nabl"]


def test_fatalities_follow_acled_counting(parsed):
    mentions, events = parsed
    events = by_location(events)
    assert events["Kafr Nabl"].fatalities == 1  # "killing a QSD fighter"
    assert events["Douma"].fatalities == 12  # ACLED codes "dozens" as 12 ...
    douma = next(m for m in mentions if m.text == "Douma")
    assert douma.event.killed is None  # ... while the mention keeps "no number stated"
    assert events["Douma"].fatality_text == "Dozens were killed"


def test_dates_carry_acled_time_precision(parsed):
    events = by_location(parsed[1])
    assert events["Kafr Nabl"].event_date == "2019-05-06" and events["Kafr Nabl"].time_precision == 1


def test_one_event_told_in_two_sentences_is_one_record(gaz):
    text = "An air strike hit Saraqeb on Tuesday, killing five people. The air strike on Saraqeb also wounded ten."
    _mentions, events = parse_text_events("a.txt", text, gaz, published=dt.date(2020, 2, 5))
    assert len(events) == 1 and events[0].fatalities == 5


def test_geo_events_writes_acled_columns_and_geojson(tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "reports.txt").write_text(REPORTS, encoding="utf-8")
    table = run_geo("events", folder)
    assert table.returncode == 0, table.stderr
    rows = list(csv.DictReader(io.StringIO(table.stdout)))
    assert tuple(rows[0]) == EVENT_COLUMNS
    assert {r["location"] for r in rows} == {"Kafr Nabl", "Douma", "Idleb"}
    geojson = json.loads(run_geo("events", folder, "--format", "geojson").stdout)
    assert geojson["type"] == "FeatureCollection" and len(geojson["features"]) == 3
    point = geojson["features"][0]["geometry"]
    assert point["type"] == "Point" and 35 < point["coordinates"][0] < 43  # lon, lat: in Syria
    lines = run_geo("parse", folder).stdout.splitlines()
    assert {json.loads(line)["event_id"] for line in lines} == {r["event_id"] for r in rows}


def test_an_event_at_an_unknown_village_is_not_lost(gaz):
    text = (
        "Fighting continued in Idlib province. Regime forces shelled the village of Xuzabad on Monday, "
        "killing two civilians. The talks in Geneva failed."
    )
    _mentions, events = parse_text_events("a.txt", text, gaz, published=dt.date(2019, 5, 8))
    [lost] = [e for e in events if e.location == "Xuzabad"]
    assert lost.admin1 == "Idleb" and lost.geo_precision == 3 and lost.place_id == "ocha:SY07"
    assert lost.event_type == "Explosions/Remote violence" and lost.fatalities == 2


def test_an_unknown_name_in_an_article_about_no_syrian_place_makes_no_event(gaz):
    _mentions, events = parse_text_events("b.txt", "Police shelled the village of Xuzabad on Monday.", gaz)
    assert events == []


def _actor_regex(phrases):
    """The pattern the actors were read with before ActorFinder: the meaning it must keep."""
    import re

    alternatives = "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))
    return re.compile(r"(?<!\w)(" + alternatives + r")s?(?!\w)")


ACTOR_TEXTS = [
    "",
    "the army shelled the town as government forces and the armys of rebels advanced",
    "armyarmy army_ x-army armyss armys. army",  # inside words, an underscore, a doubled plural
    "the free syrian army and free syrian armies; syrian democratic forcess",
    "pro-government pro-governments anti-government government",
]


@pytest.mark.parametrize("flat", [True, False], ids=["compiled automaton", "pyahocorasick"])
def test_actors_are_found_where_the_regex_found_them(flat, monkeypatch):
    from geo import gazetteer
    from geo.events import lexicon
    from geo.events.records import ActorFinder

    lex = lexicon.load()
    phrases = {*lex.phrases("government"), *lex.phrases("non_state")}
    if not flat:
        monkeypatch.setattr(gazetteer, "FlatAutomaton", None)
    finder = ActorFinder(phrases)
    assert (type(finder.automaton).__name__ == "FlatAutomaton") == (flat and gazetteer.FlatAutomaton is not None)
    regex = _actor_regex(phrases)
    for text in ACTOR_TEXTS:
        assert finder.spans(text) == [m.span() for m in regex.finditer(text)], text


@pytest.mark.parametrize("seed", range(3))
def test_actors_in_random_word_runs_are_found_where_the_regex_found_them(seed):
    """Phrases inside phrases ("army" in "free syrian army"), run together, pluralised, cut short."""
    import random

    from geo.events.records import ActorFinder

    phrases = {"army", "free syrian army", "syrian army", "rebels", "rebel", "is", "isis", "al nusra"}
    pieces = ["army", "free", "syrian", "rebel", "rebels", "s", "is", "isis", "al", "nusra", " ", "-", "x", "_"]
    rng = random.Random(seed)
    finder, regex = ActorFinder(phrases), _actor_regex(phrases)
    for _ in range(500):
        text = "".join(rng.choice(pieces) + rng.choice(["", " ", " "]) for _ in range(rng.randint(0, 12)))
        assert finder.spans(text) == [m.span() for m in regex.finditer(text)], text

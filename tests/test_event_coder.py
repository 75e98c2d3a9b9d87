"""The event coder that learns (events/coder.py, events/training.py)."""

from __future__ import annotations

import json

from geo.events import coder, lexicon
from geo.events.training import examples, labels
from geo.models import Event
from geo.settings import PROJECT_ROOT

EVAL = PROJECT_ROOT / "tests" / "eval"


def small_label_set():
    found = [lab for lab in labels(EVAL, PROJECT_ROOT / "no-corrections-here")][:120]
    return examples(found, lexicon.load())


def first_labels(folder, rows: int):
    """A small eval folder: the first `rows` lines of each labelled file training reads."""
    from geo.events import training

    folder.mkdir()
    for name, _split, _tuned in training.LABEL_FILES:
        lines = (EVAL / name).read_text(encoding="utf-8").splitlines()[:rows] if (EVAL / name).exists() else []
        (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def test_same_labels_give_the_same_model():
    pairs = small_label_set()
    assert len({label for _, label in pairs}) > 2
    assert coder.train(pairs).to_json() == coder.train(list(reversed(pairs))).to_json()


def test_the_model_file_is_plain_data_and_round_trips():
    model = coder.train(small_label_set())
    again = coder.from_json(model.to_json())
    assert again.classes == model.classes and set(again.weights) <= set(model.weights)
    json.loads(model.to_json())  # JSON, nothing to execute


def rules_event(event_type=None, sub=None, trigger=""):
    return Event(event_type, sub, trigger, None, 0, 0, (), None, "", "")


def test_the_model_overrules_the_rules_only_when_sure():
    model = coder.Model(("none", "Battles|Armed clash"), (0.0, 0.0), {"w=clashes": (0.0, 5.0)}, threshold=0.9)
    rules = rules_event()
    sure = model.decide(rules, ["w=clashes"])
    assert (sure.event_type, sure.sub_event_type, sure.decided_by) == ("Battles", "Armed clash", "classifier")
    assert model.decide(rules, ["w=talks"]) is rules  # 50/50: the rules stand


def test_the_shipped_model_loads_with_a_threshold_chosen_in_training():
    model = coder.load(lexicon.default_root())
    assert model is not None and 0.0 <= model.threshold <= 1.01
    assert "none" in model.classes and len(model.weights) > 1000


def test_with_the_coder_the_places_of_one_event_stay_one_event(parse):
    text = "Regime forces shelled Kafr Nabl in the southern countryside of Idlib on Monday, killing a QSD fighter."
    events = {m.text: m.event for m in parse(text)}
    assert events["Kafr Nabl"].sub_event_type == events["Idlib"].sub_event_type == "Shelling/artillery/missile attack"
    assert events["Kafr Nabl"].decided_by == "rules"  # "shelled Kafr Nabl": a trigger and its object


def test_what_the_rules_rule_out_the_coder_does_not_bring_back(parse):
    [idlib] = parse("The army will launch an offensive on Idlib.")
    assert idlib.event.event_type is None


def test_a_correction_applies_at_once_and_trains_the_next_model(tmp_path, gaz):
    import shutil

    from geo.events import corrections, training
    from geo.pipeline import parse_text

    lexicons = tmp_path / "lexicons"
    shutil.copytree(lexicon.default_root(), lexicons)
    lex = lexicon.load(lexicons)
    text = "Angry crowds attacked a police station in Sweida on Friday."
    [m] = parse_text("a.txt", text, gaz, lexicon=lex)
    corrections.save(lexicons, corrections.correction_for(m, "Riots", "Mob violence", 0, "", "crowds, not fighters"))
    corrections.save(lexicons, corrections.correction_for(m, "Riots", "Violent demonstration", 0, ""))  # replaced
    [again] = parse_text("a.txt", text, gaz, lexicon=lexicon.load(lexicons))
    assert (again.event.event_type, again.event.sub_event_type) == ("Riots", "Violent demonstration")
    assert again.event.decided_by == "analyst"
    assert len(corrections.load(lexicons)) == 1
    # the next training reads it: a small label set of three files' first rows plus the correction
    evals = first_labels(tmp_path / "eval", 40)
    found = list(training.labels(evals, lexicons))
    assert found[-1].label == "Riots|Violent demonstration" and found[-1].sentence == text
    model = coder.train(training.examples(found, lex))
    assert "Riots|Violent demonstration" in model.classes


def test_a_broken_correction_row_names_its_line(tmp_path):
    from geo.errors import LexiconError
    from geo.events import corrections

    (tmp_path / corrections.FILE).write_text(
        "article,start,text,event_type,sub_event_type\na.txt,12,Sweida,Riots,Peaceful protest\n", encoding="utf-8"
    )
    try:
        corrections.load(tmp_path)
    except LexiconError as e:
        assert e.line == 2 and "not an ACLED event type" in str(e)
    else:
        raise AssertionError("no error")


def test_a_correction_holds_in_a_text_with_invisible_characters(tmp_path, gaz):
    import shutil

    from geo.events import corrections
    from geo.pipeline import parse_text

    lexicons = tmp_path / "lexicons"
    shutil.copytree(lexicon.default_root(), lexicons)
    text = "Crowds\u200b gathered in Sweida\u200f on Friday."  # a zero-width space and a bidi mark
    [m] = parse_text("a.txt", text, gaz, lexicon=lexicon.load(lexicons))
    assert text[m.start : m.end] == "Sweida"
    corrections.save(lexicons, corrections.correction_for(m, "Protests", "Peaceful protest", 0, ""))
    [again] = parse_text("a.txt", text, gaz, lexicon=lexicon.load(lexicons))
    assert again.event.sub_event_type == "Peaceful protest" and again.event.decided_by == "analyst"


def test_the_fast_sentence_scores_equal_the_features_training_sees():
    import numpy as np

    from geo.text.normalise import normalise

    model = coder.load(lexicon.default_root())
    for text in (
        "Regime forces shelled Kafr Nabl in the southern countryside of Idlib on Monday, killing 2 civilians.",
        "Clashes clashes erupted, erupted again near the the town.",
        "",
    ):
        norm = normalise(text)
        assert np.allclose(model.sentence_scores(norm), model.scores(coder.sentence_features(norm)))
        shelling = ("Explosions/Remote violence", "Shelling/artillery/missile attack")
        rules = Event(*shelling, "Shelled", 14, 2, None, (), None, "", "")
        for start, end, said in ((22, 31, rules), (0, 6, None), (0, 0, rules)):  # the place's words, the rules'
            expected = model.scores(coder.place_features(norm, start, end, said))
            assert np.allclose(model.place_scores(norm, start, end, said), expected)
            assert np.allclose(model.place_scores(norm, start, end, said), expected)  # memoised: the same


def test_training_reports_each_model_it_trains(tmp_path):
    """Retraining takes about half a minute: the CLI's bar and the dashboard's count its six models."""
    from geo.events import training
    from geo.progress import eta_text

    evals = first_labels(tmp_path / "eval", 30)
    told: list[tuple[int, int]] = []
    model, _scores, count = training.train_model(evals, lexicon.load(), lambda done, total: told.append((done, total)))
    assert told == [(k, training.FOLDS + 1) for k in range(1, training.FOLDS + 2)]
    assert count > 0 and len(model.classes) > 1
    assert eta_text(2, 6, 8.0) == "2 of 6, about 16 s left"
    assert eta_text(6, 6, 30.0) == "6 of 6" and eta_text(0, 1200, 0.0) == "0 of 1,200"
    assert eta_text(10, 1000, 60.0) == "10 of 1,000, about 99 min left"

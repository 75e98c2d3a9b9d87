"""`geo events train`: rebuild lexicons/event_model.json from the labelled sentences.

Labels come from the annotated files of tests/eval/ that are not held out (LABEL_FILES; the
held-out events_gold.jsonl is never read here) and from the analysts' corrections in
lexicons/event_corrections.csv. Each label is a place in a sentence; the rules are run on that
sentence so that the model sees what they decided. The threshold above which the model overrules
the rules is chosen by cross-validation over the labels the rules were not written on.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from geo.events import coder, corrections
from geo.events.classify import classify
from geo.events.lexicon import Lexicon
from geo.store import write_text_atomic
from geo.text.normalise import normalise

# (file, the split to take or "" for all, were the rules written on it?)
LABEL_FILES = (
    ("events_dev.jsonl", "", True),
    ("events_dev2.jsonl", "", True),
    ("events_sentences.jsonl", "train", False),
)
THRESHOLDS = (0.0, 0.5, 0.6, 0.7, 0.8, 0.9, 1.01)  # 1.01: the rules alone
FOLDS = 5
# What running the model on every place must earn in cross-validated accuracy over running it only where
# the rules see an event. 0: accuracy first (the wide scope finds the events the rules miss in monitor reports,
# at about twice the coder's cost).
COST_OF_SCOPE = 0.0


@dataclass(frozen=True, slots=True)
class Label:
    group: str  # the article or source: folds never split one
    sentence: str
    place_start: int
    place_end: int
    label: str
    rules_written_on: bool


def labels(eval_dir: Path, lexicon_dir: Path) -> Iterator[Label]:
    for name, split, tuned in LABEL_FILES:
        path = eval_dir / name
        if not path.exists():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            r = json.loads(line)
            if split and r.get("split") != split:
                continue
            label = coder.label_of(r.get("event_type") or None, r.get("sub_event_type") or None)
            if "sentence_start" in r:  # FA-KES files: one record per mention
                a, b = r["start"] - r["sentence_start"], r["end"] - r["sentence_start"]
                group = r["unit_id"]
            else:  # events_sentences.jsonl: one record per sentence (or clause)
                where = r.get("where_start")
                a = where - r["start"] if where is not None else 0
                b = a + len(r.get("where") or "")
                group = r["source"]
            if 0 <= a <= b <= len(r["sentence"]):
                yield Label(group, r["sentence"], a, b, label, tuned)
    for c in corrections.load(lexicon_dir).values():
        label = coder.label_of(c.event_type or None, c.sub_event_type or None)
        yield Label(c.article, c.sentence, c.place_start, c.place_start + len(c.text), label, False)


def examples(found: list[Label], lexicon: Lexicon) -> list[tuple[list[str], str]]:
    """(features, label) per label: the rules run on the sentence alone, as the model will see them."""
    out = []
    for lab in found:
        s = lab.sentence
        [rules] = classify(s, normalise(s), [(lab.place_start, lab.place_end, 0, len(s))], None, lexicon)
        out.append((coder.features(s, lab.place_start, lab.place_end, rules), lab.label))
    return out


Progress = Callable[[int, int], None]  # (models trained, models to train): a fold's model or the final one


def choose_policy(
    found: list[Label], pairs: list[tuple[list[str], str]], progress: Progress | None = None
) -> tuple[tuple[str, float], dict[tuple[str, float], float]]:
    """Where the model may overrule the rules (SCOPES) and how sure it must be (THRESHOLDS): the pair with
    the best cross-validated accuracy on labels the rules were not written on.

    `progress(k, FOLDS + 1)` is told after fold k (the final model, trained by train_model, is the last)."""
    judged = [i for i, lab in enumerate(found) if not lab.rules_written_on] or list(range(len(found)))
    groups = sorted({found[i].group for i in judged})
    random.Random(0).shuffle(groups)
    policies = [(scope, t) for scope in coder.SCOPES for t in THRESHOLDS]
    right = dict.fromkeys(policies, 0)
    for k in range(FOLDS):
        held = set(groups[k::FOLDS])
        train = [pairs[i] for i in range(len(found)) if found[i].group not in held]
        if train:
            model = coder.train(train)
            for i in judged:
                if found[i].group not in held:
                    continue
                feats, label = pairs[i]
                predicted, probability = model.predict(feats)
                rules_label = next(f[5:] for f in feats if f.startswith("rule="))
                certain = "certain=True" in feats
                for scope, t in policies:
                    allowed = not certain and (scope == "all" or rules_label != coder.NONE)
                    right[scope, t] += (predicted if allowed and probability >= t else rules_label) == label
        if progress:
            progress(k + 1, FOLDS + 1)
    scores = {p: right[p] / len(judged) for p in policies}
    # The narrow scope skips the model wherever the rules see nothing (most places): it wins unless the
    # wide one is better by more than COST_OF_SCOPE; ties then trust the rules more.
    best = max(policies, key=lambda p: (scores[p] + (COST_OF_SCOPE if p[0] == "events" else 0), p[1]))
    return best, scores


def train_model(
    eval_dir: Path, lexicon: Lexicon, progress: Progress | None = None
) -> tuple[coder.Model, dict[tuple[str, float], float], int]:
    """The model on every label, with its cross-validated policy, and the scores behind it.

    Six models are trained (one per fold, then the final one, about 4 s each here): `progress(done, 6)`
    is told after each, for a bar with an ETA."""
    found = list(labels(eval_dir, lexicon.root))
    if not found:
        raise FileNotFoundError(f"no labelled sentences in {eval_dir}")
    pairs = examples(found, lexicon)
    (scope, threshold), scores = choose_policy(found, pairs, progress)
    model = coder.train(pairs)
    if progress:
        progress(FOLDS + 1, FOLDS + 1)
    model = coder.Model(model.classes, model.bias, model.weights, threshold, scope)
    return model, scores, len(found)


def save(model: coder.Model, lexicon_dir: Path) -> Path:
    path = lexicon_dir / coder.MODEL_NAME
    write_text_atomic(path, model.to_json() + "\n")
    return path

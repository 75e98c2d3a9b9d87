"""The event coder that learns: a linear model over the words around a place, trained on labelled sentences.

The rules (lexicons/) are right when a trigger word names the event; they miss reports worded
another way and mislabel places that are only named. A multinomial logistic regression over word
unigrams, bigrams and stems of the sentence, and the words right around the place, learns from the
labelled sentences in the repository (and the analysts' corrections) what the rules cannot list.

Training needs scikit-learn (`geo events train`); predicting needs nothing: the model is a plain
JSON file of weights (lexicons/event_model.json), read with no code execution, rebuilt
reproducibly from the same labels (what was read is kept as a pickle in the user's cache folder,
beside the gazetteer's index).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import cast

from geo import settings, store
from geo.models import Event
from geo.text.normalise import normalise

try:  # the compiled sum of weight rows (_scorecore.pyx, built by `pip install -e .`); else numpy's
    from geo.events import _scorecore as compiled  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - a checkout whose extension was not built
    compiled = None

NONE = "none"
SCOPES = ("all", "events")
MODEL_NAME = "event_model.json"
WINDOW = 40  # characters on each side of the place whose words are features of their own
STEM = 5
MIN_EXAMPLES = 2  # a feature seen in one labelled sentence only is not learned from
MIN_WEIGHT = 0.02
_WORD = re.compile(r"[a-z]+|\d+")
_DIGITS = re.compile(r"\d+")


class Scores(tuple):
    """One summed score per class (a tuple of floats: told apart from a list of feature names)."""


def _pairwise_sum(values: list[float]) -> float:
    """sum(values) added in the order numpy sums a float array (pairwise, eight partial sums a block):
    the probabilities are the floats they were when the coder computed them with numpy."""
    n = len(values)
    if n < 8:
        total = 0.0
        for v in values:
            total += v
        return total
    if n > 128:
        half = n // 2
        half -= half % 8
        return _pairwise_sum(values[:half]) + _pairwise_sum(values[half:])
    r = values[:8]
    i = 8
    while i < n - n % 8:
        r = [a + b for a, b in zip(r, values[i : i + 8], strict=True)]
        i += 8
    total = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
    for v in values[i:]:
        total += v
    return total


def label_of(event_type: str | None, sub_event_type: str | None) -> str:
    return f"{event_type}|{sub_event_type}" if event_type and event_type != NONE else NONE


def split_label(label: str) -> tuple[str | None, str | None]:
    if label == NONE:
        return None, None
    event_type, sub = label.split("|", 1)
    return event_type, sub


def _words(text: str) -> list[str]:
    """The words of normalised text, every number as "0" (numbers replaced before the scan: no
    Python test per word)."""
    return _WORD.findall(_DIGITS.sub("0", text))


def sentence_features(norm: str) -> list[str]:
    """What a (normalised) sentence says, whatever place in it: its words, word pairs and stems.
    Computed once per sentence: every place in it shares them."""
    words = _words(norm)
    out = [f"w={w}" for w in words]
    out += [f"b={a}_{b}" for a, b in zip(words, words[1:], strict=False)]
    out += [f"s={w[:STEM]}" for w in words if len(w) > STEM]
    return out


def place_features(norm: str, place_start: int, place_end: int, rules: Event | None = None) -> list[str]:
    """What is said right around one place (WINDOW characters each side), and what the rules decided
    there (their label and trigger: the model learns when to trust them)."""
    out = [f"l={w}" for w in _words(norm[max(0, place_start - WINDOW) : place_start])]
    out += [f"r={w}" for w in _words(norm[place_end : place_end + WINDOW])]
    if rules is not None:
        out += _rule_features(rules)
    return out


def _rule_features(rules: Event) -> list[str]:
    return [
        f"rule={label_of(rules.event_type, rules.sub_event_type)}",
        f"rtype={rules.event_type}",
        f"trig={normalise(rules.trigger)}",
        f"certain={rules.certain}",
    ]


def features(sentence: str, place_start: int, place_end: int, rules: Event | None = None) -> list[str]:
    """All the features of a place at sentence[place_start:place_end] (as training sees them)."""
    norm = normalise(sentence)
    return sentence_features(norm) + place_features(norm, place_start, place_end, rules)


class WeightRows(Mapping[str, tuple[float, ...]]):
    """A model's weight rows by feature as one array of floats, a row a feature in `row`'s order: what the
    cache keeps of them. 16k tuples of 25 floats took 15 ms of every start-up to unpickle, and only
    training and to_json read them (the parse sums the model's own flat rows)."""

    def __init__(self, row: dict[str, int], values: array[float], width: int):
        self._row, self._values, self._width = row, values, width

    def __getitem__(self, feature: str) -> tuple[float, ...]:
        start = self._row[feature] * self._width
        return tuple(self._values[start : start + self._width])

    def __iter__(self) -> Iterator[str]:
        return iter(self._row)

    def __len__(self) -> int:
        return len(self._row)


@dataclass(frozen=True)
class Model:
    classes: tuple[str, ...]
    bias: tuple[float, ...]
    weights: Mapping[str, tuple[float, ...]]
    threshold: float = 0.0  # the model decides when this sure; the rules otherwise (chosen in training)
    scope: str = "all"  # "all": every place; "events": only where the rules see an event (SCOPES)

    def __post_init__(self) -> None:
        rows = list(self.weights)
        row = {f: i for i, f in enumerate(rows)}
        object.__setattr__(self, "_row", row)
        object.__setattr__(self, "_rule_rows", {})  # a rules decision's rows, memoised (both paths)
        object.__setattr__(self, "_bias_tuple", tuple(self.bias))
        if compiled is not None:  # each row as its non-zero (class, weight) pairs, flat: about 5 of 25 classes
            starts, classes, values = array("i", [0]), array("i"), array("d")
            for f in rows:
                for c, v in enumerate(self.weights[f]):
                    if v:
                        classes.append(c)
                        values.append(v)
                starts.append(len(classes))
            object.__setattr__(self, "_flat", (starts, classes, values))
        else:
            import numpy as np  # only without the compiled module: its import is a third of the start-up

            matrix = np.array([self.weights[f] for f in rows], dtype=np.float64)
            object.__setattr__(self, "_matrix", matrix.reshape(len(rows), len(self.classes)))
            object.__setattr__(self, "_bias", np.array(self.bias, dtype=np.float64))
            # Its look-ups (the compiled path has its own tables, _scorecore.RowSums, and the cache keeps
            # only what its path reads: these took 6 ms of every start-up to unpickle): word pairs by
            # first word, then second; a word's own rows and a word's left and right of a place, memoised.
            pairs: dict[str, dict[str, int]] = {}
            for f, i in row.items():
                if f.startswith("b="):
                    first, second = f[2:].split("_", 1)
                    pairs.setdefault(first, {})[second] = i
            for name, value in (("_pairs", pairs), ("_word_rows", {}), ("_left_rows", {}), ("_right_rows", {})):
                object.__setattr__(self, name, value)

    def __getstate__(self) -> dict:
        """For the cache: the weight rows packed in one array (WeightRows), the rest as it is but the
        compiled rows (remade from `_flat` on first use)."""
        rows = array("d", [v for f in self._row for v in self.weights[f]])  # type: ignore[attr-defined]
        state = self.__dict__ | {"weights": WeightRows(self._row, rows, len(self.classes))}  # type: ignore[attr-defined]
        state.pop("_sums", None)
        return state

    def _row_sums(self):  # -> compiled.RowSums
        """The compiled weight rows (_scorecore.RowSums), made once per model."""
        sums = self.__dict__.get("_sums")
        if sums is None:
            sums = compiled.RowSums(*self._flat, self._bias_tuple, list(self._row), STEM)
            object.__setattr__(self, "_sums", sums)
        return sums

    def _sum(self, found: Iterable[int]) -> Scores:
        """The bias plus the weight rows `found`, each once, in the order met: compiled when built, else
        with numpy; the same floats."""
        if compiled is not None:
            return Scores(self._row_sums().sum(found))
        import numpy as np

        rows = self._matrix.take(list(dict.fromkeys(found)), axis=0)  # type: ignore[attr-defined]
        return Scores((self._bias + np.add.reduce(rows, axis=0)).tolist())  # type: ignore[attr-defined]

    def scores(self, feats: Iterable[str]) -> Scores:
        get = self._row.get  # type: ignore[attr-defined]
        return self._sum({i for f in set(feats) if (i := get(f)) is not None})

    def sentence_scores(self, norm: str) -> Scores:
        """`scores(sentence_features(norm))`, without making a string per feature (the parse's hot path)."""
        if compiled is not None:  # the same words and rows, in the same order (_scorecore.pyx)
            return Scores(self._row_sums().sentence(norm))
        memo, pairs = self._word_rows, self._pairs  # type: ignore[attr-defined]
        words = _words(norm)
        found: list[int] = []
        for w in words:
            own = memo.get(w)
            if own is None:
                own = self._own_rows(w)
            found += own
        for first, second in zip(words, words[1:], strict=False):
            i = pairs.get(first, {}).get(second)
            if i is not None:
                found.append(i)
        return self._sum(found)

    def _own_rows(self, w: str) -> tuple[int, ...]:
        """The rows of a word's own features (w=, and s= for a long word), remembered."""
        row = self._row  # type: ignore[attr-defined]
        names = (f"w={w}", f"s={w[:STEM]}") if len(w) > STEM else (f"w={w}",)
        own = self._word_rows[w] = tuple(row[f] for f in names if f in row)  # type: ignore[attr-defined]
        return own

    def place_scores(self, norm: str, place_start: int, place_end: int, rules: Event | None = None) -> Scores:
        """`scores(place_features(...))`, from rows memoised per word and per rules decision."""
        if compiled is not None:
            return Scores(self._row_sums().place(norm, place_start, place_end, WINDOW, self._rules_rows(rules)))
        return self._sum(self._place_rows(norm, place_start, place_end, rules))

    def place_best(
        self, norm: str, place_start: int, place_end: int, rules: Event | None, base: Scores | None
    ) -> tuple[str, float]:
        """`_best(place_scores(...), base)`: the label the model is surest of for a place and how sure,
        all in C when the extension is built (a place's 25 scores and their softmax were a fifth of a parse)."""
        if compiled is None:
            return self._best(self._sum(self._place_rows(norm, place_start, place_end, rules)), base)
        sums = self._row_sums()
        top, probability = sums.place_best(norm, place_start, place_end, WINDOW, self._rules_rows(rules), base)
        return self.classes[top], probability

    def _rules_rows(self, rules: Event | None) -> tuple[int, ...]:
        """The rows of the rules' decision at a place (its label, type, trigger and certainty), memoised."""
        if rules is None:
            return ()
        key = (rules.event_type, rules.sub_event_type, rules.trigger, rules.certain)
        own = self._rule_rows.get(key)  # type: ignore[attr-defined]
        if own is None:
            row = self._row  # type: ignore[attr-defined]
            own = self._rule_rows[key] = tuple(row[f] for f in _rule_features(rules) if f in row)  # type: ignore[attr-defined]
        return own

    def _place_rows(self, norm: str, place_start: int, place_end: int, rules: Event | None) -> list[int]:
        """The rows of a place's features, in the order met: the words around it, then the rules' decision."""
        row = self._row  # type: ignore[attr-defined]
        found: list[int] = []
        for side, memo, words in (
            ("l=", self._left_rows, _words(norm[max(0, place_start - WINDOW) : place_start])),  # type: ignore[attr-defined]
            ("r=", self._right_rows, _words(norm[place_end : place_end + WINDOW])),  # type: ignore[attr-defined]
        ):
            for w in words:
                i = memo.get(w)
                if i is None:
                    i = memo[w] = row.get(side + w, -1)
                if i >= 0:
                    found.append(i)
        return found + list(self._rules_rows(rules))

    def predict(self, feats: Iterable[str]) -> tuple[str, float]:
        """The most likely label and its probability."""
        return self._top(self.scores(feats))

    def _top(self, scores: Sequence[float]) -> tuple[str, float]:
        """The best class (the first of equals) and its softmax probability."""
        best = max(scores)
        return self.classes[scores.index(best)], 1.0 / _pairwise_sum([math.exp(s - best) for s in scores])

    def to_json(self) -> str:
        # sparse: [class index, weight] pairs, only the weights that move a class
        weights = {
            f: [[i, round(v, 3)] for i, v in enumerate(w) if abs(v) >= MIN_WEIGHT]
            for f, w in sorted(self.weights.items())
        }
        head = {"threshold": self.threshold, "scope": self.scope, "classes": self.classes}
        body = {"bias": [round(b, 4) for b in self.bias], "weights": weights}
        return json.dumps(head | body, separators=(",", ":"))

    def decide(self, rules: Event, feats: Iterable[str], base: Scores | None = None) -> Event:
        """The event as the model codes it when it is sure enough, else as the rules did. Where the rules
        are certain (Event.certain) they decide.

        `base`: the scores of the sentence's own features (`sentence_scores`), when `feats` holds
        only the place's."""
        if rules.certain:
            return rules
        label, probability = self._best(feats, base)
        if probability < self.threshold or label == label_of(rules.event_type, rules.sub_event_type):
            return rules
        return _coded(rules, label)

    def _best(self, feats: Iterable[str] | Scores, base: Scores | None) -> tuple[str, float]:
        """`feats`: feature names, or their scores already summed (`place_scores`)."""
        own = feats if isinstance(feats, Scores) else self.scores(feats)
        if base is None:
            return self._top(own)
        return self._top([b + o - c for b, o, c in zip(base, own, self._bias_tuple, strict=True)])  # type: ignore[attr-defined]

    def decide_together(self, items: Sequence[tuple[Event, tuple[str, float] | None]]) -> list[Event]:
        """Decide the places one rules event covers in one sentence, consistently: if the rules are
        certain for one of them ("shelled Kafr Nabl in the countryside of Idlib"), they decide for
        all; else each place is an event or not by the model, and the events get the label the model
        is surest of. `items`: each place's rules event and the model's (label, probability) there
        (`place_best`; None when the group has a certain event: no scores are read)."""
        rules = items[0][0]
        if any(event.certain for event, _b in items):
            return [event if event.certain else event._replace(certain=True) for event, _b in items]
        best = [cast("tuple[str, float]", b) for _e, b in items]
        sure = [(p, label) for label, p in best if p >= self.threshold and label != NONE]
        group_label = max(sure)[1] if sure else label_of(rules.event_type, rules.sub_event_type)
        out = []
        for (event, _b), (label, p) in zip(items, best, strict=True):
            if p >= self.threshold and label == NONE:
                out.append(_coded(event, NONE) if event.event_type else event)
            elif group_label != label_of(event.event_type, event.sub_event_type):
                out.append(_coded(event, group_label))
            else:
                out.append(event)
        return out


def _coded(rules: Event, label: str) -> Event:
    event_type, sub = split_label(label)
    return rules._replace(event_type=event_type, sub_event_type=sub, decided_by="classifier")


def from_json(text: str) -> Model:
    data = json.loads(text)
    classes = tuple(data["classes"])
    size = len(classes)
    weights = {}
    for f, pairs in data["weights"].items():
        row = [0.0] * size
        for i, v in pairs:
            row[i] = v
        weights[f] = tuple(row)
    return Model(classes, tuple(data["bias"]), weights, float(data.get("threshold", 0.0)), data.get("scope", "all"))


@lru_cache(maxsize=4)
def _load(path: Path, mtime_ns: int) -> Model:
    """The model of a JSON file, through a pickle of it in the cache folder (as the gazetteer's index):
    reading 1 MB of JSON into a model took 0.2 s of every start-up, the pickle 0.05 s. The pickle is
    keyed by the JSON's bytes and this module's source, so an edit of either makes a new one."""
    data = path.read_bytes()
    built = b"compiled" if compiled is not None else b"numpy"  # the two keep different arrays
    digest = hashlib.sha256(data + Path(__file__).read_bytes() + built).hexdigest()[:20]
    cache = settings.cache_dir() / f"event-model-{digest}.pickle"
    model = store.load_cache(cache)
    if isinstance(model, Model):
        return model
    model = from_json(data.decode("utf-8"))
    store.save_cache(cache, model, "event-model-*.pickle")  # a read-only home still works, without the cache
    return model


def load(root: Path) -> Model | None:
    """The model in the lexicon folder `root`, or None when there is none (the rules decide alone).
    Asked once per article: the file's path is made once per folder, and only its stat is new."""
    path = _model_paths.get(root)
    if path is None:
        path = _model_paths[root] = root / MODEL_NAME
    try:
        return _load(path, os.stat(path).st_mtime_ns)
    except FileNotFoundError:
        return None


_model_paths: dict[Path, Path] = {}


def train(examples: Sequence[tuple[list[str], str]], c: float = 4.0) -> Model:
    """A multinomial logistic regression on (features, label) pairs. Same examples, same model."""
    from sklearn.feature_extraction import DictVectorizer  # training only: predicting needs no scikit-learn
    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_limits

    ordered = sorted(examples, key=lambda e: (e[1], e[0]))
    seen = Counter(f for feats, _ in ordered for f in set(feats))
    kept = [{f: 1 for f in feats if seen[f] >= MIN_EXAMPLES} for feats, _ in ordered]  # once is chance
    vectoriser = DictVectorizer()
    x = vectoriser.fit_transform(kept)
    y = [label for _, label in ordered]
    model = LogisticRegression(C=c, max_iter=2000)
    with threadpool_limits(1):  # a small sparse fit: BLAS threads spun more than they helped (retrain 29 -> 18 s)
        model.fit(x, y)
    names = vectoriser.get_feature_names_out()
    classes = tuple(str(k) for k in model.classes_)
    coef = model.coef_ if len(classes) > 2 else [(-model.coef_[0]) / 2, model.coef_[0] / 2]
    weights = {}
    for j, name in enumerate(names):
        column = tuple(float(row[j]) for row in coef)
        if max(abs(v) for v in column) >= MIN_WEIGHT:  # a feature that moves no class is left out
            weights[str(name)] = column
    intercept = model.intercept_ if len(classes) > 2 else [-model.intercept_[0] / 2, model.intercept_[0] / 2]
    return Model(classes, tuple(float(b) for b in intercept), weights)

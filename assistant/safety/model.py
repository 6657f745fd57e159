"""The trained layer: a classifier over character and word n-grams of the folded message.

It learns from training/<locale>.tsv (label, kind, voice, text), written by native speakers
apart from the evaluation sets, and from the FAQ's own phrasings as ordinary school questions.
Character n-grams carry it across misspellings, texting forms and scripts. Training takes a
few seconds, so a trained model is kept in memory and on disk, keyed by a hash of its data.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import pickle
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from assistant.safety.fold import fold

log = logging.getLogger(__name__)
TRAINING_DIR = Path(__file__).parent / "training"
DANGER, SAFE = "danger", "safe"
# Goes up whenever the model's code changes, so a cached model from older code is not used.
MODEL_VERSION = "3"


class TrainingError(ValueError):
    """Training data that cannot be used; the message names the file and line."""


@dataclass(frozen=True)
class Example:
    """One training message: danger or safe, its kind, and the folded text."""

    label: str
    kind: str
    text: str


def read_training(folder: Path = TRAINING_DIR) -> list[Example]:
    """Every locale's training messages, folded."""
    examples: list[Example] = []
    for path in sorted(folder.glob("*.tsv")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) != 4 or parts[0] not in (DANGER, SAFE):
                raise TrainingError(f"{path}:{number}: expected danger|safe<TAB>kind<TAB>voice"
                                    "<TAB>text")
            examples.append(Example(parts[0], parts[1], fold(parts[3])))
    return examples


def _features() -> FeatureUnion:
    return FeatureUnion([
        ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True,
                                  min_df=1, max_features=200_000)),
        ("words", TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True,
                                  token_pattern=r"(?u)\b\w+\b")),
    ])


class Classifier:
    """Danger probability for a folded message, and the likeliest kinds when it is danger."""

    def __init__(self, examples: Sequence[Example]) -> None:
        texts = [e.text for e in examples]
        labels = [e.label == DANGER for e in examples]
        self.danger = Pipeline([("features", _features()),
                                ("model", LogisticRegression(C=20.0, max_iter=2000,
                                                             class_weight="balanced"))])
        self.danger.fit(texts, labels)
        harmful = [e for e in examples if e.label == DANGER]
        self.kinds = Pipeline([("features", _features()),
                               ("model", LogisticRegression(C=20.0, max_iter=2000))])
        self.kinds.fit([e.text for e in harmful], [e.kind for e in harmful])

        self._danger = _LinearScorer(self.danger)
        self._kinds = _LinearScorer(self.kinds)

    def probability(self, folded: str) -> float:
        """How likely the message is to be about a child in danger, 0 to 1."""
        return 1.0 / (1.0 + math.exp(-self._danger.scores(folded)[0]))

    def probabilities(self, folded: Iterable[str]) -> list[float]:
        """The same, for many messages at once."""
        return [float(p) for p in self.danger.predict_proba(list(folded))[:, 1]]

    def likely_kinds(self, folded: str, top: int = 2) -> list[str]:
        """The kinds of danger the message most resembles, likeliest first."""
        raw = self._kinds.scores(folded)
        biggest = max(raw)
        weights = [math.exp(s - biggest) for s in raw]  # softmax, as the multinomial model
        total = sum(weights)
        ranked = sorted(zip(weights, self._kinds.classes, strict=True), reverse=True)[:top]
        return [kind for weight, kind in ranked if weight >= ranked[0][0] / 2 and total > 0]


class _LinearScorer:
    """A fitted pipeline's linear scores for one message without scikit-learn's per-call costs.

    The same arithmetic as the pipeline (each vectoriser's sublinear tf-idf, L2-normalised,
    then the linear model's weights), done with dictionaries for one short text: about ten
    times faster than calling the pipeline.
    """

    def __init__(self, pipeline: Pipeline) -> None:
        union: FeatureUnion = pipeline.named_steps["features"]
        model: LogisticRegression = pipeline.named_steps["model"]
        self.classes = [str(c) for c in model.classes_]
        self.intercepts = [float(b) for b in model.intercept_]
        self.parts: list[tuple[Any, dict[str, tuple[float, list[float]]]]] = []
        offset = 0
        for _name, vectorizer in union.transformer_list:
            vocabulary: dict[str, int] = vectorizer.vocabulary_
            idf = vectorizer.idf_
            terms = {term: (float(idf[i]), [float(w) for w in model.coef_[:, offset + i]])
                     for term, i in vocabulary.items()}
            self.parts.append((vectorizer.build_analyzer(), terms))
            offset += len(vocabulary)

    def scores(self, text: str) -> list[float]:
        """The model's decision value per row of weights (one row for a yes/no model)."""
        scores = list(self.intercepts)
        for analyze, terms in self.parts:
            counts: dict[str, int] = {}
            for gram in analyze(text):
                if gram in terms:
                    counts[gram] = counts.get(gram, 0) + 1
            if not counts:
                continue
            values = [(1.0 + math.log(n)) * terms[g][0] for g, n in counts.items()]
            norm = math.sqrt(sum(v * v for v in values))
            for value, gram in zip(values, counts, strict=True):
                for row, weight in enumerate(terms[gram][1]):
                    scores[row] += value * weight / norm
        return scores


def _digest(examples: Sequence[Example]) -> str:
    h = hashlib.sha256(f"{MODEL_VERSION} {sklearn.__version__}".encode())
    for e in examples:
        h.update(f"{e.label}\t{e.kind}\t{e.text}\n".encode())
    return h.hexdigest()[:20]


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "school-aup-assistant"


_loaded: dict[str, Classifier] = {}


def trained(examples: Sequence[Example]) -> Classifier:
    """The classifier for these examples: from memory, the disk cache, or trained now."""
    key = _digest(examples)
    if key in _loaded:
        return _loaded[key]
    path = _cache_dir() / f"danger-{key}.pickle"
    model: Classifier | None = None
    try:
        with path.open("rb") as handle:
            found = pickle.load(handle)  # our own file, written below; named by its data's hash
        model = found if isinstance(found, Classifier) else None
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
        model = None
    if model is None:
        model = Classifier(examples)
        _store(path, model)
    _loaded[key] = model
    return model


def _store(path: Path, model: Classifier) -> None:
    """Writes the trained model where the next start finds it; a failure only costs time."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as handle:
            pickle.dump(model, handle)
        Path(handle.name).replace(path)
    except OSError as error:
        log.info("danger model not cached (%s); it will be trained again next start", error)

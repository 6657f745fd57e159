"""The trained layer: a classifier over character and word n-grams of the folded message.

It learns from training/<locale>.tsv (label, kind, voice, text), written by native speakers
apart from the evaluation sets, and from the FAQ's own phrasings as ordinary school questions.
Character n-grams carry it across misspellings, texting forms and scripts. Training takes a
few seconds, so a trained model is kept in memory and on disk, keyed by a hash of its data.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from assistant.safety.fold import fold

log = logging.getLogger(__name__)
TRAINING_DIR = Path(__file__).parent / "training"
DANGER, SAFE = "danger", "safe"


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

    def probability(self, folded: str) -> float:
        """How likely the message is to be about a child in danger, 0 to 1."""
        return float(self.danger.predict_proba([folded])[0][1])

    def probabilities(self, folded: Iterable[str]) -> list[float]:
        """The same, for many messages at once."""
        return [float(p) for p in self.danger.predict_proba(list(folded))[:, 1]]

    def likely_kinds(self, folded: str, top: int = 2) -> list[str]:
        """The kinds of danger the message most resembles, likeliest first."""
        scores = self.kinds.predict_proba([folded])[0]
        order = np.argsort(scores)[::-1][:top]
        best = scores[order[0]]
        return [str(self.kinds.classes_[i]) for i in order if scores[i] >= best / 2]


def _digest(examples: Sequence[Example]) -> str:
    h = hashlib.sha256(sklearn.__version__.encode())
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

"""Linear text models over character and word n-grams, shared by the danger check and the FAQ.

Character n-grams carry a model across misspellings, texting forms and scripts; word n-grams
carry meaning. Training takes seconds, so a trained model is kept in memory and on disk, named
by a hash of its data and of this code's version; scoring one message is done with plain
dictionaries (`LinearScorer`), about ten times faster than calling scikit-learn per message.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import pickle
import re
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import numpy as np

if TYPE_CHECKING:  # scikit-learn is imported to train, never to load or score a model
    from sklearn.pipeline import Pipeline

log = logging.getLogger(__name__)
# Goes up whenever a model's code changes, so a cached model from older code is not used.
CODE_VERSION = "7"
T = TypeVar("T")


def ngram_pipeline(*, c: float, balanced: bool = False,
                   chars: tuple[int, int] = (2, 5)) -> Pipeline:
    """Sublinear tf-idf of character (within words) and word n-grams, then logistic regression."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, Pipeline

    features = FeatureUnion([
        ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=chars, sublinear_tf=True,
                                  max_features=200_000)),
        ("words", TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True,
                                  token_pattern=r"(?u)\b\w+\b")),
    ])
    model = LogisticRegression(C=c, max_iter=3000,
                               class_weight="balanced" if balanced else None)
    return Pipeline([("features", features), ("model", model)])


_SPACES = re.compile(r"\s\s+")


@dataclass(frozen=True)
class Analyzer:
    """The n-grams scikit-learn's vectoriser reads from a text (lowercased), without it.

    Kept apart from scikit-learn so that a trained model loads and scores with NumPy alone:
    the library is needed to train, not to answer.
    """

    kind: str  # "char_wb" or "word"
    low: int
    high: int
    token_pattern: str

    def __call__(self, text: str) -> list[str]:
        text = text.lower()
        if self.kind == "char_wb":
            return self._char_wb(_SPACES.sub(" ", text))
        return self._words(re.findall(self.token_pattern, text))

    def _char_wb(self, text: str) -> list[str]:
        grams: list[str] = []
        for word in text.split():
            grams.extend(self.char_wb_word(word))
        return grams

    def char_wb_word(self, word: str) -> list[str]:
        """One word's character n-grams, padded with a space each side."""
        grams: list[str] = []
        padded = f" {word} "
        for n in range(self.low, self.high + 1):
            if len(padded) <= n:
                grams.append(padded)  # a short word counts once, whole
                break
            grams.extend(padded[i:i + n] for i in range(len(padded) - n + 1))
        return grams

    def _words(self, tokens: list[str]) -> list[str]:
        grams = list(tokens) if self.low == 1 else []
        for n in range(max(self.low, 2), min(self.high, len(tokens)) + 1):
            grams.extend(" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1))
        return grams


class LinearScorer:
    """A fitted n-gram pipeline's decision values for one text, without per-call overheads.

    The same arithmetic as the pipeline: each vectoriser's sublinear tf-idf, L2-normalised,
    then the linear model's weights. A word's character n-grams are looked up once and kept
    (families use the same few thousand words again and again), so scoring a message is
    mostly a few dictionary reads and one small matrix product.
    """

    WORDS_KEPT = 20_000  # words whose n-gram rows are remembered, per model

    def __init__(self, pipeline: Pipeline) -> None:
        union = pipeline.named_steps["features"]
        model = pipeline.named_steps["model"]
        self.classes = [str(c) for c in model.classes_]
        self.intercepts = np.asarray(model.intercept_, dtype=np.float64)
        # One row of weights per feature (a column per class), gathered for the grams present.
        self.weights = np.ascontiguousarray(model.coef_.T, dtype=np.float64)
        self.parts: list[tuple[Analyzer, dict[str, int]]] = []
        idfs: list[np.ndarray] = []
        offset = 0
        for _name, vectorizer in union.transformer_list:
            vocabulary: dict[str, int] = vectorizer.vocabulary_
            idfs.append(np.asarray(vectorizer.idf_, dtype=np.float64))
            rows = {term: offset + i for term, i in vocabulary.items()}
            low, high = vectorizer.ngram_range
            if vectorizer.analyzer not in ("char_wb", "word"):
                raise ValueError(f"LinearScorer reads char_wb and word n-grams, "
                                 f"not {vectorizer.analyzer!r}")
            analyzer = Analyzer(vectorizer.analyzer, low, high, vectorizer.token_pattern)
            self.parts.append((analyzer, rows))
            offset += len(vocabulary)
        self.idf = np.concatenate(idfs) if idfs else np.zeros(0)
        # The word cache below serves one character part; a second would mix their rows.
        if sum(1 for analyzer, _rows in self.parts if analyzer.kind == "char_wb") > 1:
            raise ValueError("LinearScorer reads at most one char_wb vectoriser")
        self._word_rows: dict[str, tuple[int, ...]] = {}
        self.bounds = self._bounds()

    def _bounds(self) -> np.ndarray:
        """The first row of each part after the first, to tell the parts' rows apart."""
        return np.cumsum([len(rows) for _analyzer, rows in self.parts])[:-1]

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._word_rows = {}
        self.bounds = self._bounds()

    def __getstate__(self) -> dict[str, object]:
        return {k: v for k, v in self.__dict__.items() if k not in ("_word_rows", "bounds")}

    def _rows_of_word(self, analyze: Analyzer, rows: dict[str, int], word: str) -> tuple[int, ...]:
        """The feature rows of one word's character n-grams (repeats kept), remembered."""
        found = self._word_rows.get(word)
        if found is None:
            found = tuple(rows[g] for g in analyze.char_wb_word(word) if g in rows)
            if len(self._word_rows) >= self.WORDS_KEPT:
                self._word_rows.clear()  # a rare reset costs a few lookups, never an answer
            self._word_rows[word] = found
        return found

    def scores(self, text: str) -> list[float]:
        """The decision value per class row (one value for a yes/no model)."""
        total = self.intercepts.copy()
        lowered = text.lower()
        found: list[int] = []
        for analyze, rows in self.parts:
            if analyze.kind == "char_wb":
                for word in lowered.split():
                    found.extend(self._rows_of_word(analyze, rows, word))
            else:
                found.extend(rows[g] for g in analyze(lowered) if g in rows)
        if not found:
            return [float(x) for x in total]
        # A message has a few hundred grams at most: counting them in a dict is quicker
        # than sorting an array (np.unique), and the order of rows changes no sum. Both
        # vectorisers' rows are counted and weighed together; each is L2-normalised on its own.
        counts = Counter(found)
        present = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
        tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        values = (1.0 + np.log(tf)) * self.idf[present]
        part = np.searchsorted(self.bounds, present, side="right")
        norms = np.sqrt(np.bincount(part, weights=values * values, minlength=len(self.parts)))
        values /= norms[part]  # a part with no grams has no rows here to divide
        total += values @ self.weights[present]
        return [float(x) for x in total]

    def probability(self, text: str) -> float:
        """For a yes/no model: the probability of the second class."""
        return 1.0 / (1.0 + math.exp(-self.scores(text)[0]))

    def probabilities(self, text: str) -> dict[str, float]:
        """For a model of several classes: each class's probability (softmax)."""
        raw = self.scores(text)
        top = max(raw)
        weights = [math.exp(s - top) for s in raw]
        total = sum(weights)
        return {c: w / total for c, w in zip(self.classes, weights, strict=True)}


def digest(name: str, lines: Iterable[str]) -> str:
    """A short hash of a model's name, its training lines and the code's version."""
    h = hashlib.sha256(f"{name} {CODE_VERSION} {version('scikit-learn')}".encode())
    for line in lines:
        h.update(line.encode())
        h.update(b"\n")
    return h.hexdigest()[:20]


def cache_dir() -> Path:
    """Where trained models are kept between starts."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "school-aup-assistant"


_loaded: dict[str, object] = {}


def cached(key: str, kind: type[T], build: Callable[[], T]) -> T:
    """The model named by key: from memory, the disk cache, or built (trained) now."""
    found = _loaded.get(key)
    if isinstance(found, kind):
        return found
    path = cache_dir() / f"{key}.pickle"
    model: T | None = None
    try:
        with path.open("rb") as handle:
            loaded = pickle.load(handle)  # our own file, written below; named by its data's hash
        model = loaded if isinstance(loaded, kind) else None
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        model = None
    if model is None:
        model = build()
        _store(path, model)
    _loaded[key] = model
    return model


def _store(path: Path, model: object) -> None:
    """Writes a trained model where the next start finds it; a failure only costs time."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as handle:
            pickle.dump(model, handle)
        Path(handle.name).replace(path)
    except OSError as error:
        log.info("model not cached (%s); it will be trained again next start", error)

"""FAQ matching: which curated entry answers a question, and how sure we are.

A classifier over character and word n-grams, trained on every phrasing of every entry, on
phrasings written apart from the FAQ from the topic catalogue (faq/<locale>/phrasings.tsv),
and on ordinary school questions the FAQ does not cover: they are a class of their own ("-"),
so "when is parents' evening" is recognised as outside the FAQ rather than forced onto the
nearest entry. The question is read twice, as typed (folded) and as the normaliser's concepts
(texting forms, spellings and synonyms resolved), so both kinds of knowledge are features.

The thresholds cap confident wrong answers first, then answer as much as they can; between
them the matcher offers "did you mean". They were chosen by cross-validation (`faq tune`).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from assistant.faq.content import FAQ_DIR, Entry, load_entries, load_phrasings
from assistant.faq.normalise import tokens, words
from assistant.safety.fold import fold
from assistant.textmodel import LinearScorer, cached, digest, ngram_pipeline

# Only the start of a message is matched: a question is asked in its first few sentences,
# and the rest of a long message is context that would only add noise (and time).
MAX_QUESTION = 400
OUT_OF_SCOPE = "-"
# For a one-word question, the two nearest entries, and a third at least this likely, are
# offered as "did you mean".
VAGUE_FLOOR = 0.05
# The classifier's regularisation, chosen by cross-validation (`faq tune`).
C = 30.0
SMALL_TALK = frozenset({
    "hi", "hello", "hey", "hiya", "morning", "afternoon", "evening", "thanks", "thank",
    "thankyou", "cheers", "ta", "ok", "okay", "k", "yes", "no", "bye", "goodbye", "great",
    "cool", "nice", "lovely", "brilliant", "perfect", "good", "fine", "sure",
})


class Outcome(Enum):
    """What the matcher concluded about a question."""

    ANSWER = "answer"
    SUGGEST = "suggest"
    UNKNOWN = "unknown"
    SMALL_TALK = "small-talk"


@dataclass(frozen=True)
class Match:
    """The matcher's verdict: the entry to answer with (if any), its score, and suggestions."""

    outcome: Outcome
    score: int
    entry: Entry | None = None
    suggestions: tuple[Entry, ...] = ()


@dataclass(frozen=True)
class Thresholds:
    """Probabilities (0-1) that decide between answering, suggesting and declining."""

    answer: float = 0.6
    suggest: float = 0.12


def model_text(question: str, concepts: list[str] | None = None) -> str:
    """What the classifier reads: the question as typed, then its normalised concepts."""
    question = question[:MAX_QUESTION]
    if concepts is None:
        concepts = tokens(question)
    return f"{fold(question)} | {' '.join(concepts)}"


class _Model:
    """The trained classifier and its fast scorer."""

    def __init__(self, rows: Sequence[tuple[str, str]], c: float) -> None:
        pipeline = ngram_pipeline(c=c).fit([model_text(q) for _, q in rows],
                                           [label for label, _ in rows])
        self.scorer = LinearScorer(pipeline)


def training_rows(entries: Iterable[Entry],
                  extra: Iterable[tuple[str, str]] = ()) -> list[tuple[str, str]]:
    """(label, question) rows: every phrasing of every entry, then the extra labelled rows."""
    rows = [(entry.id, phrasing) for entry in entries for phrasing in entry.phrasings]
    return rows + [(label, question) for label, question in extra if question.strip()]


class Matcher:
    """Ranks the entries for a question and decides whether to answer, suggest or decline."""

    def __init__(self, entries: Iterable[Entry], thresholds: Thresholds | None = None, *,
                 extra: Iterable[tuple[str, str]] = (), c: float = C,
                 cache: bool = True) -> None:
        self.entries = tuple(entries)
        self.thresholds = thresholds or Thresholds()
        self._index = {entry.id: i for i, entry in enumerate(self.entries)}
        rows = training_rows(self.entries, extra)
        if cache:
            key = digest(f"faq-{c}", (f"{label}\t{q}" for label, q in rows))
            self._model = cached(f"faq-{key}", _Model, lambda: _Model(rows, c))
        else:
            self._model = _Model(rows, c)

    def probabilities(self, question: str,
                      concepts: list[str] | None = None) -> dict[str, float]:
        """Each entry's probability of being the one asked about, and "-" for none."""
        return self._model.scorer.probabilities(model_text(question, concepts))

    def scores(self, question: str,
               concepts: list[str] | None = None) -> list[tuple[float, int]]:
        """Scores every entry (0-100) for a question, best first."""
        ranked = [(100 * p, self._index[label])
                  for label, p in self.probabilities(question, concepts).items()
                  if label in self._index]
        return sorted(ranked, reverse=True)

    def forget_typos(self) -> None:
        """Kept for the benchmark's cold runs; the classifier keeps no per-question cache."""

    def match(self, question: str) -> Match:
        """Decides: answer with one entry, suggest up to three, or decline."""
        said = words(question[:MAX_QUESTION])
        if not said or all(w in SMALL_TALK for w in said):
            return Match(Outcome.SMALL_TALK, 0)
        concepts = tokens(question[:MAX_QUESTION])
        ranked = self.scores(question, concepts)
        if not ranked:
            return Match(Outcome.UNKNOWN, 0)
        t = self.thresholds
        top_score, top = ranked[0]
        close = tuple(self.entries[e] for s, e in ranked[:3] if s >= 100 * t.suggest)
        # One meaningful word ("video", "recording") is too little to be sure of: offer the
        # nearest entries instead of answering.
        if len(set(concepts)) < 2:
            nearest = tuple(self.entries[e] for i, (s, e) in enumerate(ranked[:3])
                            if i < 2 or s >= 100 * VAGUE_FLOOR)
            if nearest:
                return Match(Outcome.SUGGEST, round(top_score), None, nearest)
        if top_score >= 100 * t.answer:
            return Match(Outcome.ANSWER, round(top_score), self.entries[top], close[1:])
        if close:
            return Match(Outcome.SUGGEST, round(top_score), None, close)
        return Match(Outcome.UNKNOWN, round(top_score))


THRESHOLDS_FILE = "thresholds.toml"


def thresholds_for(locale: str, folder: Path = FAQ_DIR) -> Thresholds:
    """A locale's own thresholds, from faq/thresholds.toml when it lists the locale (each
    language's questions score differently; `faq tune --locale L` shows the table)."""
    path = folder / THRESHOLDS_FILE
    if not path.is_file():
        return Thresholds()
    data = tomllib.loads(path.read_text(encoding="utf-8")).get(locale)
    if not isinstance(data, dict):
        return Thresholds()
    found = Thresholds(answer=float(data.get("answer", Thresholds.answer)),
                       suggest=float(data.get("suggest", Thresholds.suggest)))
    if not 0 < found.suggest <= found.answer < 1:
        raise ValueError(f"{path}: need 0 < suggest <= answer < 1")
    return found


def build_matcher(locale: str = "en") -> Matcher:
    """The matcher for a locale: its entries, its training phrasings, its thresholds."""
    return Matcher(load_entries(locale), thresholds_for(locale), extra=load_phrasings(locale))

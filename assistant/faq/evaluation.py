"""Scoring matchers on labelled questions, side by side with two standard anchors.

A row is (entry id or "-", question). "Answered right" is answered outright with the right
entry; "wrong" is answered outright with a wrong entry, or answered a question the FAQ does
not cover, over all rows; "refused" is the share of out-of-scope questions not answered.
The anchors are trained or indexed on the same phrasings the FAQ ships (question and
alternates of every entry), and their thresholds are tuned on a tuning file (the shared
development set), under the same rule as the matcher's: wrong answers capped, then
answered-right made as large as it goes.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from rapidfuzz import fuzz

from assistant.faq.content import Entry
from assistant.faq.matcher import OUT_OF_SCOPE, Matcher, Outcome, Thresholds
from assistant.safety.fold import fold
from assistant.textmodel import LinearScorer, ngram_pipeline

Row = tuple[str, str]
# The cap on wrong answers that thresholds are chosen under.
WRONG_CAP = 0.02


class Ranker(Protocol):
    """Anything that ranks entries for a question and scores its confidence (0-1)."""

    name: str

    def ranked(self, question: str) -> list[tuple[float, str]]:
        """Entry ids with their confidence, best first."""
        ...


@dataclass(frozen=True)
class Figures:
    """How a ranker did on a set of labelled questions, as fractions."""

    top1: float
    top3: float
    answered: float
    refused: float
    wrong: float
    in_scope: int
    out_of_scope: int


def figures(rows: Sequence[Row], ranked: Sequence[list[tuple[float, str]]],
            answer_at: float) -> Figures:
    """The figures for precomputed rankings, answering where confidence >= answer_at."""
    inside = [(label, r) for (label, _), r in zip(rows, ranked, strict=True)
              if label != OUT_OF_SCOPE]
    outside = [r for (label, _), r in zip(rows, ranked, strict=True) if label == OUT_OF_SCOPE]
    top1 = sum(bool(r) and r[0][1] == label for label, r in inside)
    top3 = sum(label in [e for _, e in r[:3]] for label, r in inside)
    answered = sum(bool(r) and r[0][0] >= answer_at and r[0][1] == label for label, r in inside)
    wrong = sum(bool(r) and r[0][0] >= answer_at and r[0][1] != label for label, r in inside)
    wrong += sum(bool(r) and r[0][0] >= answer_at for r in outside)
    refused = len(outside) - sum(bool(r) and r[0][0] >= answer_at for r in outside)

    def share(n: int, d: int) -> float:
        return n / d if d else float("nan")

    return Figures(share(top1, len(inside)), share(top3, len(inside)),
                   share(answered, len(inside)), share(refused, len(outside)),
                   share(wrong, len(rows)), len(inside), len(outside))


def choose_threshold(rows: Sequence[Row], ranked: Sequence[list[tuple[float, str]]],
                     cap: float = WRONG_CAP) -> float:
    """The lowest confidence to answer at whose wrong share stays within the cap."""
    candidates = sorted({round(r[0][0], 3) for r in ranked if r} | {1.01})
    for threshold in candidates:
        if figures(rows, ranked, threshold).wrong <= cap:
            return threshold
    return 1.01


class MatcherRanker:
    """The project's matcher, ranked by its probabilities and answering as it would."""

    def __init__(self, matcher: Matcher, name: str = "matcher") -> None:
        self.matcher, self.name = matcher, name
        self.answer_at = matcher.thresholds.answer

    def ranked(self, question: str) -> list[tuple[float, str]]:
        match = self.matcher.match(question)
        ranking = [(s / 100, self.matcher.entries[e].id) for s, e in self.matcher.scores(question)]
        if match.outcome is not Outcome.ANSWER:
            # Small talk and declines never answer, whatever the ranking says.
            return [(min(p, self.answer_at - 1e-6), e) for p, e in ranking]
        return ranking


class TfidfAnchor:
    """The plain classifier: character 2-5 and word 1-2 n-grams, logistic regression."""

    name = "anchor: tf-idf + logistic regression"

    def __init__(self, entries: Sequence[Entry]) -> None:
        rows = [(e.id, fold(p)) for e in entries for p in e.phrasings]
        pipeline = ngram_pipeline(c=10.0).fit([q for _, q in rows], [label for label, _ in rows])
        self.scorer = LinearScorer(pipeline)

    def ranked(self, question: str) -> list[tuple[float, str]]:
        found = self.scorer.probabilities(fold(question))
        return sorted(((p, e) for e, p in found.items()), reverse=True)


class FuzzAnchor:
    """rapidfuzz's token_set_ratio against every phrasing; an entry keeps its best."""

    name = "anchor: rapidfuzz token_set_ratio"

    def __init__(self, entries: Sequence[Entry]) -> None:
        self.phrasings = [(e.id, fold(p)) for e in entries for p in e.phrasings]

    def ranked(self, question: str) -> list[tuple[float, str]]:
        folded = fold(question)
        best: dict[str, float] = {}
        for entry, phrasing in self.phrasings:
            score = fuzz.token_set_ratio(folded, phrasing) / 100
            best[entry] = max(best.get(entry, 0.0), score)
        return sorted(((s, e) for e, s in best.items()), reverse=True)


def rank_all(ranker: Ranker, rows: Sequence[Row]) -> list[list[tuple[float, str]]]:
    """The ranking of every row's question."""
    return [ranker.ranked(question) for _, question in rows]


def cross_validate(entries: Sequence[Entry], pool: Sequence[Row], *, folds: int = 5,
                   c: float, seed: int = 7,
                   make: Callable[..., Matcher] = Matcher) -> list[list[tuple[float, str]]]:
    """Out-of-fold rankings of the pool: each fold ranked by a matcher trained without it."""
    order = list(range(len(pool)))
    random.Random(seed).shuffle(order)
    ranked: list[list[tuple[float, str]]] = [[] for _ in pool]
    for fold_number in range(folds):
        held = set(order[fold_number::folds])
        train = [row for i, row in enumerate(pool) if i not in held]
        matcher = make(entries, Thresholds(answer=0.0, suggest=0.0), extra=train, c=c,
                       cache=False)
        index = {i: e.id for i, e in enumerate(matcher.entries)}
        for i in held:
            ranked[i] = [(s / 100, index[e]) for s, e in matcher.scores(pool[i][1])]
    return ranked

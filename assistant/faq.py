"""FAQ matching: which curated entry answers a question, and how sure we are."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

from rapidfuzz import fuzz, process

from assistant.faq_content import Entry
from assistant.normalise import tokens, words

# A message is cut here before matching; Telegram's own limit is 4,096 characters.
MAX_QUESTION = 4096
# Query words are compared with the vocabulary only up to this many (long messages ramble).
MAX_QUERY_TOKENS = 40
SMALL_TALK = frozenset(
    "hi hello hey hiya morning afternoon evening thanks thank thankyou cheers ta ok okay "
    "k yes no bye goodbye great cool nice lovely brilliant perfect good fine sure".split()
)


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
    """Scores (0-100) that decide between answering, suggesting and declining."""

    answer: float = 62.0
    suggest: float = 40.0
    margin: float = 8.0


@dataclass(frozen=True)
class _Phrase:
    entry: int
    weights: dict[str, float]
    total: float
    text: str


class Matcher:
    """Scores questions against every phrasing of every entry, weighting rare words higher."""

    def __init__(self, entries: Iterable[Entry], thresholds: Thresholds | None = None) -> None:
        self.entries = tuple(entries)
        self.thresholds = thresholds or Thresholds()
        per_entry: list[set[str]] = []
        for entry in self.entries:
            seen: set[str] = set()
            for phrasing in entry.phrasings:
                seen.update(tokens(phrasing))
            per_entry.append(seen)
        # Inverse document frequency over entries: words shared by many topics weigh little.
        df: Counter[str] = Counter(word for seen in per_entry for word in seen)
        n = max(len(self.entries), 1)
        self.idf = {word: math.log((n + 1) / (count + 0.5)) for word, count in df.items()}
        self.unseen_weight = math.log((n + 1) / 0.5)
        self.vocabulary = list(self.idf)
        self.phrases: list[_Phrase] = []
        self.by_word: dict[str, list[int]] = {}
        for index, entry in enumerate(self.entries):
            for phrasing in entry.phrasings:
                weights = {w: self.idf[w] for w in tokens(phrasing)}
                if not weights:
                    continue
                slot = len(self.phrases)
                self.phrases.append(_Phrase(index, weights, sum(weights.values()),
                                            " ".join(sorted(weights))))
                for word in weights:
                    self.by_word.setdefault(word, []).append(slot)

    def _resolve(self, word: str) -> tuple[str | None, float]:
        """Maps a query word to a vocabulary word, allowing for typos in longer words."""
        if word in self.idf:
            return word, 1.0
        if len(word) < 5 or not word.isascii():
            return None, 0.0
        found = process.extractOne(word, self.vocabulary, scorer=fuzz.ratio, score_cutoff=84)
        if found is None:
            return None, 0.0
        return found[0], found[1] / 100.0

    def scores(self, question: str) -> list[tuple[float, int]]:
        """Scores every entry (0-100) for a question, best first."""
        query = list(dict.fromkeys(tokens(question[:MAX_QUESTION])))[:MAX_QUERY_TOKENS]
        if not query:
            return []
        resolved: dict[str, float] = {}
        query_total = 0.0
        for word in query:
            target, similarity = self._resolve(word)
            if target is None:
                query_total += self.unseen_weight
                continue
            query_total += self.idf[target]
            resolved[target] = max(resolved.get(target, 0.0), similarity)
        best: dict[int, float] = {}
        candidates = {slot for word in resolved for slot in self.by_word.get(word, ())}
        for slot in candidates:
            phrase = self.phrases[slot]
            shared = sum(phrase.weights[w] * s for w, s in resolved.items() if w in phrase.weights)
            recall = shared / query_total
            precision = shared / phrase.total
            if shared <= 0:
                continue
            score = 100 * (2 * recall * precision) / (recall + precision)
            if score > best.get(phrase.entry, 0.0):
                best[phrase.entry] = score
        return sorted(((s, e) for e, s in best.items()), reverse=True)

    def match(self, question: str) -> Match:
        """Decides: answer with one entry, suggest up to three, or decline."""
        said = [w for w in words(question[:MAX_QUESTION])]
        if not said or all(w in SMALL_TALK for w in said):
            return Match(Outcome.SMALL_TALK, 0)
        ranked = self.scores(question)
        if not ranked:
            return Match(Outcome.UNKNOWN, 0)
        t = self.thresholds
        top_score, top = ranked[0]
        runner_up = ranked[1][0] if len(ranked) > 1 else 0.0
        close = [self.entries[e] for s, e in ranked[:3] if s >= t.suggest and top_score - s < 25]
        if top_score >= t.answer and top_score - runner_up >= t.margin:
            return Match(Outcome.ANSWER, round(top_score), self.entries[top], tuple(close[1:]))
        if top_score >= t.suggest:
            return Match(Outcome.SUGGEST, round(top_score), None, tuple(close))
        return Match(Outcome.UNKNOWN, round(top_score))

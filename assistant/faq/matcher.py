"""FAQ matching: which curated entry answers a question, and how sure we are."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

from rapidfuzz import fuzz, process

from assistant.faq.content import Entry
from assistant.faq.normalise import tokens, words

# Only the start of a message is matched: a question is asked in its first few sentences,
# and the rest of a long message is context that would only add noise (and time).
MAX_QUESTION = 600
# Words longer than this are not compared for typos (no topic word is that long).
MAX_FUZZY_WORD = 20
# Query words are compared with the vocabulary only up to this many (long messages ramble).
MAX_QUERY_TOKENS = 40
SMALL_TALK = frozenset(
    [
        "hi",
        "hello",
        "hey",
        "hiya",
        "morning",
        "afternoon",
        "evening",
        "thanks",
        "thank",
        "thankyou",
        "cheers",
        "ta",
        "ok",
        "okay",
        "k",
        "yes",
        "no",
        "bye",
        "goodbye",
        "great",
        "cool",
        "nice",
        "lovely",
        "brilliant",
        "perfect",
        "good",
        "fine",
        "sure",
    ]
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

    answer: float = 46.0
    suggest: float = 30.0
    margin: float = 6.0


# How much of the score comes from the entry as a whole (any of its phrasings) rather than
# from its single closest phrasing; chosen on the development set (see README).
BAG_WEIGHT = 0.5


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
        self.bags = per_entry
        self._typos: dict[str, tuple[str | None, float]] = {}
        self.phrases: list[_Phrase] = []
        self.by_word: dict[str, list[int]] = {}
        for index, entry in enumerate(self.entries):
            for phrasing in entry.phrasings:
                weights = {w: self.idf[w] for w in tokens(phrasing)}
                if not weights:
                    continue
                slot = len(self.phrases)
                self.phrases.append(
                    _Phrase(index, weights, sum(weights.values()), " ".join(sorted(weights)))
                )
                for word in weights:
                    self.by_word.setdefault(word, []).append(slot)

    def _resolve(self, word: str) -> tuple[str | None, float]:
        """Maps a query word to a vocabulary word, allowing for typos in longer words."""
        if word in self.idf:
            return word, 1.0
        if not 5 <= len(word) <= MAX_FUZZY_WORD or not word.isascii():
            return None, 0.0
        cached = self._typos.get(word)
        if cached is not None:
            return cached
        found = process.extractOne(word, self.vocabulary, scorer=fuzz.ratio, score_cutoff=84)
        result = (None, 0.0) if found is None else (found[0], found[1] / 100.0)
        if len(self._typos) < 50_000:
            self._typos[word] = result
        return result

    def forget_typos(self) -> None:
        """Empties the cache of typo corrections (for benchmarks)."""
        self._typos.clear()

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
        # Per phrasing: F1 of the weighted words shared (how much of the question it explains,
        # and how much of itself the question covers); the entry keeps its best phrasing.
        best: dict[int, float] = {}
        candidates = {slot for word in resolved for slot in self.by_word.get(word, ())}
        for slot in candidates:
            phrase = self.phrases[slot]
            shared = sum(phrase.weights[w] * s for w, s in resolved.items() if w in phrase.weights)
            recall = shared / query_total
            precision = shared / phrase.total
            f1 = 2 * recall * precision / (recall + precision)
            if f1 > best.get(phrase.entry, 0.0):
                best[phrase.entry] = f1
        # Plus how much of the question the entry's whole vocabulary explains.
        ranked = []
        for entry, f1 in best.items():
            bag = self.bags[entry]
            covered = sum(self.idf[w] * s for w, s in resolved.items() if w in bag) / query_total
            ranked.append((100 * ((1 - BAG_WEIGHT) * f1 + BAG_WEIGHT * covered), entry))
        return sorted(ranked, reverse=True)

    def match(self, question: str) -> Match:
        """Decides: answer with one entry, suggest up to three, or decline."""
        said = words(question[:MAX_QUESTION])
        if not said or all(w in SMALL_TALK for w in said):
            return Match(Outcome.SMALL_TALK, 0)
        ranked = self.scores(question)
        if not ranked:
            return Match(Outcome.UNKNOWN, 0)
        t = self.thresholds
        top_score, top = ranked[0]
        runner_up = ranked[1][0] if len(ranked) > 1 else 0.0
        close = [self.entries[e] for s, e in ranked[:3] if s >= t.suggest and top_score - s < 25]
        # One meaningful word ("video", "phone") is too little to be sure of, when it fits
        # more than one entry: offer the choices instead.
        vague = len(set(tokens(question[:MAX_QUESTION]))) < 2 and len(close) > 1
        if top_score >= t.answer and top_score - runner_up >= t.margin and not vague:
            return Match(Outcome.ANSWER, round(top_score), self.entries[top], tuple(close[1:]))
        if top_score >= t.suggest:
            return Match(Outcome.SUGGEST, round(top_score), None, tuple(close))
        return Match(Outcome.UNKNOWN, round(top_score))

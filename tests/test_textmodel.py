"""The fast scorer gives the trained pipeline's own answers, word cache or not."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from assistant.textmodel import LinearScorer, ngram_pipeline

TEXTS = [
    "can i record the zoom lesson", "my son hits his sister", "what time is the live lesson",
    "he touches me and says keep it secret", "is the school internet filtered",
    "she took a load of tablets", "the  homework   link is broken", "دخل غريب على الدرس",
    "mój syn nie wrócił do domu", "password for seesaw please", "a a a", "x",
]
LABELS = ["safe", "danger", "safe", "danger", "safe", "danger", "safe", "danger", "danger",
          "safe", "safe", "safe"]
ASKED = ["he hits me", "can I record it", "tablets tablets tablets", "", "   ", "zzzz qqq",
         "Mój syn  NIE wrócił", "keep it secret!!", "homework link"]


@pytest.fixture(scope="module")
def pipeline():  # type: ignore[no-untyped-def]
    return ngram_pipeline(c=5.0).fit(TEXTS, LABELS)


def test_scores_equal_the_pipelines_decision_values(pipeline) -> None:  # type: ignore[no-untyped-def]
    scorer = LinearScorer(pipeline)
    for _round in range(2):  # the second round reads every word from the cache
        for text in ASKED:
            expected = pipeline.decision_function([text])[0]
            assert scorer.scores(text)[0] == pytest.approx(float(expected), abs=1e-9), text


def test_probabilities_of_several_classes_equal_the_pipelines() -> None:
    labels = ["a", "b", "c"] * 4
    fitted = ngram_pipeline(c=5.0).fit(TEXTS, labels)
    scorer = LinearScorer(fitted)
    for text in ASKED:
        expected = dict(zip(fitted.classes_, fitted.predict_proba([text])[0], strict=True))
        got = scorer.probabilities(text)
        assert got == pytest.approx(expected, abs=1e-9)


def test_a_stored_scorer_loads_without_its_word_cache(pipeline) -> None:  # type: ignore[no-untyped-def]
    scorer = LinearScorer(pipeline)
    before = scorer.scores("he hits me")
    copy = pickle.loads(pickle.dumps(scorer))
    assert copy._word_rows == {}
    assert np.allclose(copy.scores("he hits me"), before)

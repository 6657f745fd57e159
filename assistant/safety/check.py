"""The danger check: does a message suggest a child may be in danger, and of what kind.

Two layers, either of which is enough: native key phrases (phrases.py) and a trained
classifier (model.py); only the phrases families also say in jest need the classifier to lean
their way too. The threshold favours recall: a false alarm costs a parent one
message about helplines; a miss can cost a child. It is chosen by cross-validation over the
labelled sets (`danger cv`), never on the report sets tests/data/danger/heldout-32.tsv,
heldout-33.tsv, heldout-53.tsv and heldout-54.tsv.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from assistant.people.identity import surely_a_code
from assistant.safety.fold import fold
from assistant.safety.kinds import CEOP_KINDS, KINDS, SAMARITANS_KINDS
from assistant.safety.model import TRAINING_DIR, Classifier, trained
from assistant.safety.phrases import LISTS_DIR, PhraseLayer, load_lists

# Probability above which the classifier alone calls a message danger (the probability that
# it is not safe). Chosen on `danger cv` by the rule in crossval.py: the lowest threshold whose
# cross-validated false alarms stay within 2.5% over all languages and 3% in each, with recall
# at least 98% in every language and in the sets written to the hard brief. Over 49 labelled
# sets in 10 folds (heldout-48 to 50 learnt, before training batch 52): 99.6% (28,592 of
# 28,718) / 2.2% at 0.20, Urdu the highest at 2.7%; at 0.18 Urdu (3.0%) or the whole (2.5%)
# is over its limit counted exactly, for 16 more danger messages caught. On the hard sets alone
# (heldout-34 to 50) false alarms are 3.5% at 0.20, 3.1% at 0.22 and 2.3% at 0.30, where 89
# more danger messages are missed: recall is not spent on them (crossval.py).
THRESHOLD = 0.20
# Probability from which a hedged phrase (one families also say in jest, phrases.py) counts:
# well under the threshold (0.10 against 0.20), so a message the classifier only half suspects
# still raises the alarm. On the folds of 42 sets at 0.20 hedging took 81 false alarms from
# the check (543 of 24,489 against 624) and one report (24,546 against 24,547: the message "so
# mum dont see" came from, 0.027 from the model that had not learnt it); the hedged phrases
# were picked with earlier folds in view, so that saving is partly in-sample.
HEDGE_FLOOR = 0.10
# Messages this short carry no report ("ok", "yes").
MIN_CHARS = 4
# The classifier reads messages of at least this many words; shorter ones only the phrases.
MIN_WORDS = 3


@dataclass(frozen=True)
class Danger:
    """What was spotted: the kinds of danger, the fragments that showed it, the score, and
    whether a phrase said only in earnest (not a hedged one) was among them."""

    kinds: tuple[str, ...]
    matched: tuple[str, ...] = ()
    score: float = 1.0
    firm: bool = False

    @property
    def ceop(self) -> bool:
        """Sexual contact, grooming or shared images: CEOP is named in the help."""
        return bool(CEOP_KINDS & set(self.kinds))

    @property
    def samaritans(self) -> bool:
        """Self-harm or suicidal talk: Samaritans is named in the help."""
        return bool(SAMARITANS_KINDS & set(self.kinds))


class DangerCheck:
    """Reads a message in any of the six locales and says whether a child may be in danger."""

    def __init__(self, phrases: PhraseLayer, classifier: Classifier,
                 threshold: float = THRESHOLD, floor: float = HEDGE_FLOOR) -> None:
        self.phrases, self.classifier = phrases, classifier
        self.threshold, self.floor = threshold, floor

    def check(self, text: str) -> Danger | None:
        """The danger a message suggests, or None."""
        folded = fold(text)
        if len(folded) < MIN_CHARS:
            return None
        hits = self.phrases.hits(folded)
        # A lone word or a link code ("UWMX-886F-CA") carries too little for the classifier,
        # which reads random letters as anything; the phrases still read it.
        words = sum(1 for w in folded.split() if any(c.isalpha() for c in w))
        readable = words >= MIN_WORDS and not surely_a_code(text)
        score = self.classifier.probability(folded) if readable else 0.0
        # A phrase said in jest as often as in earnest counts where the classifier leans the
        # same way, or cannot read the message at all.
        hits = [h for h in hits if not h.hedged or not readable or score >= self.floor]
        if not hits and score < self.threshold:
            return None
        kinds = [h.kind for h in hits] or self.classifier.likely_kinds(folded)
        ordered = tuple(sorted(set(kinds), key=KINDS.index))
        return Danger(ordered, tuple(h.fragment for h in hits), round(score, 3),
                      firm=any(not h.hedged for h in hits))


def build_check(lists_dir: Path = LISTS_DIR, training_dir: Path = TRAINING_DIR,
                extra_safe: list[str] | None = None) -> DangerCheck:
    """The check from the shipped lists and training data (plus ordinary questions as safe)."""
    return DangerCheck(PhraseLayer(load_lists(lists_dir)),
                       trained(training_dir, extra_safe or []))

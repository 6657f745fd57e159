"""Cross-validation of the danger check over its labelled sets: the sets are dealt into folds,
each fold is held out in turn, the classifier is trained on everything else, and the check is
scored on the sets left out. The two layers alone are scored beside it on the same folds."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from concurrent.futures import ProcessPoolExecutor
from fractions import Fraction
from pathlib import Path

from assistant.safety.check import HEDGE_FLOOR, THRESHOLD, DangerCheck
from assistant.safety.evaluation import Tally, evaluate
from assistant.safety.labelled import read_labelled
from assistant.safety.model import TRAINING_DIR, folds, labelled_sets, trained
from assistant.safety.phrases import LISTS_DIR, PhraseLayer, load_lists

# Folds unless asked otherwise: each model is trained on nine tenths of the labelled sets,
# and ten models (about 55 to 65 minutes, two at a time, on a 2-core machine the first time,
# over 40 sets) fit a working session.
FOLDS = 10

# The check as shipped, the same with its hedged phrases counted alone as the others are, and
# each of its layers alone.
VARIANTS = ("check", "hedged as others", "phrases alone", "classifier alone")


def at(threshold: float) -> str:
    """The name of the check at another threshold."""
    return f"check at {threshold:.2f}"


# Cross-validated recall at least this in every language, whatever else.
RECALL_FLOOR = Fraction(98, 100)


def meets_floor(groups: dict[str, Tally]) -> bool:
    """Whether recall reaches the floor in every language and in the sets written to every
    named brief, counted in whole messages (a rounded 98.0% that is really 97.98% does not)."""
    return all(t.caught >= RECALL_FLOOR * t.danger
               for g, t in groups.items() if g.startswith(("locale:", "brief:")))


def highest_meeting_floor(pooled: dict[str, dict[str, Tally]],
                          thresholds: Sequence[float]) -> float | None:
    """The highest of these thresholds (each scored with `others`) that meets the floor."""
    meeting = [t for t in thresholds if meets_floor(pooled[at(t)])]
    return max(meeting, default=None)


# The rule that picks the threshold: the lowest whose cross-validated false alarms stay within
# this budget, over all languages and in each. Recall on fresh report sets has run behind its
# cross-validated figure (99.1% against 97.1% at 0.30: training messages are written against
# the folds' weak shapes, which flatters the folds), while false alarms carried over (1.9%
# against 2.1%). So the threshold is steered by the figure that holds, and every gain within the
# budget goes to recall.
FALSE_ALARM_BUDGET = Fraction(25, 1000)
FALSE_ALARM_CAP = Fraction(3, 100)


def within_budget(groups: dict[str, Tally]) -> bool:
    """Whether false alarms are within the budget overall and the cap in every language,
    counted in whole messages. Not in every brief: recall is not spent on the hard sets' false
    alarms (the figures that weigh it are with THRESHOLD in check.py): a false alarm costs a
    family one message about helplines, a miss can cost a child."""
    every = groups["all"]
    return (every.alarms <= FALSE_ALARM_BUDGET * every.safe
            and all(t.alarms <= FALSE_ALARM_CAP * t.safe
                    for g, t in groups.items() if g.startswith("locale:")))


def chosen_threshold(pooled: dict[str, dict[str, Tally]],
                     thresholds: Sequence[float]) -> float | None:
    """The lowest of these thresholds within the false-alarm budget that also meets the
    recall floor: the most recall the budget buys."""
    fitting = [t for t in thresholds
               if within_budget(pooled[at(t)]) and meets_floor(pooled[at(t)])]
    return min(fitting, default=None)


def _train(folder: Path, extra_safe: Sequence[str], leave_out: Collection[Path]) -> None:
    """Trains one fold's model into the disk cache (in a worker process)."""
    trained(folder, extra_safe, leave_out=leave_out)


def cross_validate(extra_safe: Sequence[str] = (), folder: Path = TRAINING_DIR,
                   lists_dir: Path = LISTS_DIR, threshold: float = THRESHOLD,
                   others: Sequence[float] = (), floor: float = HEDGE_FLOOR,
                   fold_count: int = FOLDS, jobs: int = 1) -> dict[str, dict[str, Tally]]:
    """Pooled tallies (by "all", "locale:xx", "voice:yy") for each variant, over the folds;
    with `others`, the check at each of those thresholds too (as "check at 0.40"). Hedged
    phrases count from the classifier's `floor`. With fewer labelled sets than folds, each set
    is its own fold. With `jobs` above 1, the fold models are first trained that many at a time
    into the disk cache, and then scored one by one from it."""
    phrases = PhraseLayer(load_lists(lists_dir))
    no_phrases = PhraseLayer({})
    names = [*VARIANTS, *(at(t) for t in others)]
    pooled: dict[str, dict[str, Tally]] = {v: defaultdict(Tally) for v in names}
    sets = labelled_sets(folder)
    dealt = folds(sets, min(fold_count, len(sets)))
    if jobs > 1:
        with ProcessPoolExecutor(max_workers=min(jobs, len(dealt))) as pool:
            for done in [pool.submit(_train, folder, list(extra_safe), held_out)
                         for held_out in dealt]:
                done.result()  # a failure in training is raised here
    for held_out in dealt:
        classifier = trained(folder, extra_safe, leave_out=held_out)
        checks = {
            "check": DangerCheck(phrases, classifier, threshold, floor),
            "hedged as others": DangerCheck(phrases, classifier, threshold, floor=0.0),
            "phrases alone": DangerCheck(phrases, classifier, threshold=1.01, floor=0.0),
            "classifier alone": DangerCheck(no_phrases, classifier, threshold),
            **{at(t): DangerCheck(phrases, classifier, t, floor) for t in others},
        }
        rows = [row for path in held_out for row in read_labelled(path)]
        for variant, check in checks.items():
            for group, tally in evaluate(check, rows).items():
                total = pooled[variant][group]
                total.danger += tally.danger
                total.caught += tally.caught
                total.safe += tally.safe
                total.alarms += tally.alarms
                total.missed += tally.missed
                total.false_alarms += tally.false_alarms
    return {variant: dict(groups) for variant, groups in pooled.items()}

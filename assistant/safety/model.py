"""The trained layer: a classifier over character and word n-grams of the folded message.

It learns from training/<locale>.tsv (label, kind, voice, text), written by native speakers
apart from the evaluation sets, and from the FAQ's own phrasings as ordinary school questions.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.safety import fold as folding
from assistant.safety.fold import fold
from assistant.safety.kinds import KINDS
from assistant.safety.labelled import TrainingError, read_labelled
from assistant.textmodel import LinearScorer, cached, digest, ngram_pipeline

TRAINING_DIR = Path(__file__).parent / "training"
LABELLED = "labelled"
DANGER, SAFE = "danger", "safe"
# The danger model's regularisation: chosen by cross-validation on the training data.
C = 20.0
# The model reads folded text, so a change in folding is a change in the model.
FOLDING = Path(folding.__file__).read_text(encoding="utf-8")


@dataclass(frozen=True)
class Example:
    """One training message: danger or safe, its kind, and the folded text."""

    label: str
    kind: str
    text: str


def labelled_sets(folder: Path = TRAINING_DIR) -> list[Path]:
    """The labelled sets learnt from (label, locale, text, voice, kind), each a file."""
    return sorted((folder / LABELLED).glob("*.tsv"))


def folds(sets: Sequence[Path], count: int) -> list[tuple[Path, ...]]:
    """The labelled sets dealt into `count` folds in turn (sets written in the same round sit
    side by side, so they go to different folds)."""
    return [tuple(sets[start::count]) for start in range(count)]


def training_files(folder: Path = TRAINING_DIR,
                   leave_out: Collection[Path] = ()) -> list[Path]:
    """Every file the classifier learns from, but the labelled sets left out."""
    return [p for p in [*sorted(folder.glob("*.tsv")), *labelled_sets(folder)]
            if p not in leave_out]


def read_training(folder: Path = TRAINING_DIR,
                  leave_out: Collection[Path] = ()) -> list[Example]:
    """Every locale's training messages and labelled sets, folded."""
    examples: list[Example] = []
    for path in training_files(folder, leave_out):
        if path.parent.name == LABELLED:
            for row in read_labelled(path):
                _known_kind(row.label, row.kind, f"{path}: {row.text[:40]!r}")
                examples.append(Example(row.label, row.kind or "-", fold(row.text)))
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) != 4 or parts[0] not in (DANGER, SAFE):
                raise TrainingError(f"{path}:{number}: expected danger|safe<TAB>kind<TAB>voice"
                                    "<TAB>text")
            _known_kind(parts[0], parts[1], f"{path}:{number}")
            examples.append(Example(parts[0], parts[1], fold(parts[3])))
    return examples


def _known_kind(label: str, kind: str, where: str) -> None:
    """A danger message's kind must be one the replies know: the model would otherwise learn
    a misspelt kind ("selfharm") and name it to a family, or fail at the moment of a report."""
    if label == DANGER and kind not in KINDS:
        raise TrainingError(f"{where}: unknown kind {kind!r} for a danger message; one of "
                            f"{', '.join(KINDS)}")


class Classifier:
    """Danger probability for a folded message, and the likeliest kinds when it is danger."""

    def __init__(self, examples: Sequence[Example]) -> None:
        texts = [e.text for e in examples]
        # One model over "safe" and each kind of danger; a message's danger is how unlikely
        # it is to be safe. Chosen on `danger cv` over a yes/no model (danger or safe): at
        # the same recall it raises about a quarter fewer false alarms. The same model names
        # the kinds: a second model over danger messages alone named the right kind no more
        # often (on heldout-34/35 before they were learnt, the true kind was among those it
        # named for 1,164 of 1,203 messages, among this model's for 1,165), and it cost every
        # alarm the classifier raised alone a second reading.
        classes = [e.kind if e.label == DANGER else SAFE for e in examples]
        if SAFE not in classes or len({e.kind for e in examples if e.label == DANGER}) < 2:
            raise TrainingError("the danger model needs safe messages and at least two kinds "
                                "of danger to learn from")
        # Only the scorer is kept: loading and scoring need NumPy, not scikit-learn.
        self._danger = LinearScorer(ngram_pipeline(c=C).fit(texts, classes))
        self._last: tuple[str, dict[str, float]] = ("", {})

    def __getstate__(self) -> dict[str, object]:
        return {"_danger": self._danger}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._last = ("", {})

    def _probabilities(self, folded: str) -> dict[str, float]:
        """Each class's probability; the check asks for the danger and then the kinds of the
        same message, so the last answer is kept."""
        text, found = self._last  # read once: another thread may replace it meanwhile
        if text != folded or not found:
            found = self._danger.probabilities(folded)
            self._last = (folded, found)
        return found

    def probability(self, folded: str) -> float:
        """How likely the message is to be about a child in danger, 0 to 1."""
        return 1.0 - self._probabilities(folded)[SAFE]

    def likely_kinds(self, folded: str, top: int = 2) -> list[str]:
        """The kinds of danger the message most resembles, likeliest first."""
        ranked = sorted(((p, k) for k, p in self._probabilities(folded).items() if k != SAFE),
                        reverse=True)[:top]
        return [kind for p, kind in ranked if p >= ranked[0][0] / 2]


def trained(folder: Path = TRAINING_DIR, extra_safe: Sequence[str] = (),
            leave_out: Collection[Path] = ()) -> Classifier:
    """The classifier for a training folder (plus ordinary questions as safe), some labelled
    sets left out if asked: from memory, the disk cache, or trained now. The cache is named by
    the raw files and the folding code, so a start that finds it reads and folds nothing."""
    raw = [path.read_text(encoding="utf-8") for path in training_files(folder, leave_out)]
    key = digest(f"danger-one-model-{C}", [FOLDING, *raw, *extra_safe])

    def train() -> Classifier:
        examples = read_training(folder, leave_out)
        examples += [Example(SAFE, "school", fold(q)) for q in extra_safe]
        return Classifier(examples)

    return cached(f"danger-{key}", Classifier, train)

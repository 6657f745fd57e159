"""Scoring the danger check on a labelled file: recall and false alarms per locale and voice."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from assistant.safety.check import DangerCheck

LABELS = ("danger", "safe")


class EvalFileError(ValueError):
    """A labelled file that cannot be read; the message names the line."""


@dataclass(frozen=True)
class Labelled:
    """One labelled message: danger or safe, its locale, text, and who is speaking."""

    label: str
    locale: str
    text: str
    voice: str = ""
    kind: str = ""


def read_labelled(path: Path) -> list[Labelled]:
    """Reads label<TAB>locale<TAB>text[<TAB>voice[<TAB>kind]] lines; # starts a comment."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise EvalFileError(f"cannot read {path}: {error}") from None
    rows: list[Labelled] = []
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) < 3 or parts[0] not in LABELS:
            raise EvalFileError(f"{path}:{number}: expected danger|safe<TAB>locale<TAB>text")
        rows.append(Labelled(*parts[:5]))
    return rows


@dataclass
class Tally:
    """Counts for one group of messages."""

    danger: int = 0
    caught: int = 0
    safe: int = 0
    alarms: int = 0
    missed: list[Labelled] = field(default_factory=list)
    false_alarms: list[Labelled] = field(default_factory=list)

    @property
    def recall(self) -> float | None:
        return self.caught / self.danger if self.danger else None

    @property
    def false_alarm_rate(self) -> float | None:
        return self.alarms / self.safe if self.safe else None


def evaluate(check: DangerCheck, rows: list[Labelled]) -> dict[str, Tally]:
    """Tallies by "all", "locale:xx" and "voice:yy"."""
    tallies: dict[str, Tally] = defaultdict(Tally)
    for row in rows:
        flagged = check.check(row.text) is not None
        groups = ["all", f"locale:{row.locale}"]
        if row.label == "danger" and row.voice:
            groups.append(f"voice:{row.voice}")
        for group in groups:
            tally = tallies[group]
            if row.label == "danger":
                tally.danger += 1
                tally.caught += flagged
                if not flagged:
                    tally.missed.append(row)
            else:
                tally.safe += 1
                tally.alarms += flagged
                if flagged:
                    tally.false_alarms.append(row)
    return dict(tallies)

"""Scoring the danger check on a labelled file: recall and false alarms per locale, voice and
brief."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from assistant.safety.check import DangerCheck
from assistant.safety.labelled import EvalFileError, Labelled, read_labelled

__all__ = ["EvalFileError", "Labelled", "Tally", "evaluate", "read_labelled"]


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
    """Tallies by "all", "locale:xx", "voice:yy" and, for sets that name theirs, "brief:zz"."""
    tallies: dict[str, Tally] = defaultdict(Tally)
    for row in rows:
        flagged = check.check(row.text) is not None
        groups = ["all", f"locale:{row.locale}"]
        if row.label == "danger" and row.voice:
            groups.append(f"voice:{row.voice}")
        if row.brief:
            groups.append(f"brief:{row.brief}")
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

"""Labelled messages (danger or safe) written apart from the check: read for scoring it,
and, once their figures have been used for choosing, for training it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

LABELS = ("danger", "safe")
# A set's header may name the brief its writers were given ("# brief: hard (...)"), so that
# figures can be given for the material written to each brief as well as for all of it.
BRIEF = "# brief:"


class EvalFileError(ValueError):
    """A labelled file that cannot be read; the message names the line."""


class TrainingError(ValueError):
    """Training data that cannot be used; the message names the file and line."""


@dataclass(frozen=True)
class Labelled:
    """One labelled message: danger or safe, its locale, text, and who is speaking."""

    label: str
    locale: str
    text: str
    voice: str = ""
    kind: str = ""
    brief: str = ""


def read_labelled(path: Path) -> list[Labelled]:
    """Reads label<TAB>locale<TAB>text[<TAB>voice[<TAB>kind]] lines; # starts a comment, and
    a "# brief: NAME" comment names the brief every message of the file was written to."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise EvalFileError(f"cannot read {path}: {error}") from None
    named = [line.removeprefix(BRIEF).split() for line in lines if line.startswith(BRIEF)]
    brief = next((words[0] for words in named if words), "")
    rows: list[Labelled] = []
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) < 3 or parts[0] not in LABELS:
            raise EvalFileError(f"{path}:{number}: expected danger|safe<TAB>locale<TAB>text")
        label, locale, text, voice, kind = [*parts, "", ""][:5]
        rows.append(Labelled(label, locale, text, voice, kind, brief))
    return rows

"""A live session's register: each pupil, and what their family answered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from assistant.live_invites import ACCEPTED, DECLINED
from assistant.live_store import invited, pupils_of
from assistant.models import LiveSession

ACCEPTED_ANSWER, DECLINED_ANSWER, NO_ANSWER, NOT_LINKED = (
    "accepted", "can't attend", "no answer", "no family linked")


@dataclass(frozen=True)
class Answer:
    """One pupil's line in the register."""

    pupil_id: int
    pupil: str
    class_code: str
    answer: str  # one of the four answers above
    by: str = ""  # the parent or carer who answered
    at: datetime | None = None


def answers(session: Session, live: LiveSession) -> list[Answer]:
    """Every pupil the session is for (or was sent to), with the latest answer for them.

    With two carers, the newer answer stands: a "can't attend" after an acceptance means
    the child is not coming.
    """
    assert live.id is not None
    lines: dict[int, Answer] = {}
    for pupil, code in pupils_of(session, live):
        assert pupil.id is not None
        lines[pupil.id] = Answer(pupil.id, f"{pupil.forename} {pupil.surname}", code, NOT_LINKED)
    for item in invited(session, live.id):
        invitation, pupil = item.invitation, item.pupil
        assert pupil.id is not None
        current = lines.get(pupil.id) or Answer(
            pupil.id, f"{pupil.forename} {pupil.surname}", item.class_code, NO_ANSWER)
        if current.answer == NOT_LINKED:
            current = Answer(current.pupil_id, current.pupil, current.class_code, NO_ANSWER)
        if invitation.status in (ACCEPTED, DECLINED) and invitation.responded_at is not None and (
                current.at is None or invitation.responded_at >= current.at):
            word = ACCEPTED_ANSWER if invitation.status == ACCEPTED else DECLINED_ANSWER
            current = Answer(current.pupil_id, current.pupil, current.class_code, word,
                             item.guardian.name, invitation.responded_at)
        lines[pupil.id] = current
    return sorted(lines.values(), key=lambda a: (a.class_code, a.pupil))

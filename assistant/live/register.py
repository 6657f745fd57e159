"""A live session's register: each pupil, and what their family answered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from assistant.live.invites import ACCEPTED, DECLINED
from assistant.live.store import class_label, invited, pupils_of
from assistant.models import LiveSession
from assistant.schools import School

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


REGISTER_COLUMNS = ["session", "date", "time", "minutes", "platform", "classes", "status", "pupil",
           "class", "answer", "answered_by", "answered_at"]


def register_rows(session: Session, school: School, live: LiveSession) -> list[list[str]]:
    """The register's rows: the session's facts, then each pupil and their family's answer."""
    start = live.starts_at.astimezone(school.tz)
    facts = [str(live.id), start.strftime("%Y-%m-%d"), start.strftime("%H:%M"),
             str(live.minutes), live.platform, class_label(session, live), live.status]
    return [[*facts, a.pupil, a.class_code, a.answer, a.by,
             a.at.astimezone(school.tz).strftime("%Y-%m-%d %H:%M") if a.at else ""]
            for a in answers(session, live)]

"""A member of staff who leaves, is suspended, unlinks or asks to be forgotten stops receiving
and seeing concerns and questions; what was waiting for them goes to someone who can act.

Concerns still open and questions still unanswered that were sent to them are sent again, down
the same routing the school's profile sets (never back to them); messages queued for their chat
are withdrawn first, so nothing reaches a chat they no longer hold.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import partial

import sqlalchemy as sa
from sqlmodel import Session, col, select

from assistant.concerns.service import (
    StaffActions,
    chain_for,
    deliver_to,
    first_reachable,
)
from assistant.i18n import Gettext
from assistant.models import (
    Concern,
    ConcernEvent,
    ConcernStatus,
    ConcernStep,
    OutboxMessage,
    OutboxStatus,
    Pupil,
    QuestionEvent,
    QuestionStatus,
    QuestionStep,
    SchoolQuestion,
    Staff,
    StaffRole,
)
from assistant.questions.service import FALLBACK as QUESTION_FALLBACK
from assistant.questions.service import QuestionActions, deliver
from assistant.schools import School


@dataclass(frozen=True)
class Handed:
    """What was moved away from a member of staff: concerns and questions sent on."""

    concerns: int
    questions: int
    withdrawn: int


def _heading(name: str, _: Gettext) -> str:
    return _("Passed to you: {name} can no longer receive it").format(name=name)


def _withdraw_queued(session: Session, address: str | None) -> int:
    if address is None:
        return 0
    outbox = OutboxMessage.__table__  # type: ignore[attr-defined]
    result = session.execute(sa.delete(outbox).where(
        col(OutboxMessage.recipient) == address,
        col(OutboxMessage.kind).in_(["concern", "question"]),
        col(OutboxMessage.status).in_([OutboxStatus.PENDING, OutboxStatus.FAILED])))
    return int(result.rowcount)  # type: ignore[attr-defined]


def hand_over(*, session: Session, schools: dict[str, School], staff: Staff, address: str | None,
              now: datetime, concern_actions: StaffActions,
              question_actions: QuestionActions) -> Handed:
    """Withdraws what was queued for a member of staff's chat and sends their open concerns and
    unanswered questions to others; call it before their link or roles go."""
    withdrawn = _withdraw_queued(session, address)
    school = schools.get(staff.school_id)
    if school is None:
        return Handed(0, 0, withdrawn)
    moved_concerns = 0
    mine = select(ConcernEvent.concern_id).where(
        ConcernEvent.staff_id == staff.id,
        col(ConcernEvent.event).in_([ConcernStep.ROUTED, ConcernStep.PASSED,
                                     ConcernStep.ESCALATED]))
    for concern in session.exec(select(Concern).where(
            col(Concern.id).in_(mine), Concern.status != ConcernStatus.RESOLVED)):
        pupil = session.get(Pupil, concern.pupil_id) if concern.pupil_id else None
        found = first_reachable(session, school.id,
                                chain_for(school, concern.category, concern.urgent),
                                pupil.class_id if pupil else None, leaving=staff.id)
        if found is not None:
            others = found[1]
            deliver_to(session, school, concern, others, event=ConcernStep.PASSED,
                       actor="system", now=now, heading=partial(_heading, staff.name),
                       actions=concern_actions)
            moved_concerns += 1
    moved_questions = 0
    asked = select(QuestionEvent.question_id).where(
        QuestionEvent.staff_id == staff.id,
        col(QuestionEvent.event).in_([QuestionStep.ROUTED, QuestionStep.PASSED]))
    for question in session.exec(select(SchoolQuestion).where(
            col(SchoolQuestion.id).in_(asked), SchoolQuestion.status == QuestionStatus.OPEN)):
        pupil = session.get(Pupil, question.pupil_id) if question.pupil_id else None
        class_id = pupil.class_id if pupil else None
        first = school.questions["child" if class_id is not None else "general"]
        found = first_reachable(session, school.id, [first, *QUESTION_FALLBACK], class_id,
                                leaving=staff.id)
        if found is not None:
            others = found[1]
            deliver(session, school, question, others, event=QuestionStep.PASSED,
                    heading=partial(_heading, staff.name), now=now, actions=question_actions)
            moved_questions += 1
    return Handed(moved_concerns, moved_questions, withdrawn)


def remove_roles(session: Session, staff: Staff) -> None:
    """Takes a member of staff's roles away (their past actions stay in every history)."""
    session.execute(sa.delete(StaffRole.__table__).where(  # type: ignore[attr-defined]
        col(StaffRole.staff_id) == staff.id))

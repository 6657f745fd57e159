"""Questions a family asks the school: routed to staff, answered in the chat, reminded, passed."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import partial

import sqlalchemy as sa
from sqlmodel import Session, col, select

from assistant.concerns.service import (
    Heading,
    first_reachable,
    new_reference,
    recipient,
    roles_of,
    staff_locale,
)
from assistant.db import transaction
from assistant.hours import add_open_hours
from assistant.i18n import Gettext, gettext_for
from assistant.models import (
    Guardian,
    Pupil,
    QuestionEvent,
    QuestionStatus,
    QuestionStep,
    SchoolClass,
    SchoolQuestion,
    Staff,
)
from assistant.outbox import enqueue
from assistant.schools import School

log = logging.getLogger(__name__)

# Who may see any question of their school, besides the staff it was sent or passed to.
SEE_ALL = ("office", "head")
# If nobody holding the routed role can be reached, the question goes on down this list.
FALLBACK = ("office", "head")
MAX_ANSWER = 2000


@dataclass(frozen=True)
class QuestionActions:
    """The actions on a question's buttons for staff, named by the flow that answers them."""

    reply: str
    pass_on: str
    elsewhere: str


@dataclass(frozen=True)
class Asked:
    """A question just stored: who it went to (a role) and how many members of staff it was
    queued for (0: nobody linked can receive it, so the family must be told)."""

    question: SchoolQuestion
    role: str
    reached: int


def route(session: Session, school: School, class_id: int | None) -> tuple[str, list[Staff]]:
    """Decides who gets a question: the profile's [questions] role (the class teacher for a
    question about a child, the office otherwise), then the office, then the head."""
    first = school.questions["child" if class_id is not None else "general"]
    found = first_reachable(session, school.id, [first, *FALLBACK], class_id)
    if found is not None:
        return found
    log.warning("question at %s: no linked staff for %s, the office or the head", school.id,
                first)
    return first, []


def ask_school(*, session: Session, school: School, sender_account_id: int | None,
               guardian_id: int | None, pupil_id: int | None, text: str, locale: str,
               now: datetime, actions: QuestionActions) -> Asked:
    """Stores a family's question and queues it for the staff it is routed to (inside
    contact hours), in the caller's transaction."""
    pupil = session.get(Pupil, pupil_id) if pupil_id else None
    question = SchoolQuestion(
        school_id=school.id, reference=new_reference(), sender_account_id=sender_account_id,
        guardian_id=guardian_id, pupil_id=pupil.id if pupil else None, locale=locale,
        text=text.strip()[:1000], routed_role="", created_at=now,
        due_at=add_open_hours(school, now, school.ack_working_hours),
    )
    role, staff = route(session, school, pupil.class_id if pupil else None)
    question.routed_role = role
    session.add(question)
    session.flush()
    session.add(QuestionEvent(question_id=question.id or 0, event=QuestionStep.CREATED,
                              actor="sender", at=now))
    reached = deliver(session, school, question, staff, event=QuestionStep.ROUTED,
                      heading=lambda _: _("A question from a family for you"), now=now,
                      actions=actions)
    return Asked(question, role, reached)


def deliver(session: Session, school: School, question: SchoolQuestion, staff: Iterable[Staff],
            *, event: QuestionStep, heading: Heading, now: datetime,
            actions: QuestionActions, actor: str = "system") -> int:
    """Records who the question is now with and queues it for each, inside contact hours;
    returns how many it was queued for."""
    queued = 0
    for member in staff:
        session.add(QuestionEvent(question_id=question.id or 0, event=event, actor=actor,
                                  staff_id=member.id, at=now))
        address = recipient(session, member.account_id)
        if address is None:
            continue
        locale = staff_locale(session, member)
        text = heading(gettext_for(locale))
        enqueue(session=session, school=school, recipient=address, kind="question",
                payload={**staff_message(session, question, text, actions=actions,
                                         locale=locale),
                         "question": question.reference},
                dedupe_key=f"question:{question.reference}:{event}:{member.id}:"
                           f"{now.isoformat()}",
                in_hours=True, now=now)
        queued += 1
    if not queued and event == QuestionStep.ROUTED:
        session.add(QuestionEvent(question_id=question.id or 0,
                                  event=QuestionStep.NO_RECIPIENT, actor="system", at=now))
    return queued


@dataclass(frozen=True)
class Summary:
    """What staff are shown about a question."""

    reference: str
    child: str
    class_code: str
    sender: str
    locale: str
    text: str


def summary(session: Session, question: SchoolQuestion) -> Summary:
    """Gathers the child, class and sender of a question."""
    pupil = session.get(Pupil, question.pupil_id) if question.pupil_id else None
    klass = session.get(SchoolClass, pupil.class_id) if pupil and pupil.class_id else None
    guardian = session.get(Guardian, question.guardian_id) if question.guardian_id else None
    return Summary(question.reference, f"{pupil.forename} {pupil.surname}" if pupil else "",
                   klass.code if klass else "", guardian.name if guardian else "a parent",
                   question.locale, question.text)


def staff_message(session: Session, question: SchoolQuestion, heading: str, *,
                  actions: QuestionActions, locale: str = "en") -> dict[str, object]:
    """The outbox payload that puts a question in front of a member of staff, in their
    language; the family's words stay as they wrote them, their language marked."""
    _ = gettext_for(locale)
    s = summary(session, question)
    lines = [
        heading, "",
        _("Reference: {ref}").format(ref=s.reference),
        _("Child: {child}").format(child=f"{s.child} ({s.class_code})" if s.child else
                                   _("not about a particular child")),
        _("From: {sender}").format(sender=s.sender),
        _("Written in: {locale}").format(locale=s.locale),
        "",
        s.text,
    ]
    buttons = [
        [{"label": _("Reply"), "action": actions.reply, "payload": s.reference}],
        [{"label": _("Pass to office"), "action": actions.pass_on, "payload": s.reference},
         {"label": _("Answered elsewhere"), "action": actions.elsewhere,
          "payload": s.reference}],
    ]
    return {"text": "\n".join(lines), "buttons": buttons, "protect": True}


def question_by_reference(*, session: Session, reference: str,
                          school_id: str | None = None) -> SchoolQuestion | None:
    """Looks up a question by its reference (unique across the install), at one school if
    given."""
    query = select(SchoolQuestion).where(SchoolQuestion.reference == reference)
    if school_id is not None:
        query = query.where(SchoolQuestion.school_id == school_id)
    return session.exec(query).first()


def visible_to(session: Session, question: SchoolQuestion, staff: Staff) -> bool:
    """Only the staff it was sent or passed to, the office and the head see a question."""
    if staff.school_id != question.school_id:
        return False
    if staff.absent:  # away or suspended: the school has handed their work to others
        return False
    if set(roles_of(session, staff.id or 0)) & set(SEE_ALL):
        return True
    return session.exec(select(QuestionEvent.id).where(
        QuestionEvent.question_id == question.id, QuestionEvent.staff_id == staff.id,
        col(QuestionEvent.event).in_([QuestionStep.ROUTED, QuestionStep.PASSED]))
    ).first() is not None


def open_questions_for(*, session: Session, staff: Staff) -> list[SchoolQuestion]:
    """The open questions a member of staff may see, oldest first."""
    return [q for q in session.exec(
        select(SchoolQuestion).where(SchoolQuestion.school_id == staff.school_id,
                                     SchoolQuestion.status == QuestionStatus.OPEN)
        .order_by(col(SchoolQuestion.created_at), col(SchoolQuestion.id)))
        if visible_to(session, q, staff)]


def questions_of(*, session: Session, account_id: int) -> list[SchoolQuestion]:
    """The questions this account asked the school, oldest first (for /mydata)."""
    return list(session.exec(select(SchoolQuestion).where(
        SchoolQuestion.sender_account_id == account_id).order_by(
        col(SchoolQuestion.created_at))))


def tell_family(session: Session, school: School, question: SchoolQuestion, texts: list[str],
                key: str, now: datetime) -> bool:
    """Queues messages to the family who asked, inside contact hours; False when they have
    since left the assistant."""
    address = recipient(session, question.sender_account_id)
    if address is None:
        return False
    for i, text in enumerate(texts):
        enqueue(session=session, school=school, recipient=address, kind="question-answer",
                payload={"text": text}, dedupe_key=f"question:{question.reference}:{key}:{i}",
                in_hours=True, now=now)
    return True


def answer_question(*, session: Session, school: School, question: SchoolQuestion,
                    staff: Staff, answer: str, entry_text: str = "", entry_id: str = "",
                    now: datetime) -> bool:
    """Records a staff answer and queues it for the family with the reference (and the FAQ
    entry staff chose, if any); False when the family can no longer be reached here."""
    question.status = QuestionStatus.ANSWERED
    question.answer = answer[:4096]
    question.entry_id = entry_id
    question.answered_by = staff.id
    question.answered_at = now
    question.due_at = None
    session.add(question)
    session.add(QuestionEvent(question_id=question.id or 0, event=QuestionStep.ANSWERED,
                              actor=f"staff:{staff.id}", staff_id=staff.id, at=now))
    _ = gettext_for(question.locale)
    head = _("{school} has answered your question (reference {ref}):").format(
        school=school.name, ref=question.reference)
    quoted = _("You asked: \u201c{question}\u201d").format(question=question.text[:300])
    texts = ["\n\n".join(part for part in (head, quoted, answer) if part)]
    if entry_text:
        texts.append(entry_text)
    return tell_family(session, school, question, texts, "answered", now)


def answered_elsewhere(*, session: Session, school: School, question: SchoolQuestion,
                       staff: Staff, now: datetime) -> bool:
    """Records that staff answered the question outside the chat and tells the family."""
    question.status = QuestionStatus.ELSEWHERE
    question.answered_by = staff.id
    question.answered_at = now
    question.due_at = None
    session.add(question)
    session.add(QuestionEvent(question_id=question.id or 0, event=QuestionStep.ELSEWHERE,
                              actor=f"staff:{staff.id}", staff_id=staff.id, at=now))
    _ = gettext_for(question.locale)
    text = _("{school} has marked your question (reference {ref}) as answered outside this "
             "chat, for example by phone or in person. If you still need an answer, ask "
             "again here.").format(school=school.name, ref=question.reference)
    return tell_family(session, school, question, [text], "elsewhere", now)


def pass_to_office(*, session: Session, school: School, question: SchoolQuestion,
                   staff: Staff | None, now: datetime, actions: QuestionActions) -> list[Staff]:
    """Passes a question to the office (from the office: the head); returns who it went to."""
    me = staff.id if staff else None
    found = first_reachable(session, school.id, FALLBACK, leaving=me)
    if found is None:
        return []
    targets = found[1]
    hours = school.ack_working_hours
    heading: Heading = (
        (lambda _: _("Passed to you by {name}").format(name=staff.name)) if staff else
        (lambda _: _("Not answered within {hours} school hours: passed to you").format(
            hours=hours)))
    deliver(session, school, question, targets, event=QuestionStep.PASSED, heading=heading,
            now=now, actions=actions, actor=f"staff:{me}" if me else "system")
    question.due_at = None
    session.add(question)
    return targets


def _reminder_heading(hours: int, _: Gettext) -> str:
    return _("Reminder: this question has waited {hours} school hours for an answer").format(
        hours=hours)


def remind_due(session: Session, schools: dict[str, School], now: datetime,
               actions: QuestionActions) -> int:
    """Questions not answered within the school's working hours: reminded once to whoever
    has them, then, after as long again, passed to the office."""
    due = session.exec(select(SchoolQuestion).where(
        SchoolQuestion.status == QuestionStatus.OPEN, col(SchoolQuestion.due_at).is_not(None),
        col(SchoolQuestion.due_at) <= now)).all()
    count = 0
    for question in due:
        school = schools.get(question.school_id)
        if school is None:
            continue
        if question.reminded:
            if not pass_to_office(session=session, school=school, question=question,
                                  staff=None, now=now, actions=actions):
                question.due_at = None
                session.add(question)
            count += 1
            continue
        holding = session.exec(select(QuestionEvent.staff_id).where(
            QuestionEvent.question_id == question.id,
            col(QuestionEvent.event).in_([QuestionStep.ROUTED, QuestionStep.PASSED]))).all()
        staff = [s for s in (session.get(Staff, sid) for sid in dict.fromkeys(holding) if sid)
                 if s is not None]
        deliver(session, school, question, staff, event=QuestionStep.REMINDED,
                heading=partial(_reminder_heading, school.ack_working_hours),
                now=now, actions=actions)
        question.reminded = True
        question.due_at = add_open_hours(school, now, school.ack_working_hours)
        session.add(question)
        count += 1
    return count


def remind_all(db: sa.Engine, schools: dict[str, School], now: datetime,
               actions: QuestionActions) -> int:
    """Runs the reminders in a transaction of its own (the bot's job calls this)."""
    with transaction(db) as session:
        return remind_due(session, schools, now, actions)


def answered_by_name(session: Session, question: SchoolQuestion) -> str:
    """The name of the member of staff who answered, if anyone has."""
    member = session.get(Staff, question.answered_by) if question.answered_by else None
    return member.name if member else ""

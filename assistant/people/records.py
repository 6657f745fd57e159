"""/mydata: everything the assistant keeps about an account, gathered for the user to see.

What /forget detaches from the account (signatures, concerns, flagged messages) is listed
here too, so the file is enough to answer a subject access request for what this chat holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from assistant.models import (
    Account,
    AgreementRecord,
    Concern,
    Conversation,
    DangerReport,
    OutboxMessage,
    OutboxStatus,
    Pupil,
    SchoolQuestion,
)
from assistant.people.identity import Identity, identity_of


@dataclass(frozen=True)
class Signature:
    """An agreement signed or withdrawn from this account."""

    school_id: str
    child: str
    template_id: str
    version: int
    event: str
    typed_name: str
    at: datetime


@dataclass(frozen=True)
class RaisedConcern:
    """A concern this account sent to a school (a parent's or carer's, not a child's worry)."""

    school_id: str
    reference: str
    created_at: datetime
    status: str
    category: str
    child: str
    text: str


@dataclass(frozen=True)
class AskedQuestion:
    """A question this account asked a school's staff, and any answer."""

    school_id: str
    reference: str
    created_at: datetime
    status: str
    text: str
    answer: str


@dataclass(frozen=True)
class FlaggedMessage:
    """A message the danger check flagged, kept so it could be sent to the school in one tap."""

    created_at: datetime
    text: str
    sent_to_school: bool


@dataclass(frozen=True)
class KeptData:
    """What is kept about an account: who it stands for, what it signed and raised, the
    messages still to send it, and the conversation in progress."""

    identity: Identity
    pending_messages: int
    signatures: tuple[Signature, ...] = ()
    concerns: tuple[RaisedConcern, ...] = ()
    flagged: tuple[FlaggedMessage, ...] = ()
    questions: tuple[AskedQuestion, ...] = ()
    conversation: str | None = None  # the flow in progress, if any


def signatures_of(account: Account) -> Any:
    """The condition that picks the agreement records made from this account."""
    if account.transport != "telegram":  # records keep Telegram user ids only
        return col(AgreementRecord.id).is_(None)
    return AgreementRecord.telegram_user_id == account.external_id


def _child(session: Session, pupil_id: int | None) -> str:
    pupil = session.get(Pupil, pupil_id) if pupil_id else None
    return f"{pupil.forename} {pupil.surname}" if pupil else ""


def kept_about(*, session: Session, account: Account) -> KeptData:
    """Gathers everything kept about an account, from its links to its flagged messages."""
    assert account.id is not None
    pending = session.exec(select(OutboxMessage.id).where(
        OutboxMessage.recipient == account.address,
        OutboxMessage.status != OutboxStatus.SENT)).all()
    signatures = tuple(
        Signature(r.school_id, _child(session, r.pupil_id), r.template_id, r.version, r.event,
                  r.typed_name, r.at)
        for r in session.exec(select(AgreementRecord).where(signatures_of(account))
                              .order_by(col(AgreementRecord.at))))
    # A child's worry sent from a family's phone stays out: showing it to whoever opens
    # /mydata on that phone could put the child at risk (the school holds it, and answers
    # a request for it with the exemptions the law allows).
    concerns = tuple(
        RaisedConcern(c.school_id, c.reference, c.created_at, c.status, c.category,
                      _child(session, c.pupil_id), c.text)
        for c in session.exec(select(Concern).where(
            Concern.sender_account_id == account.id, col(Concern.from_pupil).is_(False))
            .order_by(col(Concern.created_at))))
    flagged = tuple(
        FlaggedMessage(d.created_at, d.text, d.concern_id is not None)
        for d in session.exec(select(DangerReport).where(DangerReport.account_id == account.id)
                              .order_by(col(DangerReport.created_at))))
    questions = tuple(
        AskedQuestion(q.school_id, q.reference, q.created_at, q.status, q.text, q.answer)
        for q in session.exec(select(SchoolQuestion).where(
            SchoolQuestion.sender_account_id == account.id)
            .order_by(col(SchoolQuestion.created_at))))
    conversation = session.get(Conversation, account.id)
    running = conversation.flow if conversation is not None and conversation.flow else None
    return KeptData(identity_of(session, account.id), len(pending), signatures, concerns,
                    flagged, questions, running)


def data_record(account: Account, kept: KeptData) -> dict[str, Any]:
    """Lays out what is kept about an account as the /mydata export file holds it."""
    who = kept.identity
    return {
        "account": {"transport": account.transport, "user_id": account.external_id,
                    "language": account.locale, "first_seen": account.created_at.isoformat()},
        "family_links": [
            {"school": f.school_id, "name": f.name,
             "children": [{"name": c.name, "class": c.class_code, "year": c.year,
                           "parental_responsibility": c.parental_responsibility}
                          for c in f.children]}
            for f in who.families
        ],
        "staff_posts": [{"school": s.school_id, "name": s.name,
                         "roles": [{"role": r, "class": c} for r, c in s.roles]}
                        for s in who.staff],
        "agreements": [{"school": s.school_id, "child": s.child, "agreement": s.template_id,
                        "version": s.version, "event": s.event, "typed_name": s.typed_name,
                        "at": s.at.isoformat()} for s in kept.signatures],
        "concerns": [{"school": c.school_id, "reference": c.reference,
                      "raised_at": c.created_at.isoformat(), "status": c.status,
                      "category": c.category, "child": c.child, "text": c.text}
                     for c in kept.concerns],
        "flagged_messages": [{"at": f.created_at.isoformat(), "text": f.text,
                              "sent_to_school": f.sent_to_school} for f in kept.flagged],
        "conversation_in_progress": kept.conversation,
        "pending_messages": kept.pending_messages,
        "questions_to_staff": [{"school": q.school_id, "reference": q.reference,
                                "asked_at": q.created_at.isoformat(), "status": q.status,
                                "question": q.text, "answer": q.answer}
                               for q in kept.questions],
        "other_questions": "questions the FAQ answered or could not answer are kept without "
                           "your name or account, so they can't be listed here",
    }

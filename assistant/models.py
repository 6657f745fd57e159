"""SQLModel tables: the school's people, conversations, and the outbox."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    """Returns the current time, timezone-aware, in UTC (see ASSISTANT_CLOCK)."""
    start = clock_start()
    if start is None:
        return datetime.now(UTC)
    # The clock runs on from when this process first read the setting's value.
    began = _BEGAN.setdefault(start.isoformat(), time.monotonic())
    return start + timedelta(seconds=time.monotonic() - began)


_BEGAN: dict[str, float] = {}


def forget_clock() -> None:
    """Starts ASSISTANT_CLOCK afresh on its next reading, as a new process would."""
    _BEGAN.clear()


def clock_start() -> datetime | None:
    """ASSISTANT_CLOCK (an ISO time with its offset, for tests, training and demos): the
    program's clock starts at that time and runs on from there."""
    raw = os.environ.get("ASSISTANT_CLOCK", "").strip()
    if not raw:
        return None
    try:
        start = datetime.fromisoformat(raw)
    except ValueError:
        raise ValueError(f"ASSISTANT_CLOCK must be an ISO time such as "
                         f"2026-11-30T09:00:00+00:00, got {raw!r}") from None
    if start.tzinfo is None:
        raise ValueError("ASSISTANT_CLOCK needs its offset, such as +00:00")
    return start.astimezone(UTC)


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """Stores aware datetimes as UTC and always hands back aware UTC datetimes."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are refused: give a timezone")
        value = value.astimezone(UTC)
        # SQLite keeps no offset; store naive UTC there and re-attach UTC on the way out.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _when(*, nullable: bool = False, index: bool = False) -> Any:
    return Field(default=None, sa_column=sa.Column(UTCDateTime(), nullable=nullable, index=index))


def _created() -> Any:
    return Field(default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False))


def _json() -> Any:
    return Field(default_factory=dict, sa_column=sa.Column(sa.JSON(), nullable=False))


# Status values, one StrEnum each, stored as their plain string values ------------------------


class OutboxStatus(StrEnum):
    """Where an outbox message is: waiting, being sent, sent, or given up on."""

    PENDING = "pending"
    CLAIMED = "claimed"
    SENT = "sent"
    FAILED = "failed"


class AgreementEvent(StrEnum):
    """What a family did with an agreement."""

    SIGNED = "signed"
    WITHDRAWN = "withdrawn"


class ConcernStatus(StrEnum):
    """Where a concern stands."""

    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


class ConcernStep(StrEnum):
    """One thing that happened to a concern, in its history."""

    CREATED = "created"
    ROUTED = "routed"
    DELIVERED = "delivered"
    ACKNOWLEDGED = "acknowledged"
    PASSED = "passed"
    ESCALATED = "escalated"
    RESOLVED = "resolved"
    # Nobody linked could be sent it when it was raised (a school before its staff link).
    NO_RECIPIENT = "no-recipient"


class QuestionStatus(StrEnum):
    """Where a question passed to the school stands."""

    OPEN = "open"
    ANSWERED = "answered"  # a member of staff replied in the chat
    ELSEWHERE = "elsewhere"  # staff answered it outside the chat (phone, in person)


class QuestionStep(StrEnum):
    """One thing that happened to a question passed to the school, in its history."""

    CREATED = "created"
    ROUTED = "routed"
    REMINDED = "reminded"
    PASSED = "passed"
    ANSWERED = "answered"
    ELSEWHERE = "elsewhere"
    NO_RECIPIENT = "no-recipient"


class LessonStatus(StrEnum):
    """Whether a live lesson is still going ahead."""

    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class InvitationStatus(StrEnum):
    """A family's answer to a live-lesson invitation."""

    INVITED = "invited"
    ACCEPTED = "accepted"
    DECLINED = "declined"


def address(transport: str, external_id: str) -> str:
    """The one form of a chat's address in the outbox: "telegram:12345"."""
    return f"{transport}:{external_id}"


def lesson_end(starts_at: datetime, minutes: int) -> datetime:
    """When a live lesson that starts then and lasts that long ends."""
    return starts_at + timedelta(minutes=minutes)


class SchoolRow(SQLModel, table=True):
    """A school known to this installation (its facts live in its profile)."""

    __tablename__ = "school"
    id: str = Field(primary_key=True, max_length=40)
    name: str = Field(max_length=120)
    created_at: datetime = _created()


class SchoolClass(SQLModel, table=True):
    """A class (form) at a school, as the roster names it."""

    __tablename__ = "school_class"
    __table_args__ = (sa.UniqueConstraint("school_id", "code"),)
    id: int | None = Field(default=None, primary_key=True)
    school_id: str = Field(foreign_key="school.id", max_length=40, index=True)
    code: str = Field(max_length=40)
    year: str = Field(default="", max_length=10)


class Pupil(SQLModel, table=True):
    """A child on a school's roster; pupils who leave are marked, never deleted."""

    __table_args__ = (sa.UniqueConstraint("school_id", "mis_id"),)
    id: int | None = Field(default=None, primary_key=True)
    school_id: str = Field(foreign_key="school.id", max_length=40, index=True)
    mis_id: str = Field(max_length=40)
    forename: str = Field(max_length=80)
    surname: str = Field(max_length=80)
    year: str = Field(default="", max_length=10)
    class_id: int | None = Field(default=None, foreign_key="school_class.id", index=True)
    left_at: datetime | None = _when(nullable=True)


class Account(SQLModel, table=True):
    """Someone talking to the assistant through a transport (a Telegram user, the console)."""

    __table_args__ = (sa.UniqueConstraint("transport", "external_id"),)
    id: int | None = Field(default=None, primary_key=True)
    transport: str = Field(max_length=20)
    external_id: str = Field(max_length=64)
    locale: str = Field(default="en", max_length=10)
    created_at: datetime = _created()

    @property
    def address(self) -> str:
        """This account's chat address for the outbox."""
        return address(self.transport, self.external_id)


class Guardian(SQLModel, table=True):
    """A parent or carer from the roster, linked to an account once they use their code."""

    __table_args__ = (sa.UniqueConstraint("school_id", "mis_id"),)
    id: int | None = Field(default=None, primary_key=True)
    school_id: str = Field(foreign_key="school.id", max_length=40, index=True)
    mis_id: str = Field(max_length=40)
    name: str = Field(max_length=120)
    account_id: int | None = Field(default=None, foreign_key="account.id", index=True)
    linked_at: datetime | None = _when(nullable=True)


class GuardianPupil(SQLModel, table=True):
    """Which guardian is a contact for which pupil, and with what standing."""

    __tablename__ = "guardian_pupil"
    guardian_id: int = Field(foreign_key="guardian.id", primary_key=True)
    pupil_id: int = Field(foreign_key="pupil.id", primary_key=True)
    relationship: str = Field(default="", max_length=40)
    parental_responsibility: bool = False


class Staff(SQLModel, table=True):
    """A member of staff, linked to an account once they use their staff code."""

    id: int | None = Field(default=None, primary_key=True)
    school_id: str = Field(foreign_key="school.id", max_length=40, index=True)
    name: str = Field(max_length=120)
    account_id: int | None = Field(default=None, foreign_key="account.id", index=True)
    absent: bool = False
    linked_at: datetime | None = _when(nullable=True)


class StaffRole(SQLModel, table=True):
    """A role a member of staff holds: teacher (of a class), dsl, deputy-dsl, head, office."""

    __tablename__ = "staff_role"
    __table_args__ = (sa.UniqueConstraint("staff_id", "role", "class_id"),)
    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    role: str = Field(max_length=20)
    class_id: int | None = Field(default=None, foreign_key="school_class.id")


class Conversation(SQLModel, table=True):
    """Where an account is in a conversation: the flow that owns it, its step and data."""

    account_id: int = Field(foreign_key="account.id", primary_key=True)
    school_id: str | None = Field(default=None, max_length=40)
    flow: str = Field(max_length=40)
    step: str = Field(max_length=40)
    data: dict[str, Any] = _json()
    nonce: str = Field(default="", max_length=16)
    # Flows interrupted by another command, by name: {"step", "data", "nonce"} each, to resume.
    parked: dict[str, Any] = _json()
    # Goes up on every write: the conditional write on it is the guard against two events
    # racing on one conversation (the nonce can't be, as typed text keeps it).
    version: int = 0
    updated_at: datetime = _created()


class OutboxMessage(SQLModel, table=True):
    """A message to send later: durable, scheduled, deduplicated, retried."""

    __tablename__ = "outbox"
    # The due-message query reads only rows waiting and due, not every pending row.
    __table_args__ = (sa.Index("ix_outbox_status_not_before", "status", "not_before"),)
    id: int | None = Field(default=None, primary_key=True)
    recipient: str = Field(max_length=64, index=True)
    school_id: str = Field(foreign_key="school.id", max_length=40)
    kind: str = Field(max_length=40)
    payload: dict[str, Any] = _json()
    not_before: datetime = _created()
    in_hours: bool = True
    priority: int = 0
    dedupe_key: str = Field(max_length=200, sa_column_kwargs={"unique": True})
    status: str = Field(default=OutboxStatus.PENDING, max_length=10, index=True)
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=500)
    claimed_at: datetime | None = _when(nullable=True)
    claim_token: str | None = Field(default=None, max_length=64)  # worker id : random
    sent_at: datetime | None = _when(nullable=True)
    created_at: datetime = _created()


class SendPace(SQLModel, table=True):
    """When the next message may go, shared by every worker: one row for the bot as a whole
    ("bot") and one per chat ("chat:<id>"), so N workers together keep Telegram's limits."""

    __tablename__ = "send_pace"
    key: str = Field(primary_key=True, max_length=40)
    next_at: float = 0.0  # seconds since the epoch


class UnansweredQuestion(SQLModel, table=True):
    """A question the FAQ could not answer or that did not help; no name is kept."""

    __tablename__ = "unanswered_question"
    id: int | None = Field(default=None, primary_key=True)
    school_id: str = Field(foreign_key="school.id", max_length=40, index=True)
    locale: str = Field(max_length=10)
    text: str = Field(max_length=4096)
    reason: str = Field(max_length=20)
    created_at: datetime = _created()


class LinkCode(SQLModel, table=True):
    """A one-time code that links a Telegram user to a roster contact or a member of staff."""

    __tablename__ = "link_code"
    id: int | None = Field(default=None, primary_key=True)
    school_id: str = Field(foreign_key="school.id", max_length=40, index=True)
    code_hash: str = Field(max_length=64, sa_column_kwargs={"unique": True})
    guardian_id: int | None = Field(default=None, foreign_key="guardian.id", index=True)
    staff_id: int | None = Field(default=None, foreign_key="staff.id", index=True)
    created_at: datetime = _created()
    expires_at: datetime = _created()
    used_at: datetime | None = _when(nullable=True)
    revoked_at: datetime | None = _when(nullable=True)


class LinkAttempt(SQLModel, table=True):
    """A wrong code typed by an account, kept for an hour to limit guessing."""

    __tablename__ = "link_attempt"
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    at: datetime = _created()


class AgreementRecord(SQLModel, table=True):
    """An agreement signed or withdrawn for a pupil: append-only, never edited by a flow."""

    __tablename__ = "agreement_record"
    id: int | None = Field(default=None, primary_key=True)
    school_id: str = Field(foreign_key="school.id", max_length=40, index=True)
    pupil_id: int = Field(foreign_key="pupil.id", index=True)
    guardian_id: int = Field(foreign_key="guardian.id", index=True)
    event: str = Field(max_length=10)  # an AgreementEvent
    template_id: str = Field(max_length=40)
    version: int
    text_hash: str = Field(max_length=64)
    typed_name: str = Field(default="", max_length=100)
    locale: str = Field(max_length=10)
    # Set to None when the family asks to be forgotten: the record stays, the account goes.
    telegram_user_id: str | None = Field(default=None, max_length=64)
    at: datetime = _created()


class Concern(SQLModel, table=True):
    """A worry raised by a parent, carer or pupil; its history is in ConcernEvent."""

    id: int | None = Field(default=None, primary_key=True)
    school_id: str = Field(foreign_key="school.id", max_length=40, index=True)
    reference: str = Field(max_length=12, sa_column_kwargs={"unique": True})
    # Set to None when the sender asks to be forgotten: the concern stays with the school.
    sender_account_id: int | None = Field(default=None, foreign_key="account.id", index=True)
    sender_guardian_id: int | None = Field(default=None, foreign_key="guardian.id")
    pupil_id: int | None = Field(default=None, foreign_key="pupil.id", index=True)
    from_pupil: bool = False
    category: str = Field(max_length=30)
    urgent: bool = False
    text: str = Field(max_length=4096)
    photos: list[str] = Field(default_factory=list, sa_column=sa.Column(sa.JSON(),
                                                                         nullable=False))
    locale: str = Field(max_length=10)
    status: str = Field(default=ConcernStatus.OPEN, max_length=12, index=True)
    escalate_at: datetime | None = _when(nullable=True, index=True)
    # Whether the sender hears about it in the chat it came from: None (not asked: they do),
    # True (a child asked for a reply there), False (a child tidied the chat away without
    # asking: nothing more goes to that chat, and staff follow it up in person).
    reply_here: bool | None = None
    created_at: datetime = _created()


class ConcernEvent(SQLModel, table=True):
    """One thing that happened to a concern (append-only): who, what, when."""

    __tablename__ = "concern_event"
    id: int | None = Field(default=None, primary_key=True)
    concern_id: int = Field(foreign_key="concern.id", index=True)
    event: str = Field(max_length=20)  # a ConcernStep
    actor: str = Field(max_length=40)  # sender | system | staff:<id>
    staff_id: int | None = Field(default=None, foreign_key="staff.id", index=True)
    note: str = Field(default="", max_length=500)
    at: datetime = _created()


class LiveSession(SQLModel, table=True):
    """A live lesson staff arranged: when, where, the rules families agree to, and its state."""

    __tablename__ = "live_session"
    id: int | None = Field(default=None, primary_key=True)
    school_id: str = Field(foreign_key="school.id", max_length=40, index=True)
    created_by: int = Field(foreign_key="staff.id", index=True)
    starts_at: datetime = _when(index=True)
    minutes: int
    platform: str = Field(max_length=200)  # as long as a profile allows
    # The join link is a secret: it is sent only to families who accepted, never logged.
    link: str = Field(max_length=500)
    recorded: bool = False
    pupil_id: int | None = Field(default=None, foreign_key="pupil.id")  # set for a 1-to-1
    parent_present: bool = False
    expectations: list[str] = Field(default_factory=list,
                                    sa_column=sa.Column(sa.JSON(), nullable=False))
    school_lines: list[str] = Field(default_factory=list,
                                    sa_column=sa.Column(sa.JSON(), nullable=False))
    extra: str = Field(default="", max_length=200)
    status: str = Field(default=LessonStatus.SCHEDULED, max_length=10, index=True)
    version: int = 1  # goes up each time the session moves or is cancelled
    created_at: datetime = _created()
    changed_at: datetime | None = _when(nullable=True)

    @property
    def ends_at(self) -> datetime:
        """When the lesson ends."""
        return lesson_end(self.starts_at, self.minutes)


class LiveSessionClass(SQLModel, table=True):
    """A class a live session is for."""

    __tablename__ = "live_session_class"
    session_id: int = Field(foreign_key="live_session.id", primary_key=True)
    class_id: int = Field(foreign_key="school_class.id", primary_key=True)


class LiveInvitation(SQLModel, table=True):
    """One family's invitation to a session for one child, and their answer."""

    __tablename__ = "live_invitation"
    __table_args__ = (sa.UniqueConstraint("session_id", "pupil_id", "guardian_id"),)
    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="live_session.id", index=True)
    pupil_id: int = Field(foreign_key="pupil.id", index=True)
    guardian_id: int = Field(foreign_key="guardian.id", index=True)
    status: str = Field(default=InvitationStatus.INVITED, max_length=10)
    responded_at: datetime | None = _when(nullable=True)
    created_at: datetime = _created()


# Questions passed to the school -----------------------------------------------------------


class SchoolQuestion(SQLModel, table=True):
    """A question the FAQ could not answer that a family asked the school; staff answer it in
    the chat. Its history is in QuestionEvent."""

    __tablename__ = "school_question"
    id: int | None = Field(default=None, primary_key=True)
    school_id: str = Field(foreign_key="school.id", max_length=40, index=True)
    reference: str = Field(max_length=12, sa_column_kwargs={"unique": True})
    # Set to None when the family asks to be forgotten: the question stays with the school.
    sender_account_id: int | None = Field(default=None, foreign_key="account.id", index=True)
    guardian_id: int | None = Field(default=None, foreign_key="guardian.id")
    pupil_id: int | None = Field(default=None, foreign_key="pupil.id")
    locale: str = Field(max_length=10)
    text: str = Field(max_length=1000)
    status: str = Field(default=QuestionStatus.OPEN, max_length=12, index=True)
    # The role it was first sent to ("teacher", "office" ...).
    routed_role: str = Field(max_length=20)
    # When it is next due a reminder (first) or to be passed to the office (after one).
    due_at: datetime | None = _when(nullable=True, index=True)
    reminded: bool = False
    # The FAQ entry staff said answers it, if they chose one.
    entry_id: str = Field(default="", max_length=60)
    answer: str = Field(default="", max_length=4096)
    answered_by: int | None = Field(default=None, foreign_key="staff.id")
    answered_at: datetime | None = _when(nullable=True)
    created_at: datetime = _created()


class QuestionEvent(SQLModel, table=True):
    """One thing that happened to a question passed to the school (append-only)."""

    __tablename__ = "question_event"
    id: int | None = Field(default=None, primary_key=True)
    question_id: int = Field(foreign_key="school_question.id", index=True)
    event: str = Field(max_length=20)  # a QuestionStep
    actor: str = Field(max_length=40)  # sender | system | staff:<id>
    staff_id: int | None = Field(default=None, foreign_key="staff.id", index=True)
    at: datetime = _created()


class FaqCandidate(SQLModel, table=True):
    """A family's wording that staff said an FAQ entry answers; once a school accepts it, the
    matcher answers that wording with the entry, for that school only."""

    __tablename__ = "faq_candidate"
    __table_args__ = (sa.UniqueConstraint("school_id", "locale", "entry_id", "text"),)
    id: int | None = Field(default=None, primary_key=True)
    school_id: str = Field(foreign_key="school.id", max_length=40, index=True)
    locale: str = Field(max_length=10)
    entry_id: str = Field(max_length=60)
    text: str = Field(max_length=400)  # normalised the way the matcher reads questions
    count: int = 1
    # Indexed: every update counts the accepted phrasings (see faq.alternates).
    accepted: bool = Field(default=False, index=True)
    created_at: datetime = _created()
    accepted_at: datetime | None = _when(nullable=True)


# Safety ------------------------------------------------------------------------------------


class DangerReport(SQLModel, table=True):
    """A message the danger check flagged, kept so one tap can raise it as an urgent concern
    (or, where the check was unsure, answer it as a question)."""

    __tablename__ = "danger_report"
    id: int | None = Field(default=None, primary_key=True)
    # Set to None when the sender asks to be forgotten, like a concern's sender.
    account_id: int | None = Field(default=None, foreign_key="account.id", index=True)
    school_id: str = Field(max_length=40)
    text: str = Field(max_length=4096)
    kinds: list[str] = Field(default_factory=list, sa_column=sa.Column(sa.JSON(),
                                                                       nullable=False))
    locale: str = Field(max_length=10)
    # The urgent concern it became, once the sender pressed "Tell the school now".
    concern_id: int | None = Field(default=None, foreign_key="concern.id")
    created_at: datetime = _created()

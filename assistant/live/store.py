"""Looking up a live session's people: its classes, its pupils, and the families invited."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from assistant.agreements.status import latest_records, statuses
from assistant.agreements.templates import load_templates, templates_for
from assistant.models import (
    Account,
    Guardian,
    GuardianPupil,
    LessonStatus,
    LiveInvitation,
    LiveSession,
    LiveSessionClass,
    Pupil,
    SchoolClass,
)
from assistant.people.identity import StaffLink
from assistant.schools import School

# Who may arrange live lessons: class teachers for their own classes, and these for any class.
LEADERS = ("head",)
SCHEDULED, CANCELLED = LessonStatus
# A lesson that started this long ago has surely ended; older ones are not looked at.
LONGEST_LESSON = timedelta(hours=3)


@dataclass(frozen=True)
class Invited:
    """One invitation with the people it concerns."""

    invitation: LiveInvitation
    pupil: Pupil
    class_code: str
    guardian: Guardian
    account: Account | None

    @property
    def recipient(self) -> str | None:
        """The outbox recipient of the family's chat, or None when they are not linked."""
        if self.account is None:
            return None
        return self.account.address

    @property
    def locale(self) -> str:
        return self.account.locale if self.account is not None else "en"


def session_classes(session: Session, live_id: int) -> list[SchoolClass]:
    """The classes a session is for, by code."""
    return list(session.exec(
        select(SchoolClass)
        .join(LiveSessionClass, col(LiveSessionClass.class_id) == col(SchoolClass.id))
        .where(LiveSessionClass.session_id == live_id)
        .order_by(col(SchoolClass.code))
    ))


def class_label(session: Session, live: LiveSession) -> str:
    """The session's classes as staff read them: "3B" or "3B, 4C"."""
    assert live.id is not None
    return ", ".join(c.code for c in session_classes(session, live.id))


def pupils_for(session: Session, class_ids: Iterable[int],
               pupil_id: int | None = None) -> list[tuple[Pupil, str]]:
    """The current pupils of these classes (or just the 1-to-1 pupil), with their class."""
    query = (
        select(Pupil, SchoolClass.code)
        .join(SchoolClass, col(SchoolClass.id) == col(Pupil.class_id))
        .where(col(SchoolClass.id).in_(list(class_ids)), col(Pupil.left_at).is_(None))
        .order_by(col(SchoolClass.code), col(Pupil.surname), col(Pupil.forename))
    )
    if pupil_id is not None:
        query = query.where(Pupil.id == pupil_id)
    return [(pupil, code) for pupil, code in session.exec(query)]


def pupils_of(session: Session, live: LiveSession) -> list[tuple[Pupil, str]]:
    """The current pupils a session is for, with their class."""
    assert live.id is not None
    class_ids = [c.id for c in session_classes(session, live.id) if c.id is not None]
    return pupils_for(session, class_ids, live.pupil_id)


def linked_guardians(session: Session, pupil_ids: Iterable[int]) -> list[tuple[int, Guardian,
                                                                                Account]]:
    """(pupil id, guardian, account) for every guardian of these pupils who has linked."""
    ids = list(pupil_ids)
    if not ids:
        return []
    rows = session.exec(
        select(GuardianPupil.pupil_id, Guardian, Account)
        .join(Guardian, col(Guardian.id) == col(GuardianPupil.guardian_id))
        .join(Account, col(Account.id) == col(Guardian.account_id))
        .where(col(GuardianPupil.pupil_id).in_(ids))
        .order_by(col(GuardianPupil.pupil_id), col(Guardian.id))
    )
    return [(pupil_id, guardian, account) for pupil_id, guardian, account in rows]


def invited(session: Session, live_id: int) -> list[Invited]:
    """Every invitation of a session, with its pupil, class, guardian and account."""
    rows = session.exec(
        select(LiveInvitation, Pupil, Guardian, Account)
        .join(Pupil, col(Pupil.id) == col(LiveInvitation.pupil_id))
        .join(Guardian, col(Guardian.id) == col(LiveInvitation.guardian_id))
        .join(Account, col(Account.id) == col(Guardian.account_id), isouter=True)
        .where(LiveInvitation.session_id == live_id)
        .order_by(col(LiveInvitation.id))
    ).all()
    class_ids = {pupil.class_id for _, pupil, _, _ in rows if pupil.class_id is not None}
    codes = {c.id: c.code for c in session.exec(
        select(SchoolClass).where(col(SchoolClass.id).in_(class_ids)))} if class_ids else {}
    return [Invited(inv, pupil, codes.get(pupil.class_id, ""), guardian, account)
            for inv, pupil, guardian, account in rows]


def signed_pupils(session: Session, school: School, pupils: Iterable[Pupil]) -> set[int]:
    """The pupils every required agreement is signed for (the current version of each)."""
    chosen = [p for p in pupils if p.id is not None]
    templates = templates_for(school, load_templates("en"))
    latest = latest_records(session, [p.id for p in chosen if p.id is not None])
    return {p.id for p in chosen if p.id is not None and all(
        s.done for s in statuses(p.id, p.year, templates, latest))}


def still_in_session(session: Session, live: LiveSession, pupil: Pupil) -> bool:
    """Tells whether a pupil is (still) one the session is for."""
    if pupil.left_at is not None:
        return False
    if live.pupil_id is not None:
        return pupil.id == live.pupil_id
    assert live.id is not None
    return pupil.class_id in {c.id for c in session_classes(session, live.id)}


def guardian_of(session: Session, guardian_id: int, pupil_id: int) -> bool:
    """Tells whether a guardian is (still) a contact for a pupil on the roster."""
    return session.get(GuardianPupil, (guardian_id, pupil_id)) is not None


def classes_for_staff(session: Session, school_id: str, post: StaffLink) -> list[SchoolClass]:
    """The classes this member of staff may arrange live lessons for."""
    query = select(SchoolClass).where(SchoolClass.school_id == school_id).order_by(
        col(SchoolClass.code))
    if not post.has(*LEADERS):
        query = query.where(col(SchoolClass.code).in_(post.classes()))
    return list(session.exec(query))


def may_manage(session: Session, post: StaffLink, live: LiveSession) -> bool:
    """Tells whether staff may see and change a session: its author, a leader, or its teacher."""
    if live.school_id != post.school_id:
        return False
    if post.has(*LEADERS) or live.created_by == post.staff_id:
        return True
    assert live.id is not None
    return any(c.code in post.classes() for c in session_classes(session, live.id))


def lesson_by_id(*, session: Session, live_id: int) -> LiveSession | None:
    """Looks up a live lesson by id."""
    return session.get(LiveSession, live_id)


def upcoming_lessons(*, session: Session, school_id: str, now: datetime) -> list[LiveSession]:
    """Lists a school's scheduled lessons that may not have ended yet, soonest first."""
    return list(session.exec(
        select(LiveSession)
        .where(LiveSession.school_id == school_id, LiveSession.status == SCHEDULED,
               col(LiveSession.starts_at) > now - LONGEST_LESSON)
        .order_by(col(LiveSession.starts_at))
    ).all())


def pupil_by_id(*, session: Session, pupil_id: int) -> Pupil | None:
    """Looks up a pupil by id."""
    return session.get(Pupil, pupil_id)

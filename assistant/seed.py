"""Demo data for trying the assistant: a class, a family and staff, created once."""

from __future__ import annotations

from sqlmodel import Session, select

from assistant.models import (
    Account,
    Guardian,
    GuardianPupil,
    Pupil,
    SchoolClass,
    Staff,
    StaffRole,
    utcnow,
)

DEMO_CLASS = "3B"


def _account(session: Session, transport: str, external_id: str) -> Account:
    found = session.exec(
        select(Account).where(Account.transport == transport, Account.external_id == external_id)
    ).first()
    if found is not None:
        return found
    account = Account(transport=transport, external_id=external_id)
    session.add(account)
    session.flush()
    return account


def seed_demo(
    session: Session, *, school_id: str, transport: str, user_ids: dict[str, str]
) -> bool:
    """Creates a class, two pupils, their parent and two staff, linked to the given users.

    `user_ids` maps "parent" and "staff" to the transport's user ids. Returns False when the
    school already had a class (nothing is changed then).
    """
    if session.exec(select(SchoolClass).where(SchoolClass.school_id == school_id)).first():
        return False
    now = utcnow()
    klass = SchoolClass(school_id=school_id, code=DEMO_CLASS, year="3")
    other = SchoolClass(school_id=school_id, code="1A", year="1")
    session.add_all([klass, other])
    session.flush()
    ava = Pupil(school_id=school_id, mis_id="DEMO-P1", forename="Ava", surname="Khan", year="3",
                class_id=klass.id)
    sam = Pupil(school_id=school_id, mis_id="DEMO-P2", forename="Sam", surname="Khan", year="1",
                class_id=other.id)
    session.add_all([ava, sam])
    parent_account = _account(session, transport, user_ids["parent"])
    staff_account = _account(session, transport, user_ids["staff"])
    guardian = Guardian(school_id=school_id, mis_id="DEMO-C1", name="Noor Khan",
                        account_id=parent_account.id, linked_at=now)
    teacher = Staff(school_id=school_id, name="Demo Teacher", account_id=staff_account.id,
                    linked_at=now)
    dsl = Staff(school_id=school_id, name="Demo DSL")
    session.add_all([guardian, teacher, dsl])
    session.flush()
    assert guardian.id is not None and ava.id is not None and sam.id is not None
    assert teacher.id is not None and dsl.id is not None
    session.add_all([
        GuardianPupil(guardian_id=guardian.id, pupil_id=ava.id, relationship="Mother",
                      parental_responsibility=True),
        GuardianPupil(guardian_id=guardian.id, pupil_id=sam.id, relationship="Mother",
                      parental_responsibility=True),
        StaffRole(staff_id=teacher.id, role="teacher", class_id=klass.id),
        StaffRole(staff_id=dsl.id, role="dsl"),
    ])
    return True

"""Agreements in storage: signing and withdrawing, telling teachers, and reminding families."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from assistant.agreements.templates import Template, full_text, text_hash
from assistant.events import Button
from assistant.i18n import gettext_for
from assistant.models import (
    Account,
    AgreementEvent,
    AgreementRecord,
    Guardian,
    GuardianPupil,
    OutboxMessage,
    Pupil,
    SchoolClass,
    Staff,
    StaffRole,
    address,
)
from assistant.outbox import enqueue
from assistant.people.identity import LinkedChild
from assistant.schools import School

REMINDER_KIND = "agreement-reminder"
REMIND_EVERY = timedelta(days=7)


def _telegram_user_id(account: Account) -> str | None:
    """Returns the Telegram user id a record keeps, or None for other transports."""
    return account.external_id if account.transport == "telegram" else None


def sign_agreement(*, session: Session, signer: LinkedChild, template: Template, name: str,
                   account: Account, locale: str, now: datetime) -> AgreementRecord:
    """Records a typed signature for the text the signer was shown, in the caller's transaction."""
    shown = full_text(template, school=signer.school, child=signer.child.forename,
                      locale=locale)
    record = AgreementRecord(
        school_id=signer.school.id, pupil_id=signer.child.pupil_id,
        guardian_id=signer.guardian_id, event=AgreementEvent.SIGNED, template_id=template.id,
        version=template.version, text_hash=text_hash(shown), typed_name=name,
        locale=locale, at=now, telegram_user_id=_telegram_user_id(account),
    )
    session.add(record)
    session.flush()
    return record


def withdraw_agreement(*, session: Session, signer: LinkedChild, template: Template,
                       latest: AgreementRecord, account: Account, locale: str,
                       now: datetime) -> AgreementRecord:
    """Records a withdrawal of the signed agreement and tells the child's class teachers."""
    record = AgreementRecord(
        school_id=signer.school.id, pupil_id=signer.child.pupil_id,
        guardian_id=signer.guardian_id, event=AgreementEvent.WITHDRAWN, template_id=template.id,
        version=latest.version, text_hash=latest.text_hash, typed_name=signer.guardian_name,
        locale=locale, at=now, telegram_user_id=_telegram_user_id(account),
    )
    session.add(record)
    session.flush()
    tell_teachers(session=session, signer=signer, template=template, record=record,
                  locale=locale, now=now)
    return record


def tell_teachers(*, session: Session, signer: LinkedChild, template: Template,
                  record: AgreementRecord, locale: str, now: datetime) -> None:
    """Queues word to the child's linked class teachers that an agreement was withdrawn."""
    teachers = session.exec(
        select(Staff)
        .join(StaffRole, StaffRole.staff_id == Staff.id)  # type: ignore[arg-type]
        .join(SchoolClass, SchoolClass.id == StaffRole.class_id)  # type: ignore[arg-type]
        .where(SchoolClass.school_id == signer.school.id,
               SchoolClass.code == signer.child.class_code, StaffRole.role == "teacher")
    ).all()
    _ = gettext_for(locale)
    for teacher in teachers:
        if teacher.account_id is None:
            continue
        account = teacher_address(session=session, account_id=teacher.account_id)
        if account is None:
            continue
        text = _("{parent} has withdrawn their agreement to {title} for {child} ({code})."
                 ).format(parent=signer.guardian_name, title=template.title,
                          child=signer.child.name, code=signer.child.class_code)
        enqueue(session=session, school=signer.school, recipient=account,
                kind="agreement-withdrawn", payload={"text": text},
                dedupe_key=f"agreement-withdrawn:{record.id}:{teacher.id}", now=now)


def teacher_address(*, session: Session, account_id: int) -> str | None:
    """Finds the outbox recipient ("telegram:123") for a staff member's account."""
    account = session.get(Account, account_id)
    return account.address if account is not None else None


@dataclass(frozen=True)
class PupilRow:
    """A current pupil as the staff agreement list shows them."""

    pupil_id: int
    name: str
    class_code: str
    year: str


def pupils_in_scope(*, session: Session, school_id: str,
                    classes: list[str] | None) -> list[PupilRow]:
    """Lists current pupils of these classes (all classes for None), by class and name."""
    query = (
        select(Pupil, SchoolClass.code)
        .join(SchoolClass, col(SchoolClass.id) == col(Pupil.class_id))
        .where(Pupil.school_id == school_id, col(Pupil.left_at).is_(None))
        .order_by(col(SchoolClass.code), col(Pupil.surname), col(Pupil.forename))
    )
    if classes is not None:
        query = query.where(col(SchoolClass.code).in_(classes))
    return [PupilRow(pupil.id or 0, f"{pupil.forename} {pupil.surname}", code, pupil.year)
            for pupil, code in session.exec(query)]


@dataclass(frozen=True)
class ToRemind:
    """Who a reminder about unsigned agreements would reach."""

    families: dict[str, list[str]]  # recipient -> forenames of their unsigned children
    recent: set[str]  # recipients already reminded within REMIND_EVERY
    not_linked: set[int | None]  # guardians with parental responsibility not linked yet


def who_to_remind(*, session: Session, unsigned: dict[int, PupilRow],
                  now: datetime) -> ToRemind:
    """Finds the families of these unsigned pupils, who was reminded lately, and who can't be."""
    families: dict[str, list[str]] = {}
    not_linked: set[int | None] = set()
    rows = session.exec(
        select(GuardianPupil.pupil_id, Guardian.id, Account.transport, Account.external_id)
        .join(Guardian, col(Guardian.id) == col(GuardianPupil.guardian_id))
        .join(Account, col(Account.id) == col(Guardian.account_id), isouter=True)
        .where(col(GuardianPupil.pupil_id).in_(list(unsigned)),
               col(GuardianPupil.parental_responsibility).is_(True))
    )
    for pupil_id, guardian_id, transport, external in rows:
        if transport is None:
            not_linked.add(guardian_id)
            continue
        names = families.setdefault(address(transport, external), [])
        names.append(unsigned[pupil_id].name.split()[0])
    since = now - REMIND_EVERY
    recent = set(session.exec(
        select(OutboxMessage.recipient).where(
            OutboxMessage.kind == REMINDER_KIND, col(OutboxMessage.created_at) > since,
            col(OutboxMessage.recipient).in_(list(families)))
    ).all())
    return ToRemind(families, recent, not_linked)


def queue_reminder(*, session: Session, school: School, recipient: str, text: str,
                   button: Button, now: datetime) -> None:
    """Queues a reminder to sign, with the caller's button to start, once per family a day."""
    enqueue(session=session, school=school, recipient=recipient, kind=REMINDER_KIND, now=now,
            payload={"text": text, "buttons": [[{"label": button.label,
                                                 "action": button.action,
                                                 "payload": button.payload}]]},
            dedupe_key=f"{REMINDER_KIND}:{recipient}:{now:%Y-%m-%d}")

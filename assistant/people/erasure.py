"""/forget and /unlink: letting go of an account's link to the roster, and of what is kept."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from assistant.models import (
    Account,
    AgreementRecord,
    Concern,
    DangerReport,
    Guardian,
    LinkAttempt,
    OutboxMessage,
    OutboxStatus,
    SchoolQuestion,
    Staff,
)
from assistant.outbox import DELETION, ERASED_RECIPIENT, FORGET_AFTER_SENDING
from assistant.people.identity import LINKS
from assistant.people.records import signatures_of


def staff_of(*, session: Session, account_id: int) -> list[Staff]:
    """The staff posts an account holds."""
    return list(session.exec(select(Staff).where(Staff.account_id == account_id)))


def unlink_account(*, session: Session, account: Account) -> None:
    """Unlinks an account from every roster contact and staff post it stands for."""
    people: list[Guardian | Staff] = [
        *session.exec(select(Guardian).where(Guardian.account_id == account.id)),
        *session.exec(select(Staff).where(Staff.account_id == account.id)),
    ]
    for person in people:
        person.account_id = None
        person.linked_at = None
        session.add(person)
    session.info.pop(LINKS, None)  # what the update's lookup read of its links no longer holds


def erase_account(*, session: Session, account: Account, now: datetime) -> None:
    """Erases what is kept about an account; the school's records stay, no longer tied to it."""
    recipient = account.address
    outbox = OutboxMessage.__table__  # type: ignore[attr-defined]
    # A live-lesson link still in the chat must still go: its pending deletion is kept, made
    # due now, and forgets the chat's address once done (FORGET_AFTER_SENDING).
    for row in session.exec(select(OutboxMessage).where(
            OutboxMessage.recipient == recipient, OutboxMessage.kind == DELETION,
            OutboxMessage.status != OutboxStatus.SENT)):
        row.payload = {**row.payload, FORGET_AFTER_SENDING: True}
        row.not_before = min(row.not_before, now)
        session.add(row)
    session.execute(sa.delete(outbox).where(
        col(OutboxMessage.recipient) == recipient, col(OutboxMessage.status) != "sent",
        col(OutboxMessage.kind) != DELETION))
    # What was sent stays counted, but no longer says who it went to or what it said (a
    # child's name, a join link).
    session.execute(sa.update(outbox).where(
        col(OutboxMessage.recipient) == recipient, col(OutboxMessage.status) == "sent")
        .values(recipient=ERASED_RECIPIENT, payload={}))
    session.execute(sa.delete(LinkAttempt.__table__).where(  # type: ignore[attr-defined]
        col(LinkAttempt.account_id) == account.id))
    # Concerns, questions, signatures and flagged messages stay with the school, no longer tied to
    # this account (the /mydata file lists each of them before).
    session.execute(sa.update(Concern.__table__)  # type: ignore[attr-defined]
                    .where(col(Concern.sender_account_id) == account.id)
                    .values(sender_account_id=None))
    session.execute(sa.update(SchoolQuestion.__table__)  # type: ignore[attr-defined]
                    .where(col(SchoolQuestion.sender_account_id) == account.id)
                    .values(sender_account_id=None))
    session.execute(sa.update(AgreementRecord.__table__)  # type: ignore[attr-defined]
                    .where(signatures_of(account))
                    .values(telegram_user_id=None))
    session.execute(sa.update(DangerReport.__table__)  # type: ignore[attr-defined]
                    .where(col(DangerReport.account_id) == account.id)
                    .values(account_id=None))
    # The conversation row itself is deleted by the engine as the account flow ends it.
    account.locale = "en"
    account.external_id = f"erased-{account.id}"
    session.add(account)

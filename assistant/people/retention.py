"""Keeping only what the school's retention says: old outbox history, old unanswered questions
and old flagged messages never sent to the school go; concerns, signatures and registers are
kept as the school decides."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col

from assistant.models import DangerReport, OutboxMessage, OutboxStatus, UnansweredQuestion

OUTBOX_DAYS = 30
UNANSWERED_DAYS = 365
# A flagged message is kept so that one tap can raise it, or have it answered as a question;
# one never raised is the school's to see nowhere, so after this it goes (its buttons then say
# it can't be sent from here).
FLAGGED_DAYS = 30


@dataclass(frozen=True)
class Purged:
    """How many rows of each kind were removed."""

    outbox: int
    unanswered: int
    flagged: int


def purge(*, session: Session, school_id: str, now: datetime, outbox_days: int = OUTBOX_DAYS,
          unanswered_days: int = UNANSWERED_DAYS, flagged_days: int = FLAGGED_DAYS) -> Purged:
    """Removes a school's sent or given-up outbox rows older than outbox_days (what was sent,
    to whom), unanswered questions older than unanswered_days, and flagged messages never
    raised as a concern older than flagged_days (one raised is kept with its concern)."""
    outbox = OutboxMessage.__table__  # type: ignore[attr-defined]
    sent = session.execute(sa.delete(outbox).where(
        col(OutboxMessage.school_id) == school_id,
        col(OutboxMessage.status).in_([OutboxStatus.SENT, OutboxStatus.FAILED]),
        col(OutboxMessage.created_at) < now - timedelta(days=outbox_days)))
    unanswered = session.execute(sa.delete(UnansweredQuestion.__table__).where(  # type: ignore[attr-defined]
        col(UnansweredQuestion.school_id) == school_id,
        col(UnansweredQuestion.created_at) < now - timedelta(days=unanswered_days)))
    flagged = session.execute(sa.delete(DangerReport.__table__).where(  # type: ignore[attr-defined]
        col(DangerReport.school_id) == school_id,
        col(DangerReport.concern_id).is_(None),
        col(DangerReport.created_at) < now - timedelta(days=flagged_days)))
    return Purged(int(sent.rowcount), int(unanswered.rowcount),  # type: ignore[attr-defined]
                  int(flagged.rowcount))  # type: ignore[attr-defined]

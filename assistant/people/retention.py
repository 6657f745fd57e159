"""Keeping only what the school's retention says: old outbox history and old unanswered
questions go; concerns, signatures and registers are kept as the school decides."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col

from assistant.models import OutboxMessage, OutboxStatus, UnansweredQuestion

OUTBOX_DAYS = 30
UNANSWERED_DAYS = 365


@dataclass(frozen=True)
class Purged:
    """How many rows of each kind were removed."""

    outbox: int
    unanswered: int


def purge(*, session: Session, school_id: str, now: datetime, outbox_days: int = OUTBOX_DAYS,
          unanswered_days: int = UNANSWERED_DAYS) -> Purged:
    """Removes a school's sent or given-up outbox rows older than outbox_days (what was sent,
    to whom) and unanswered questions older than unanswered_days."""
    outbox = OutboxMessage.__table__  # type: ignore[attr-defined]
    sent = session.execute(sa.delete(outbox).where(
        col(OutboxMessage.school_id) == school_id,
        col(OutboxMessage.status).in_([OutboxStatus.SENT, OutboxStatus.FAILED]),
        col(OutboxMessage.created_at) < now - timedelta(days=outbox_days)))
    unanswered = session.execute(sa.delete(UnansweredQuestion.__table__).where(  # type: ignore[attr-defined]
        col(UnansweredQuestion.school_id) == school_id,
        col(UnansweredQuestion.created_at) < now - timedelta(days=unanswered_days)))
    return Purged(int(sent.rowcount), int(unanswered.rowcount))  # type: ignore[attr-defined]

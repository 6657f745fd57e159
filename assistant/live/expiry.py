"""Messages that must not outlive their use: deleting them once sent, at a set time.

The payload contract (read by every transport's outbox sender):
  "delete_after": an ISO-8601 instant. In the step that records the message sent, its
                  deletion is queued for then, as an outbox row of its own (queue_deletion).
  "delete_message_ids": the transport's ids of messages to delete from the recipient's chat;
                  such a row sends nothing new. "replacement" is the text to leave in place
                  where the transport can no longer delete a message (Telegram: after 48 h).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from assistant.models import OutboxMessage
from assistant.outbox import CLAIMED, DELETION, FAILED, PENDING, SENT, Claimed

DELETE_AFTER = "delete_after"
DELETE_IDS = "delete_message_ids"
REPLACEMENT = "replacement"
KIND = DELETION


def deletion_key(outbox_id: int) -> str:
    """The dedupe key of the row that deletes what outbox row `outbox_id` sent."""
    return f"delete-after:{outbox_id}"


def expiry_of(payload: Mapping[str, Any]) -> datetime | None:
    """When a message's payload asks for it to be deleted, or None; malformed means never."""
    raw = payload.get(DELETE_AFTER)
    if not isinstance(raw, str):
        return None
    try:
        at = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return at if at.tzinfo is not None else None


def queue_deletion(session: Session, item: Claimed, message_ids: Sequence[int]) -> None:
    """Queues, in the caller's transaction (the one that records the message sent), the
    deletion of the messages an outbox row just became, for the time its payload asks."""
    at = expiry_of(item.payload)
    if at is None or not message_ids:
        return
    payload: dict[str, Any] = {DELETE_IDS: list(message_ids)}
    if isinstance(item.payload.get(REPLACEMENT), str):
        payload[REPLACEMENT] = item.payload[REPLACEMENT]
    existing = session.exec(select(OutboxMessage).where(
        OutboxMessage.dedupe_key == deletion_key(item.id))).first()
    if existing is not None:
        # Sent again after a crash before it was marked sent: delete both copies.
        known = existing.payload.get(DELETE_IDS) or []
        existing.payload = {**existing.payload, DELETE_IDS: sorted({*known, *message_ids})}
        session.add(existing)
        return
    row = OutboxMessage(recipient=item.recipient, school_id=item.school_id, kind=KIND,
                        payload=payload, not_before=at, in_hours=False, priority=5,
                        dedupe_key=deletion_key(item.id))
    session.add(row)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        session.expunge(row)  # a second sender queued it first


def withdraw(session: Session, dedupe_key: str, now: datetime) -> None:
    """Stops a message from arriving, or removes it now if it already has.

    Unsent: it never goes. Sent with a scheduled deletion: the deletion happens now. Being
    sent at this very moment: its deletion stays at the time it asked for.
    """
    table = OutboxMessage.__table__  # type: ignore[attr-defined]
    row = session.exec(select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key)).first()
    if row is None or row.id is None:
        return
    stopped = session.execute(
        sa.update(table).where(table.c.id == row.id, table.c.status == PENDING)
        .values(status=FAILED, last_error="withdrawn before it was sent")
    )
    if stopped.rowcount == 1:  # type: ignore[attr-defined]
        return
    session.execute(
        sa.update(table)
        .where(table.c.dedupe_key == deletion_key(row.id), table.c.status == PENDING)
        .values(not_before=now)
    )


def withdraw_prefix(session: Session, prefix: str, now: datetime) -> None:
    """Withdraws every message whose dedupe key starts with `prefix` (all its versions)."""
    keys = session.exec(select(OutboxMessage.dedupe_key).where(
        sa.func.substr(OutboxMessage.dedupe_key, 1, len(prefix)) == prefix)).all()
    for key in keys:
        withdraw(session, key, now)


def sent_with_prefix(session: Session, prefix: str) -> bool:
    """Tells whether any message with a dedupe key starting `prefix` has left (or is leaving)."""
    found = session.exec(select(OutboxMessage.id).where(
        sa.func.substr(OutboxMessage.dedupe_key, 1, len(prefix)) == prefix,
        col(OutboxMessage.status).in_([SENT, CLAIMED])).limit(1)).first()
    return found is not None

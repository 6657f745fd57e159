"""The outbox: durable, scheduled outgoing messages, and the dispatcher that sends them."""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from assistant.db import transaction
from assistant.hours import is_open, next_open
from assistant.models import OutboxMessage, OutboxStatus, utcnow
from assistant.schools import School

log = logging.getLogger(__name__)

PENDING, CLAIMED, SENT, FAILED = OutboxStatus
MAX_ATTEMPTS = 8


class PermanentSendError(Exception):
    """The transport can never deliver this message (the user blocked the bot, say)."""


# A claim is a small batch under a short lease: a worker that dies holds at most BATCH rows,
# for at most LEASE, and a restarted worker takes its own back at once (reclaim_own).
LEASE = timedelta(seconds=60)
# Set in a session's info when it queued a message that is due at once.
DUE_NOW = "outbox_due_now"
BATCH = 10

# The kind of row that deletes messages already in a chat (a live-lesson link after the lesson).
DELETION = "delete-message"
# Where a sent row points once its person asked to be forgotten.
ERASED_RECIPIENT = "erased"
# A payload flag: once sent, the row forgets its chat's address and its payload.
FORGET_AFTER_SENDING = "forget_after_sending"


def enqueue(
    *,
    session: Session,
    school: School,
    recipient: str,
    kind: str,
    payload: dict[str, Any],
    dedupe_key: str,
    not_before: datetime | None = None,
    in_hours: bool = True,
    priority: int = 0,
    now: datetime | None = None,
) -> OutboxMessage:
    """Queues a message in the caller's transaction; the same dedupe key queues it once."""
    existing = session.exec(
        select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key)
    ).first()
    if existing is not None:
        return existing
    now = now or utcnow()
    due = not_before or now
    if in_hours:
        due = next_open(school, due)
    row = OutboxMessage(
        recipient=recipient,
        school_id=school.id,
        kind=kind,
        payload=payload,
        not_before=due,
        in_hours=in_hours,
        priority=priority,
        dedupe_key=dedupe_key,
        created_at=now,
    )
    session.add(row)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        # Another transaction queued the same key between our look and our write.
        session.expunge(row)
        return session.exec(
            select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key)
        ).one()
    if due <= now:
        # Due at once: the transport may send it straight after this transaction commits.
        session.info[DUE_NOW] = True
    return row


@dataclass(frozen=True)
class Claimed:
    """A message this dispatcher holds the claim on, ready to send."""

    id: int
    token: str
    recipient: str
    school_id: str
    kind: str
    payload: dict[str, Any]
    attempts: int


# Sends one message; returns the transport's ids of the messages it became, where it has them.
Sender = Callable[[Claimed], Awaitable[Sequence[int] | None]]
# Runs in the transaction that marks a message sent: the place to record "delivered".
AfterSend = Callable[[Session, Claimed], None]
# Also runs in that transaction, with the transport's message ids: the place to queue the
# deletion of a message that must not outlive its use, in the same step that records it sent.
OnSent = Callable[[Session, Claimed, Sequence[int]], None]


def _due_query(in_chat_order: bool) -> sa.Select[Any]:
    """The outbox job's query for what is due now, built once: building it on every tick
    cost more than running it.

    Where several workers may share the database (PostgreSQL), one chat's messages still go
    in the order they were queued: nothing is taken for a chat while another worker is sending
    to it, or while another holds an earlier message to it that is due.
    """
    table = OutboxMessage.__table__  # type: ignore[attr-defined]
    now: sa.BindParameter[datetime] = sa.bindparam("now")
    stale: sa.BindParameter[datetime] = sa.bindparam("stale")

    def due(rows: sa.Table) -> sa.ColumnElement[bool]:
        return sa.and_(rows.c.not_before <= now, sa.or_(
            rows.c.status == PENDING,
            sa.and_(rows.c.status == CLAIMED, rows.c.claimed_at < stale)))

    query = (
        sa.select(table.c.id)
        .where(due(table))
        .order_by(table.c.priority.desc(), table.c.not_before, table.c.id)
        .limit(sa.bindparam("batch"))
    )
    if not in_chat_order:
        return query
    # With each row, the first message to its chat that is due: when that one is not among
    # the rows found, another worker has it in hand (or it is beyond this batch), and the
    # chat's later messages wait for the next round.
    other = table.alias("other")
    first = (sa.select(sa.func.min(other.c.id))
             .where(other.c.recipient == table.c.recipient, other.c.status == PENDING,
                    other.c.not_before <= now)
             .scalar_subquery())
    return query.add_columns(first).where(~sa.exists().where(
        other.c.recipient == table.c.recipient, other.c.id != table.c.id,
        other.c.status == CLAIMED, other.c.claimed_at >= stale)).with_for_update(skip_locked=True)


_DUE = _due_query(in_chat_order=False)
_DUE_IN_CHAT_ORDER = _due_query(in_chat_order=True)


class Dispatcher:
    """Claims due messages, sends them through the transport, and records the outcome."""

    def __init__(
        self,
        *,
        db: sa.Engine,
        schools: dict[str, School],
        send: Sender,
        clock: Callable[[], datetime] = utcnow,
        lease: timedelta = LEASE,
        batch: int = BATCH,
        after_send: AfterSend | None = None,
        on_sent: OnSent | None = None,
        worker: str = "worker-1",
    ) -> None:
        self.db, self.schools, self.send, self.clock = db, schools, send, clock
        self.lease, self.batch, self.after_send = lease, batch, after_send
        self.on_sent = on_sent
        self.worker = worker

    def reclaim_own(self) -> int:
        """Puts back the rows this worker had claimed when its last run stopped (a crash, a
        kill): they go at once, not when their lease runs out. Returns how many."""
        table = OutboxMessage.__table__  # type: ignore[attr-defined]
        with transaction(self.db) as session:
            result = session.execute(
                sa.update(table)
                .where(table.c.status == CLAIMED,
                       table.c.claim_token.startswith(f"{self.worker}:", autoescape=True))
                .values(status=PENDING, claim_token=None, claimed_at=None))
            return int(result.rowcount)  # type: ignore[attr-defined]

    def renew(self, items: Sequence[Claimed]) -> None:
        """Extends the lease on claimed rows still waiting to be sent in this batch."""
        if not items:
            return
        table = OutboxMessage.__table__  # type: ignore[attr-defined]
        with transaction(self.db) as session:
            for item in items:
                session.execute(sa.update(table).where(
                    table.c.id == item.id, table.c.claim_token == item.token,
                    table.c.status == CLAIMED).values(claimed_at=self.clock()))

    def _due_ids(self, session: Session, now: datetime) -> list[int]:
        several = session.get_bind().dialect.name == "postgresql"  # workers may share it
        query = _DUE_IN_CHAT_ORDER if several else _DUE
        found = session.connection().execute(
            query, {"now": now, "stale": now - self.lease, "batch": self.batch}).all()
        if not several:
            return [row[0] for row in found]
        mine = {row[0] for row in found}
        return [row[0] for row in found if row[1] is None or row[1] in mine]

    def claim(self) -> list[Claimed]:
        """Claims due messages; a conditional update makes each claim exclusive."""
        now = self.clock()
        table = OutboxMessage.__table__  # type: ignore[attr-defined]
        claimed: list[Claimed] = []
        with transaction(self.db) as session:
            for message_id in self._due_ids(session, now):
                row = session.get(OutboxMessage, message_id)
                if row is None:
                    continue
                school = self.schools.get(row.school_id)
                if row.in_hours and school is not None and not is_open(school, now):
                    # Hours have closed since it was queued: wait for the next opening.
                    row.not_before = next_open(school, now)
                    row.status = PENDING
                    session.add(row)
                    continue
                token = f"{self.worker}:{secrets.token_hex(8)}"
                result = session.execute(
                    sa.update(table)
                    .where(
                        table.c.id == message_id,
                        sa.or_(
                            table.c.status == PENDING,
                            sa.and_(
                                table.c.status == CLAIMED,
                                table.c.claimed_at < now - self.lease,
                            ),
                        ),
                    )
                    .values(status=CLAIMED, claimed_at=now, claim_token=token,
                            attempts=table.c.attempts + 1)
                )
                if result.rowcount == 1:  # type: ignore[attr-defined]
                    claimed.append(Claimed(message_id, token, row.recipient, row.school_id,
                                           row.kind, dict(row.payload), row.attempts + 1))
                session.expire(row)
        return claimed

    def _finish(self, item: Claimed, values: dict[str, Any], sent: Sequence[int] = ()) -> None:
        table = OutboxMessage.__table__  # type: ignore[attr-defined]
        if values.get("status") == SENT and item.payload.get(FORGET_AFTER_SENDING):
            values = {**values, "recipient": ERASED_RECIPIENT, "payload": {}}
        with transaction(self.db) as session:
            result = session.execute(
                sa.update(table)
                .where(table.c.id == item.id, table.c.claim_token == item.token)
                .values(**values)
            )
            finished = result.rowcount == 1  # type: ignore[attr-defined]
            if values.get("status") == SENT and finished and self.after_send is not None:
                self.after_send(session, item)
            if values.get("status") == SENT and sent and self.on_sent is not None:
                # Even if another worker has taken the row since: this copy was sent.
                self.on_sent(session, item, sent)

    async def run_once(self) -> int:
        """Sends what is due now, a small batch at a time; returns how many were sent."""
        sent = 0
        batch = await asyncio.to_thread(self.claim)
        renewed = time.monotonic()
        for position, item in enumerate(batch):
            if time.monotonic() - renewed > self.lease.total_seconds() / 2:
                # A slow Telegram: keep the rest of the batch ours while we get to it.
                await asyncio.to_thread(self.renew, batch[position:])
                renewed = time.monotonic()
            try:
                became = await self.send(item)
            except PermanentSendError as error:
                log.warning("outbox %s (%s) undeliverable: %s", item.id, item.kind, error)
                await asyncio.to_thread(
                    self._finish, item, {"status": FAILED, "last_error": str(error)[:500]}
                )
            except Exception as error:
                failed = item.attempts >= MAX_ATTEMPTS
                delay = timedelta(seconds=min(30 * 2 ** item.attempts, 3600))
                log.warning("outbox %s (%s) attempt %s failed: %s",
                            item.id, item.kind, item.attempts, type(error).__name__)
                await asyncio.to_thread(self._finish, item, {
                    "status": FAILED if failed else PENDING,
                    "last_error": f"{type(error).__name__}: {error}"[:500],
                    "not_before": self.clock() + delay,
                })
            else:
                await asyncio.to_thread(
                    self._finish, item, {"status": SENT, "sent_at": self.clock()},
                    tuple(became or ()),
                )
                sent += 1
        return sent


def pending_count(session: Session) -> int:
    """Counts messages not yet sent."""
    return len(session.exec(
        select(OutboxMessage.id).where(col(OutboxMessage.status).in_([PENDING, CLAIMED]))
    ).all())

"""The outbox: scheduled messages go out once, inside hours, even after a crash."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from assistant.db import transaction
from assistant.models import OutboxMessage
from assistant.outbox import Claimed, Dispatcher, PermanentSendError, enqueue
from assistant.schools import School
from tests.conftest import Clock

FRIDAY_17 = datetime(2026, 11, 27, 17, 0, tzinfo=UTC)


class Recorder:
    """A transport that records what it was asked to send."""

    def __init__(self) -> None:
        self.sent: list[Claimed] = []
        self.lock = threading.Lock()
        self.fail_with: Exception | None = None

    async def __call__(self, item: Claimed) -> None:
        if self.fail_with is not None:
            raise self.fail_with
        with self.lock:
            self.sent.append(item)


def queue(db: sa.Engine, school: School, key: str, clock: Clock, *,
          at: datetime | None = None, in_hours: bool = True) -> None:
    with transaction(db) as session:
        enqueue(session=session, school=school, recipient="telegram:42", kind="reminder",
                payload={"text": "hello"}, dedupe_key=key, not_before=at, in_hours=in_hours,
                now=clock.now)


def dispatcher(db: sa.Engine, schools: dict[str, School], clock: Clock, send: Recorder,
               **kwargs: object) -> Dispatcher:
    return Dispatcher(db=db, schools=schools, send=send, clock=clock, **kwargs)  # type: ignore[arg-type]


def test_friday_evening_message_goes_out_monday_0830(db, schools, clock) -> None:
    clock.now = FRIDAY_17
    queue(db, schools["demo"], "k1", clock, at=FRIDAY_17)
    send = Recorder()
    worker = dispatcher(db, schools, clock, send)
    clock.now = datetime(2026, 11, 30, 8, 29, tzinfo=UTC)
    assert asyncio.run(worker.run_once()) == 0
    clock.now = datetime(2026, 11, 30, 8, 30, tzinfo=UTC)
    assert asyncio.run(worker.run_once()) == 1
    assert [m.payload for m in send.sent] == [{"text": "hello"}]


def test_friday_message_before_a_bank_holiday_waits_for_tuesday(db, schools, clock) -> None:
    friday = datetime(2026, 5, 22, 16, 0, tzinfo=UTC)  # 17:00 BST
    clock.now = friday
    queue(db, schools["demo"], "k1", clock, at=friday)
    with Session(db) as session:
        row = session.exec(select(OutboxMessage)).one()
    assert row.not_before == datetime(2026, 5, 26, 7, 30, tzinfo=UTC)  # Tuesday 08:30 BST


def test_same_dedupe_key_queued_twice_is_sent_once(db, schools, clock) -> None:
    queue(db, schools["demo"], "same", clock)
    queue(db, schools["demo"], "same", clock)
    send = Recorder()
    worker = dispatcher(db, schools, clock, send)
    asyncio.run(worker.run_once())
    asyncio.run(worker.run_once())
    assert len(send.sent) == 1


def test_crash_between_claim_and_send_sends_again_after_the_lease(db, schools, clock) -> None:
    queue(db, schools["demo"], "k1", clock)
    send = Recorder()
    worker = dispatcher(db, schools, clock, send, lease=timedelta(minutes=5))
    claimed = worker.claim()  # the process dies here, before sending
    assert len(claimed) == 1
    clock.advance(minutes=1)
    assert asyncio.run(worker.run_once()) == 0  # still held by the dead claim
    clock.advance(minutes=5)
    assert asyncio.run(worker.run_once()) == 1
    assert len(send.sent) == 1


def test_failed_send_is_retried_with_backoff(db, schools, clock) -> None:
    queue(db, schools["demo"], "k1", clock)
    send = Recorder()
    send.fail_with = ConnectionError("network down")
    worker = dispatcher(db, schools, clock, send)
    assert asyncio.run(worker.run_once()) == 0
    with Session(db) as session:
        row = session.exec(select(OutboxMessage)).one()
    assert row.status == "pending" and row.attempts == 1
    assert row.last_error and "ConnectionError" in row.last_error
    send.fail_with = None
    assert asyncio.run(worker.run_once()) == 0  # not yet: backing off
    clock.advance(minutes=2)
    assert asyncio.run(worker.run_once()) == 1


def test_undeliverable_message_is_marked_failed_not_retried(db, schools, clock) -> None:
    queue(db, schools["demo"], "k1", clock)
    send = Recorder()
    send.fail_with = PermanentSendError("bot was blocked by the user")
    worker = dispatcher(db, schools, clock, send)
    asyncio.run(worker.run_once())
    with Session(db) as session:
        assert session.exec(select(OutboxMessage)).one().status == "failed"


def test_message_due_after_hours_closed_waits_for_next_opening(db, schools, clock) -> None:
    # Queued at 15:59 for immediate delivery, but the dispatcher only runs at 16:01.
    clock.now = datetime(2026, 11, 24, 15, 59, tzinfo=UTC)
    queue(db, schools["demo"], "k1", clock)
    send = Recorder()
    worker = dispatcher(db, schools, clock, send)
    clock.now = datetime(2026, 11, 24, 16, 1, tzinfo=UTC)
    assert asyncio.run(worker.run_once()) == 0
    clock.now = datetime(2026, 11, 25, 8, 30, tzinfo=UTC)
    assert asyncio.run(worker.run_once()) == 1


def test_urgent_message_outside_hours_is_not_held(db, schools, clock) -> None:
    clock.now = datetime(2026, 11, 28, 23, 0, tzinfo=UTC)  # Saturday night
    queue(db, schools["demo"], "k1", clock, in_hours=False)
    send = Recorder()
    assert asyncio.run(dispatcher(db, schools, clock, send).run_once()) == 1


def test_two_dispatchers_at_once_send_each_message_once(db, schools, clock) -> None:
    for n in range(60):
        queue(db, schools["demo"], f"k{n}", clock)
    send = Recorder()
    workers = [dispatcher(db, schools, clock, send, batch=7) for _ in range(2)]
    errors: list[BaseException] = []

    def drain(worker: Dispatcher) -> None:
        try:  # a round finds nothing while the other worker sends to the chat
            for _ in range(300):
                if len(send.sent) >= 60:
                    break
                asyncio.run(worker.run_once())
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=drain, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    ids = [item.id for item in send.sent]
    assert len(ids) == 60 and len(set(ids)) == 60


def test_a_restarted_worker_sends_what_it_held_when_killed_at_once(db, schools, clock) -> None:
    for i in range(3):
        queue(db, schools["demo"], f"crash-{i}", clock)
    crashed = dispatcher(db, schools, clock, Recorder(), worker="slot-1")
    assert len(crashed.claim()) == 3  # ...and then the process is killed before sending
    send = Recorder()
    restarted = dispatcher(db, schools, clock, send, worker="slot-1")
    assert restarted.reclaim_own() == 3
    assert asyncio.run(restarted.run_once()) == 3  # no waiting for a lease to run out


def test_another_workers_claims_wait_only_for_a_short_lease(db, schools, clock) -> None:
    queue(db, schools["demo"], "held", clock)
    assert len(dispatcher(db, schools, clock, Recorder(), worker="slot-1").claim()) == 1
    other = dispatcher(db, schools, clock, Recorder(), worker="slot-2")
    assert other.reclaim_own() == 0
    assert asyncio.run(other.run_once()) == 0  # still slot-1's, which may be sending it
    clock.now += timedelta(seconds=61)
    assert asyncio.run(other.run_once()) == 1


def test_a_claim_is_a_small_batch(db, schools, clock) -> None:
    for i in range(25):
        queue(db, schools["demo"], f"batch-{i}", clock)
    assert len(dispatcher(db, schools, clock, Recorder()).claim()) == 10


def _to(db: sa.Engine, school: School, clock: Clock, chat: str, key: str) -> None:
    with transaction(db) as session:
        enqueue(session=session, school=school, recipient=f"telegram:{chat}", kind="reminder",
                payload={"text": key}, dedupe_key=key, now=clock.now)


def test_two_workers_keep_one_chats_messages_in_order(db, schools, clock) -> None:
    if db.dialect.name != "postgresql":
        pytest.skip("several workers share a database on PostgreSQL (SQLite runs one worker)")
    school = schools["demo"]
    for key in ("x1", "x2", "x3"):
        _to(db, school, clock, "7", key)
    _to(db, school, clock, "8", "y1")
    first = dispatcher(db, schools, clock, Recorder(), batch=1, worker="w1")
    second = dispatcher(db, schools, clock, Recorder(), worker="w2")
    [held] = first.claim()
    assert held.payload["text"] == "x1"
    # While x1 is being sent by the first worker, the second takes only the other chat's.
    assert [c.payload["text"] for c in second.claim()] == ["y1"]
    first._finish(held, {"status": "sent", "sent_at": clock.now})
    assert [c.payload["text"] for c in second.claim()] == ["x2", "x3"]

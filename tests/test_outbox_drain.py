"""A year group's backlog goes out in one tick of the outbox job, within Telegram's limits."""

from __future__ import annotations

import asyncio

from assistant.db import transaction
from assistant.outbox import Claimed, Dispatcher, enqueue, pending_count
from assistant.outbox_drain import Drainer
from assistant.testing.fake_api import OVERALL_PER_SECOND, Ledger


def test_backlog_larger_than_a_batch_is_sent_in_one_drain(engine, clock) -> None:
    school = engine.schools["demo"]
    with transaction(engine.db) as session:
        for n in range(120):
            enqueue(session=session, school=school, recipient=f"telegram:{n}", kind="test",
                    payload={"text": "hello"}, dedupe_key=f"drain:{n}", now=clock.now)
    sent: list[Claimed] = []
    overlapping: list[int] = []

    async def send(item: Claimed) -> None:
        sent.append(item)
        if len(sent) == 10:
            overlapping.append(await drain())  # a tick arriving mid-drain sends nothing
        await asyncio.sleep(0)

    drain = Drainer(Dispatcher(db=engine.db, schools=engine.schools, send=send, clock=clock))
    assert asyncio.run(drain()) == 120
    assert overlapping == [0]
    assert len({m.recipient for m in sent}) == 120
    with transaction(engine.db) as session:
        assert pending_count(session) == 0


def test_fake_bot_api_refuses_a_31st_message_in_a_second_and_a_second_per_chat() -> None:
    ledger = Ledger()
    for n in range(OVERALL_PER_SECOND):
        assert ledger.admit(str(n), 100.0 + n / 100)[0] is None
    wait, _ = ledger.admit("new-chat", 100.5)
    assert wait is not None and 0 < wait <= 1.0
    assert ledger.admit("new-chat", 101.0)[0] is None  # the first has left the window
    wait, _ = ledger.admit("new-chat", 101.5)
    assert wait is not None and wait <= 0.5
    assert ledger.refused == 2 and ledger.total() == OVERALL_PER_SECOND + 1

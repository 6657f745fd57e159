"""Running the outbox in a test, as the bot's job does: escalate, remind, then send."""

from __future__ import annotations

import asyncio
from datetime import datetime

from assistant.concerns.service import escalate_all, record_delivery
from assistant.engine import Engine
from assistant.outbox import Claimed, Dispatcher
from assistant.questions.service import remind_all
from tests.conftest import Clock


def deliver(engine: Engine, clock: Clock, when: datetime | None = None) -> list[Claimed]:
    """Moves the clock (if given), runs the job once, and returns what was sent."""
    sent: list[Claimed] = []

    async def send(item: Claimed) -> None:
        sent.append(item)

    if when is not None:
        clock.now = when
    escalate_all(engine.db, engine.schools, clock.now, engine.services.concern_actions)
    remind_all(engine.db, engine.schools, clock.now, engine.services.question_actions)
    asyncio.run(Dispatcher(db=engine.db, schools=engine.schools, send=send, clock=clock,
                           after_send=record_delivery).run_once())
    return sent

"""Telegram's limits shared by every worker, in the database.

Each worker paces its own messages, but N workers would together send N times as fast:
Telegram allows about 30 messages a second for the bot as a whole, and one a second to one
chat. Before a message goes, its worker reserves the next free moment for the bot and for the
chat, in one statement each (an upsert that moves the row's next free moment on and returns
it), and waits until then. Workers on PostgreSQL share the rows; the wait is the only cost.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from assistant.models import SendPace

# Seconds between two messages of the bot, across every chat: 28 a second, a margin under
# Telegram's 30 for the jitter of requests from several workers.
BOT_GAP = 1 / 28
CHAT_GAP = 1.1  # seconds between two messages to one chat, with a margin for the request
BOT_KEY = "bot"
# A chat's row names it (its Telegram id) and matters only until its next free moment: it is
# deleted this many seconds after, so a family that said /forget is not kept here either.
IDLE_SECONDS = 60


class SendBudget:
    """Reserves send moments in the database for the bot and for a chat."""

    def __init__(self, db: sa.Engine, clock: Callable[[], float] = time.time) -> None:
        self.db, self.clock = db, clock
        self.table = SendPace.__table__  # type: ignore[attr-defined]
        dialect = db.dialect.name
        self._insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        self._greatest = sa.func.greatest if dialect == "postgresql" else sa.func.max

    def _reserve(self, connection: sa.Connection, key: str, gap: float, now: float) -> float:
        upsert = self._insert(self.table).values(key=key, next_at=now + gap)
        statement = upsert.on_conflict_do_update(
            index_elements=[self.table.c.key],
            set_={"next_at": self._greatest(self.table.c.next_at, now) + gap},
        ).returning(self.table.c.next_at)
        return float(connection.execute(statement).scalar_one()) - gap

    def reserve_at(self, chat_id: int | None) -> float:
        """The moment (on this budget's clock) a message may go, to this chat if any: the
        later of the bot's and the chat's next free moments, both now taken."""
        now = self.clock()
        with self.db.begin() as connection:
            at = self._reserve(connection, BOT_KEY, BOT_GAP, now)
            if chat_id is not None:
                at = max(at, self._reserve(connection, f"chat:{chat_id}", CHAT_GAP, now))
        return at

    def sent_late(self, chat_id: int, sent_at: float) -> None:
        """A message went later than its moment (a busy worker just after a restart): the
        chat's next free moment moves on from when it really went, so the next message keeps
        a full gap after it."""
        with self.db.begin() as connection:
            connection.execute(
                sa.update(self.table)
                .where(self.table.c.key == f"chat:{chat_id}")
                .values(next_at=self._greatest(self.table.c.next_at, sent_at + CHAT_GAP)))

    def forget_idle(self) -> int:
        """Deletes the rows of chats whose next free moment passed IDLE_SECONDS ago; returns
        how many went."""
        with self.db.begin() as connection:
            done = connection.execute(sa.delete(self.table).where(
                self.table.c.key.startswith("chat:"),
                self.table.c.next_at < self.clock() - IDLE_SECONDS))
        return int(done.rowcount)

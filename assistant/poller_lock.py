"""One poller per database: a second worker asking Telegram for the same updates would
handle each of them twice (two replies, two concerns), so it is refused at start.

PostgreSQL: a session-level advisory lock on a connection held for the poller's life.
SQLite: an exclusive lock on a file beside the database. Either is released when the process
ends, however it ends. Webhook workers need no lock: Telegram sends each update once.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

POLLER_LOCK = 0x5C4001A6


class AlreadyPolling(Exception):  # noqa: N818 - reads as the outcome it is
    """Another worker already polls Telegram for this database's bot."""


MESSAGE = ("another worker is already polling Telegram for this database: run one poller, "
           "or set WEBHOOK_URL to run several workers")


@contextmanager
def polling_lock(db: sa.Engine) -> Iterator[None]:
    """Holds the poller's lock while the block runs, or raises AlreadyPolling."""
    if db.dialect.name == "postgresql":
        with db.connect() as connection:
            got = connection.execute(sa.text("SELECT pg_try_advisory_lock(:key)"),
                                     {"key": POLLER_LOCK}).scalar()
            connection.commit()
            if not got:
                raise AlreadyPolling(MESSAGE)
            try:
                yield
            finally:
                connection.execute(sa.text("SELECT pg_advisory_unlock(:key)"),
                                   {"key": POLLER_LOCK})
                connection.commit()
        return
    database = db.url.database
    if not database or database == ":memory:":
        yield
        return
    path = Path(database).with_name(Path(database).name + ".poller.lock")
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise AlreadyPolling(MESSAGE) from None
        yield
    finally:
        os.close(descriptor)

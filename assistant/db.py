"""Database engine and sessions: SQLite by default, PostgreSQL by DATABASE_URL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlmodel import Session

MIGRATIONS = Path(__file__).parent / "migrations"


def private_database(path: Path) -> None:
    """Makes the SQLite file (and its write-ahead log, which SQLite creates with the file's
    own mode) readable by its owner only, in a folder only its owner can open: it holds
    children's names and families' worries. A file or folder made looser is tightened."""
    folder = path.parent
    if not folder.exists():
        folder.mkdir(parents=True, mode=0o700)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    try:
        if os.fstat(descriptor).st_mode & 0o077:
            os.fchmod(descriptor, 0o600)
    finally:
        os.close(descriptor)
    for extra in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if extra.exists() and not extra.is_symlink() and extra.stat().st_mode & 0o077:
            extra.chmod(0o600)


def make_engine(url: str, *, echo: bool = False) -> sa.Engine:
    """Builds an engine; for SQLite creates the folder and turns on foreign keys."""
    kwargs: dict[str, Any] = {"echo": echo}
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:" and not path.startswith("file:"):
            private_database(Path(path))
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
    else:
        kwargs["pool_pre_ping"] = True
    engine = sa.create_engine(url, **kwargs)
    if url.startswith("sqlite"):

        @sa.event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            # WAL lets readers run beside the writer; NORMAL syncs at checkpoints, not on
            # every commit, and in WAL mode still never corrupts the database on a crash.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

    return engine


def alembic_config(engine: sa.Engine) -> Config:
    """Returns an Alembic configuration that runs against this engine."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def migrate(engine: sa.Engine) -> None:
    """Brings the database schema up to the newest migration."""
    command.upgrade(alembic_config(engine), "head")


@contextmanager
def transaction(engine: sa.Engine) -> Iterator[Session]:
    """Yields a session whose work is committed together, or rolled back on error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise

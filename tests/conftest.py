"""Shared fixtures: each test gets its own migrated database and a controllable clock."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from assistant.concerns.service import can_receive_urgent
from assistant.db import make_engine, migrate
from assistant.engine import Engine, SafetyNet
from assistant.runtime import build_danger_check, build_services, sync_schools
from assistant.schools import School, load_profiles
from flows import ANSWER_ACTION, OUTBOX_ACTIONS, URGENT_ACTION, all_flows

# Set TEST_POSTGRES_URL (postgresql+psycopg://user@host/db) to run the database tests on
# PostgreSQL as well; .ci/run does.
POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "")
BACKENDS = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])


def pytest_sessionstart(session: pytest.Session) -> None:
    """Trains (or loads from the cache) the danger and FAQ models once, before any test: on a
    machine that has never trained them, no test's time limit (the bot's start-up in the
    end-to-end tests) then includes the training."""
    build_danger_check()
    build_services(load_profiles())


@dataclass
class Clock:
    """A clock the test moves by hand."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@pytest.fixture
def clock() -> Clock:
    # Tuesday 24 November 2026, 10:00 London (GMT): inside every school's hours.
    return Clock(datetime(2026, 11, 24, 10, 0, tzinfo=UTC))


@pytest.fixture(scope="session")
def schools() -> dict[str, School]:
    return load_profiles()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory,
                    schools: dict[str, School]) -> Path:
    """A SQLite file migrated once for the whole run; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "migrated.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    sync_schools(engine, schools)
    with engine.connect() as connection:  # fold the write-ahead log into the file before copying
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


_postgres_template: list[str] = []


def _postgres_template_name(admin: sa.Engine, schools: dict[str, School]) -> str:
    """A PostgreSQL database migrated once for the whole run, used as each test's template."""
    if not _postgres_template:
        name = f"tpl_{uuid.uuid4().hex[:12]}"
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        url = sa.engine.make_url(POSTGRES_URL).set(database=name)
        engine = make_engine(url.render_as_string(hide_password=False))
        migrate(engine)
        sync_schools(engine, schools)
        engine.dispose()
        _postgres_template.append(name)
    return _postgres_template[0]


def _postgres_engine(schools: dict[str, School]) -> Iterator[sa.Engine]:
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    template = _postgres_template_name(admin, schools)
    name = f"t_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    url = sa.engine.make_url(POSTGRES_URL).set(database=name)
    engine = make_engine(url.render_as_string(hide_password=False))
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path: Path, schools: dict[str, School],
       sqlite_template: Path) -> Iterator[sa.Engine]:
    """A fresh, migrated database for this test alone (SQLite, and PostgreSQL when set up)."""
    if request.param == "postgresql":
        generator = _postgres_engine(schools)
        engine = next(generator)
    else:
        generator = None
        path = tmp_path / "test.sqlite3"
        shutil.copyfile(sqlite_template, path)
        engine = make_engine(f"sqlite:///{path}")
    yield engine
    if generator is not None:
        generator.close()
    else:
        engine.dispose()


@pytest.fixture
def engine(db: sa.Engine, schools: dict[str, School], clock: Clock) -> Engine:
    """The flow engine on the demo school, as the console and the bot build it."""

    return Engine(db=db, flows=all_flows(), schools=schools, default_school="demo",
                  text_flow="questions", services=build_services(schools), clock=clock,
                  safety=SafetyNet(check=build_danger_check(), urgent_action=URGENT_ACTION,
                                   answer_action=ANSWER_ACTION, can_receive=can_receive_urgent),
                  outbox_actions=OUTBOX_ACTIONS)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Drops the PostgreSQL template database the run made, if it made one."""
    if not _postgres_template:
        return
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{_postgres_template[0]}" '
                                   "WITH (FORCE)"))
    admin.dispose()

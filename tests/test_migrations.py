"""The database schema comes from migrations, and they match the tables the code uses."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

from assistant.db import migrate


def test_migrations_create_every_table_the_code_uses(db: sa.Engine) -> None:
    with db.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert differences == []


def test_migrating_twice_changes_nothing(db: sa.Engine) -> None:
    migrate(db)
    assert "outbox" in sa.inspect(db).get_table_names()


def test_two_workers_starting_on_a_fresh_postgresql_database_both_start() -> None:
    import subprocess
    import sys
    import uuid

    import pytest

    from tests.conftest import POSTGRES_URL

    if not POSTGRES_URL:
        pytest.skip("set TEST_POSTGRES_URL to run the PostgreSQL tests")
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    start = ("import sys; from assistant.db import make_engine, migrate; "
             "migrate(make_engine(sys.argv[1]))")
    try:
        for _ in range(3):  # the race was lost in 3 of 3 runs before
            name = f"race_{uuid.uuid4().hex[:10]}"
            with admin.connect() as connection:
                connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
            url = sa.engine.make_url(POSTGRES_URL).set(database=name).render_as_string(
                hide_password=False)
            # Two processes, as two workers of a deployment start.
            workers = [subprocess.Popen([sys.executable, "-c", start, url],
                                        stderr=subprocess.PIPE, text=True) for _ in range(2)]
            for worker in workers:
                _, err = worker.communicate(timeout=120)
                assert worker.returncode == 0, err[-2000:]
            with admin.connect() as connection:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()

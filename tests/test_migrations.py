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

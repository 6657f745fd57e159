"""Alembic environment: runs migrations on the engine the program hands over."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context
from sqlmodel import SQLModel

import assistant.models  # noqa: F401  (registers the tables on the metadata)

config = context.config
target_metadata = SQLModel.metadata
# Two workers starting on a fresh PostgreSQL database would both create the tables: the
# first to start holds this transaction-level lock, and the second then finds them made.
MIGRATION_LOCK = 0x5C4001A5


def run_migrations_online() -> None:
    """Runs the migrations on the engine in the config, or on sqlalchemy.url."""
    engine = config.attributes.get("engine")
    if engine is None:
        engine = sa.create_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            if connection.dialect.name == "postgresql":
                connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"),
                                   {"key": MIGRATION_LOCK})
            context.run_migrations()
        connection.commit()


run_migrations_online()

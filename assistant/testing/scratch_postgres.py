"""A scratch PostgreSQL database for a benchmark: made on the given server, dropped after."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from assistant.cli.errors import UsageError


@contextmanager
def scratch_database(server: str) -> Iterator[str]:
    """Yields the URL of a new, empty database on the server; drops it afterwards."""
    url = sa.make_url(server)
    if url.get_backend_name() != "postgresql":
        raise UsageError("--postgres must be a postgresql+psycopg:// URL")
    name = f"bench_{int(time.time())}_{random.randrange(10**6)}"
    admin = sa.create_engine(url.render_as_string(hide_password=False),
                             isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

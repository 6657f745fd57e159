"""`bench outbox`: the due-message query with a large backlog waiting, with and without its index.

Seeds N pending messages not yet due (a term's reminders and invitations queued ahead) and a
handful that are due, then times the query the outbox job runs every few seconds. The same
run drops the (status, not_before) index and times it again, so the figures sit side by side.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session

from assistant.cli.errors import UsageError
from assistant.settings import Settings

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
DUE = 20
INDEX = "ix_outbox_status_not_before"


def _seed(db: sa.Engine, pending: int) -> None:
    from assistant.models import OutboxMessage

    table = OutboxMessage.__table__  # type: ignore[attr-defined]
    rows = [{"recipient": f"telegram:{i}", "school_id": "demo", "kind": "reminder",
             "payload": {"text": "x"}, "not_before": NOW + timedelta(minutes=1 + i % 20_000),
             "in_hours": True, "priority": 0, "dedupe_key": f"bench:{i}", "status": "pending",
             "attempts": 0, "created_at": NOW} for i in range(pending)]
    rows += [{"recipient": f"telegram:due{i}", "school_id": "demo", "kind": "reminder",
              "payload": {"text": "x"}, "not_before": NOW - timedelta(seconds=i),
              "in_hours": True, "priority": i % 2, "dedupe_key": f"bench:due{i}",
              "status": "pending", "attempts": 0, "created_at": NOW} for i in range(DUE)]
    with db.begin() as connection:
        for start in range(0, len(rows), 5000):
            connection.execute(sa.insert(table), rows[start:start + 5000])


def _time(db: sa.Engine, runs: int) -> tuple[float, float, int]:
    from assistant.outbox import Dispatcher
    from assistant.schools import load_profiles

    async def send(_: object) -> None:
        return None

    dispatcher = Dispatcher(db=db, schools=load_profiles(), send=send,
                            clock=lambda: NOW)
    times = []
    found = 0
    with Session(db) as session:
        for _ in range(runs):
            started = time.perf_counter()
            found = len(dispatcher._due_ids(session, NOW))
            times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[max(0, int(len(times) * 0.99) - 1)], found


def bench_outbox(args: argparse.Namespace, settings: Settings) -> int:
    """Prints the due query's median and p99 with the index and without it."""
    from assistant.db import make_engine, migrate
    from assistant.runtime import sync_schools
    from assistant.schools import load_profiles
    from assistant.testing.scratch_postgres import scratch_database

    if not 1 <= args.pending <= 2_000_000:
        raise UsageError("--pending must be between 1 and 2000000")
    if not 10 <= args.runs <= 100_000:
        raise UsageError("--runs must be between 10 and 100000")
    with contextlib.ExitStack() as stack:
        if args.postgres:
            url = stack.enter_context(scratch_database(args.postgres))
        else:
            folder = stack.enter_context(tempfile.TemporaryDirectory())
            url = f"sqlite:///{Path(folder) / 'outbox.sqlite3'}"
        db = make_engine(url)
        migrate(db)
        sync_schools(db, load_profiles())
        _seed(db, args.pending)
        with db.begin() as connection:
            connection.execute(sa.text("ANALYZE"))
        indexed = _time(db, args.runs)
        with db.begin() as connection:
            connection.execute(sa.text(f"DROP INDEX {INDEX}"))
            connection.execute(sa.text("ANALYZE"))
        bare = _time(db, args.runs)
        name = db.dialect.name
        db.dispose()
    print(f"outbox: {args.pending:,} pending messages not yet due and {DUE} due; "
          f"the due query (batch of 10) {args.runs} times, {name}")
    print(f"  with the (status, not_before) index: median {indexed[0]:.3f} ms, "
          f"p99 {indexed[1]:.3f} ms ({indexed[2]} found)")
    print(f"  without it:                          median {bare[0]:.3f} ms, "
          f"p99 {bare[1]:.3f} ms ({bare[2]} found)")
    print(f"  ratio without/with: {bare[0] / indexed[0]:.1f}x")
    return 0


def add_command(bench: argparse._SubParsersAction) -> None:
    """Adds `bench outbox` to the bench commands."""
    command = bench.add_parser("outbox", help="time the due-message query with a backlog")
    command.add_argument("--pending", type=int, default=100_000)
    command.add_argument("--runs", type=int, default=300)
    command.add_argument("--postgres", metavar="URL", default="",
                         help="run on a scratch database on this PostgreSQL server")
    command.set_defaults(handler=bench_outbox)

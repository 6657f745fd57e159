"""`bench invitations`: a year group's invitations through the real bot, inside Telegram's limits.

The parent process seeds N families and one session for all their classes, runs a Bot API
that enforces the flood limits (assistant/telegram/fake_api.py), and starts the real bot
application (AIORateLimiter, the outbox job, the Telegram sender) in a child process
against it. A second run kills that child with SIGKILL half-way and starts it again.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from assistant.cli.errors import UsageError
from assistant.settings import Settings
from assistant.testing.bench_families import CLASS_SIZE

BASE = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)  # a Tuesday, inside the demo school's hours
TOKEN = "123456:bench-invitations"
FIRST_CHAT = 5_000_000
KIND = "live-invitation"



def seed(db: sa.Engine, families: int) -> int:
    """Adds N linked families in classes of 30 (every other one signed) and one session."""
    from assistant.agreements.templates import load_templates, required_for, templates_for
    from assistant.db import transaction
    from assistant.live.invites import Draft, create_session
    from assistant.models import AgreementEvent, AgreementRecord, Staff, StaffRole
    from assistant.schools import load_profiles
    from assistant.testing.bench_families import add_families

    school = load_profiles()["demo"]
    with transaction(db) as session:
        head = Staff(school_id=school.id, name="Bench Head")
        session.add(head)
        session.flush()
        session.add(StaffRole(staff_id=head.id or 0, role="head"))
        seeded = add_families(session, school_id=school.id, families=families,
                              first_chat=FIRST_CHAT, year="5", tag="B", linked_at=BASE)
        rooms = seeded.rooms
        templates = required_for("5", templates_for(school, load_templates("en")))
        for i, (pupil, guardian) in enumerate(zip(seeded.pupils, seeded.guardians,
                                                  strict=True)):
            assert pupil.id is not None and guardian.id is not None
            if i % 2 == 0:
                session.add_all([AgreementRecord(
                    school_id=school.id, pupil_id=pupil.id, guardian_id=guardian.id,
                    event=AgreementEvent.SIGNED, template_id=t.id, version=t.version,
                    text_hash="0" * 64,
                    typed_name=guardian.name, locale="en", at=BASE) for t in templates])
        session.flush()
        draft = Draft(class_ids=tuple(r.id or 0 for r in rooms),
                      starts_at=BASE + timedelta(days=1), minutes=30,
                      platform=school.live.platforms[0],
                      link="https://meet.example.com/bench-year-5", recorded=False)
        live, _ = create_session(session=session, school=school, staff_id=head.id or 0,
                                 draft=draft, now=BASE)
        return live.id or 0


def unsent(db: sa.Engine) -> int:
    """Invitations not yet marked sent."""
    from assistant.models import OutboxMessage

    with Session(db) as session:
        return session.exec(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.kind == KIND,
            col(OutboxMessage.status).in_(["pending", "claimed"]))).one()


async def _work(database_url: str, api_url: str, offset: float,
                worker: str = "worker-1") -> float:
    """Runs the real bot application until every invitation is marked sent."""
    from assistant.runtime import build_engine
    from assistant.settings import load_settings
    from assistant.telegram.app import build_application

    started = time.monotonic()

    def clock() -> datetime:
        return BASE + timedelta(seconds=offset + time.monotonic() - started)

    settings = load_settings({"DATABASE_URL": database_url, "TELEGRAM_BOT_TOKEN": TOKEN,
                              "TELEGRAM_API_URL": api_url, "LOG_LEVEL": "WARNING",
                              "WORKER_ID": worker})
    engine = build_engine(settings, clock=clock)
    application = build_application(settings, engine)
    async with application:
        began = time.monotonic()
        await application.start()
        while await asyncio.to_thread(unsent, engine.db):
            await asyncio.sleep(0.1)
        elapsed = time.monotonic() - began
        await application.stop()
    return elapsed


def _spawn(database_url: str, api_url: str, offset: float,
           worker: str = "worker-1") -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "assistant.cli.bench_invitations", database_url, api_url,
         str(offset), worker], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _finish(process: subprocess.Popen[str], timeout: float) -> float:
    out, err = process.communicate(timeout=timeout)
    if process.returncode != 0:
        raise RuntimeError(f"the bot process failed ({process.returncode}): {err[-2000:]}")
    return float(json.loads(out.strip().splitlines()[-1])["elapsed"])


def _copy(source: Path, target: Path) -> str:
    shutil.copyfile(source, target)
    return f"sqlite:///{target}"


def _kill_and_restart(base: Path, target: Path, n: int, latency_ms: int, timeout: float) -> int:
    """Kills the sending bot half-way with SIGKILL, restarts it, and checks who got what."""
    from assistant.db import make_engine
    from assistant.testing.fake_api import LimitedBotApi

    expected = {str(FIRST_CHAT + i) for i in range(n)}
    with LimitedBotApi(latency=latency_ms / 1000) as api:
        url = _copy(base, target)
        first = _spawn(url, api.url, 0)
        deadline = time.monotonic() + timeout
        while api.ledger.total() < n // 2 and first.poll() is None:
            if time.monotonic() > deadline:
                break
            time.sleep(0.002)
        # Half-way, at a random moment within one message's time, as a crash would come.
        time.sleep(random.uniform(0, 1 / 30))
        first.send_signal(signal.SIGKILL)
        first.wait()
        at_kill = api.ledger.total()
        # The restarted process (the same worker slot) takes back what the dead one had
        # claimed at once, on the same clock: nothing waits for a lease to run out.
        again = _finish(_spawn(url, api.url, 0), timeout)
        delivered = api.ledger.delivered
        missed = len(expected - set(delivered))
        twice = sorted(chat for chat, count in delivered.items() if count > 1)
        check = make_engine(url)
        left = unsent(check)
        check.dispose()
        print(f"\nkill and restart: SIGKILL after {at_kill} invitations; the restarted bot sent "
              f"the other {api.ledger.total() - at_kill} in {again:.1f} s")
        print(f"  families missed: {missed}; invited twice: {len(twice)}"
              + (f" (chats {', '.join(twice[:5])})" if twice else "")
              + f"; rows still unsent: {left}; 429 answers: {api.ledger.refused}")
    return missed


def bench_invitations(args: argparse.Namespace, settings: Settings) -> int:
    """Prints the wall time against the N/30 s floor, the 429s, and the kill-and-restart check."""
    from assistant.db import make_engine, migrate
    from assistant.runtime import sync_schools
    from assistant.schools import load_profiles
    from assistant.testing.fake_api import LimitedBotApi

    n = args.families
    if not 1 <= n <= 20_000:
        raise UsageError("--families must be between 1 and 20000")
    if not 0 <= args.kills <= 100:
        raise UsageError("--kills must be between 0 and 100")
    floor = n / 30
    timeout = floor * 4 + 120
    if args.postgres:
        return _workers_on_postgres(args.postgres, n, args.workers, args.latency_ms, timeout,
                                    args.kill_one)
    if args.workers != 1:
        raise UsageError("--workers above 1 needs --postgres (SQLite is for one worker)")
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder) / "base.sqlite3"
        db = make_engine(f"sqlite:///{base}")
        migrate(db)
        sync_schools(db, load_profiles())
        seeded = time.perf_counter()
        seed(db, n)
        print(f"seeded {n} families in {math.ceil(n / CLASS_SIZE)} classes and queued their "
              f"invitations in {time.perf_counter() - seeded:.1f} s")
        db.dispose()

        with LimitedBotApi(latency=args.latency_ms / 1000) as api:
            elapsed = _finish(_spawn(_copy(base, Path(folder) / "run.sqlite3"), api.url, 0),
                              timeout)
            ledger = api.ledger
            span = (ledger.last or 0) - (ledger.first or 0)
            print(f"\nclean run: {ledger.total()} invitations to {len(ledger.delivered)} chats "
                  f"(Bot API latency {args.latency_ms} ms)")
            print(f"  first to last message at the Bot API: {span:.1f} s "
                  f"(floor {floor:.1f} s at 30/s; {span / floor:.2f} x the floor)")
            print(f"  bot start to outbox empty: {elapsed:.1f} s")
            print(f"  429 answers: {ledger.refused}")

        missed = 0
        for run in range(1, args.kills + 1):
            missed += _kill_and_restart(base, Path(folder) / f"kill{run}.sqlite3", n,
                                        args.latency_ms, timeout)
    return 0 if not missed else 1


def _workers_on_postgres(server: str, n: int, workers: int, latency_ms: int,
                         timeout: float, kill_one: bool = False) -> int:
    """N workers on one PostgreSQL database send the invitations together: none missed, none
    twice, no 429, and the pace of one bot (their shared budget), not N."""
    from assistant.db import make_engine, migrate
    from assistant.runtime import sync_schools
    from assistant.schools import load_profiles
    from assistant.testing.fake_api import LimitedBotApi
    from assistant.testing.scratch_postgres import scratch_database

    if not 1 <= workers <= 8:
        raise UsageError("--workers must be between 1 and 8")
    with scratch_database(server) as scratch:
        db = make_engine(scratch)
        migrate(db)
        sync_schools(db, load_profiles())
        seed(db, n)
        db.dispose()
        with LimitedBotApi(latency=latency_ms / 1000) as api:
            started = [_spawn(scratch, api.url, 0, f"bench-worker-{k}") for k in range(workers)]
            if kill_one and workers > 1:
                # Half-way, the first worker dies for good; the others finish its work (what
                # it had claimed, once its lease runs out).
                while api.ledger.total() < n // 2 and started[0].poll() is None:
                    time.sleep(0.01)
                started[0].send_signal(signal.SIGKILL)
                started[0].wait()
                print(f"killed one worker after {api.ledger.total()} invitations")
                started = started[1:]
            for process in started:
                _finish(process, timeout)
            ledger = api.ledger
            span = (ledger.last or 0) - (ledger.first or 0)
            expected = {str(FIRST_CHAT + i) for i in range(n)}
            missed = len(expected - set(ledger.delivered))
            twice = sum(1 for count in ledger.delivered.values() if count > 1)
            refused = ledger.refused
        floor = n / 30
        print(f"{workers} workers on one PostgreSQL database: {ledger.total()} invitations to "
              f"{len(ledger.delivered)} chats")
        print(f"  first to last message at the Bot API: {span:.1f} s (floor {floor:.1f} s at "
              f"30/s; {span / floor:.2f} x the floor)")
        print(f"  429 answers: {ledger.refused}; families missed: {missed}; invited twice: "
              f"{twice}")
    # Delivery is at least once: a worker killed between Telegram accepting a message and
    # recording it sent leaves that one message to go again.
    allowed_twice = 1 if kill_one else 0
    return 0 if not missed and twice <= allowed_twice and not refused else 1


def add_command(bench: argparse._SubParsersAction) -> None:
    """Adds `bench invitations` to the bench commands."""
    command = bench.add_parser(
        "invitations", help="send a year group's invitations through a rate-limited Bot API")
    command.add_argument("--families", type=int, default=1000)
    command.add_argument("--kills", type=int, default=1,
                         help="kill-and-restart runs, each on a fresh copy (default 1)")
    command.add_argument("--latency-ms", type=int, default=0,
                         help="delay the fake Bot API adds to each answer (default 0)")
    command.add_argument("--workers", type=int, default=1,
                         help="bot processes sending together (above 1 needs --postgres)")
    command.add_argument("--postgres", metavar="URL", default="",
                         help="a PostgreSQL server (postgresql+psycopg://...) to run the "
                              "workers on, in a scratch database made and dropped for the run")
    command.add_argument("--kill-one", action="store_true",
                         help="with --postgres: kill one worker for good half-way")
    command.set_defaults(handler=bench_invitations)


if __name__ == "__main__":
    # The bot process of the benchmark: python -m assistant.cli.bench_invitations DB_URL API OFFSET
    print(json.dumps({"elapsed": asyncio.run(_work(sys.argv[1], sys.argv[2],
                                                     float(sys.argv[3]), sys.argv[4]))}))

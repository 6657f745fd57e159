"""`bench crash`: urgent concerns raised while the bot is killed at random, and what survives.

The parent process seeds N linked families and a safeguarding lead, and runs a Bot API
(assistant/testing/fake_api.py, Telegram's flood limits included) whose users are scripted:
each family sends a report that the danger check flags, one every `--every` seconds, and taps
"Tell the school now" when the bot offers it. The real bot (long polling, the outbox job, the
rate limiter) runs in a child process and is killed with SIGKILL K times at random moments,
restarted at once each time, as a supervisor would. Every bot process runs on the same clock,
which never jumps across a restart.

It reports concerns lost (a family's report that never reached the lead), duplicated
deliveries, and the delay from each concern's creation to its delivery to the lead. Its last
line reads `lost=N twice=N p99_delivery_s=X`.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from assistant.cli.errors import UsageError
from assistant.settings import Settings

BASE = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # a Tuesday morning, inside the demo hours
TOKEN = "123456:bench-crash"
FIRST_CHAT = 6_000_000
DSL_CHAT = 5_999_999
REPORTS = (
    "my husband hits my son",
    "a stranger on roblox asked my son to meet him tomorrow and not tell anyone",
    "my daughter took a load of tablets last night",
    "my child is self harming, I found cuts on her arm",
    "my daughter has been missing since this morning",
    "a teacher touched my child",
)
TAP = "Tell the school now"
REFERENCE = re.compile(r"Reference: ([A-Z0-9]+)")


def seed(db: sa.Engine, families: int) -> None:
    """N linked families (one child each, classes of 30) and a linked safeguarding lead."""
    from assistant.db import transaction
    from assistant.models import Account, Staff, StaffRole
    from assistant.testing.bench_families import add_families

    with transaction(db) as session:
        add_families(session, school_id="demo", families=families, first_chat=FIRST_CHAT,
                     year="4", tag="C", linked_at=BASE)
        lead = Account(transport="telegram", external_id=str(DSL_CHAT))
        session.add(lead)
        session.flush()
        dsl = Staff(school_id="demo", name="Bench Lead", account_id=lead.id, linked_at=BASE)
        session.add(dsl)
        session.flush()
        session.add(StaffRole(staff_id=dsl.id or 0, role="dsl"))


class Families:
    """The scripted families and lead on the far side of the Bot API (`fake_api.Users`)."""

    def __init__(self, families: int, every: float, start: float) -> None:
        self.lock = threading.Lock()
        self.pending: list[tuple[float, dict[str, Any]]] = []
        self.released: list[dict[str, Any]] = []
        self.next_id = 1
        self.confirmed = 0
        self.tapped: set[str] = set()
        self.alerts: dict[str, list[float]] = defaultdict(list)
        self.chats = {str(FIRST_CHAT + i) for i in range(families)}
        for i in range(families):
            chat = FIRST_CHAT + i
            self._queue(start + i * every, {"message": {
                "message_id": i + 1, "date": int(start + i * every),
                "text": f"{REPORTS[i % len(REPORTS)]}",
                "chat": {"id": chat, "type": "private", "first_name": "Parent"},
                "from": {"id": chat, "is_bot": False, "first_name": "Parent",
                         "language_code": "en"}}})

    def _queue(self, at: float, update: dict[str, Any]) -> None:
        self.pending.append((at, update))

    def _release(self, now: float) -> None:
        """Numbers the updates that are due, in the order they came, as Telegram does."""
        due = sorted((item for item in self.pending if item[0] <= now), key=lambda i: i[0])
        self.pending = [item for item in self.pending if item[0] > now]
        for _, update in due:
            self.released.append({"update_id": self.next_id, **update})
            self.next_id += 1

    def updates(self, offset: int, timeout: float) -> list[dict[str, Any]]:
        """As Telegram: an offset confirms every update before it; the rest come again."""
        deadline = time.time() + timeout
        while True:
            with self.lock:
                self.confirmed = max(self.confirmed, offset)
                self._release(time.time())
                self.released = [u for u in self.released
                                 if u["update_id"] >= self.confirmed]
                ready = self.released[:100]
            if ready or time.time() >= deadline:
                return ready
            time.sleep(0.02)

    def received(self, chat: str, params: dict[str, str], at: float) -> None:
        """The lead notes each alert's reference; a family taps the offer once, half a
        second after it arrives."""
        with self.lock:
            if chat == str(DSL_CHAT):
                found = REFERENCE.search(params.get("text", ""))
                if found:
                    self.alerts[found.group(1)].append(at)
                return
            if chat not in self.chats or chat in self.tapped:
                return
            markup = json.loads(params.get("reply_markup") or "null") or {}
            for row in markup.get("inline_keyboard", []):
                for button in row:
                    if TAP in button.get("text", "") and "callback_data" in button:
                        self.tapped.add(chat)
                        self._queue(at + 0.5, {"callback_query": {
                            "id": f"q{chat}", "chat_instance": chat,
                            "data": button["callback_data"],
                            "from": {"id": int(chat), "is_bot": False,
                                     "first_name": "Parent", "language_code": "en"},
                            "message": {"message_id": 1, "date": int(at),
                                        "chat": {"id": int(chat), "type": "private"},
                                        "text": params.get("text", "")}}})
                        return


def _spawn(database_url: str, api_url: str, t0: float, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "assistant.cli.bench_crash", database_url, api_url, str(t0)],
            stdout=out, stderr=subprocess.STDOUT,
            env={**os.environ, "LOG_LEVEL": "WARNING", "WORKER_ID": "bench-crash-1"})


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)]


def bench_crash(args: argparse.Namespace, settings: Settings) -> int:
    """Runs the bot through K kills while N families raise urgent concerns; prints the toll."""
    from assistant.db import make_engine, migrate
    from assistant.models import Concern
    from assistant.runtime import sync_schools
    from assistant.schools import load_profiles
    from assistant.testing.fake_api import LimitedBotApi

    n, kills, every = args.concerns, args.kills, args.every
    if not 1 <= n <= 5000:
        raise UsageError("--concerns must be between 1 and 5000")
    if not 0 <= kills <= 200:
        raise UsageError("--kills must be between 0 and 200")
    if not 0.05 <= every <= 60:
        raise UsageError("--every must be between 0.05 and 60 seconds")
    rng = random.Random(args.seed)
    with contextlib.ExitStack() as stack:
        folder = stack.enter_context(tempfile.TemporaryDirectory())
        if args.postgres:
            from assistant.testing.scratch_postgres import scratch_database
            url = stack.enter_context(scratch_database(args.postgres))
        else:
            url = f"sqlite:///{Path(folder) / 'crash.sqlite3'}"
        db = make_engine(url)
        migrate(db)
        sync_schools(db, load_profiles())
        seed(db, n)
        log = Path(folder) / "bot.log"
        t0 = time.time()
        # The families start once the first bot process has had time to start.
        start = t0 + 3.0
        span = n * every
        families = Families(n, every, start)
        kill_at = sorted(start + rng.uniform(0, span) for _ in range(kills))
        with LimitedBotApi(users=families) as api:
            bot = _spawn(url, api.url, t0, log)
            for moment in kill_at:
                time.sleep(max(0.0, moment - time.time()))
                bot.send_signal(signal.SIGKILL)
                bot.wait()
                bot = _spawn(url, api.url, t0, log)
            deadline = start + span + args.timeout
            with Session(db) as session:
                while time.time() < deadline:
                    references = session.exec(select(Concern.reference)).all()
                    with families.lock:
                        delivered = sum(1 for r in references if r in families.alerts)
                    # Every family has tapped, every tap has become a concern, and every
                    # concern has reached the lead.
                    if (len(families.tapped) >= n and len(references) >= n
                            and delivered >= len(references)):
                        break
                    time.sleep(0.25)
                    session.expire_all()
            bot.send_signal(signal.SIGTERM)
            try:
                bot.wait(timeout=20)
            except subprocess.TimeoutExpired:
                bot.kill()
                bot.wait()
            refused = api.ledger.refused
        with Session(db) as session:
            concerns = session.exec(select(Concern)).all()
        db.dispose()
        delays: list[float] = []
        reached: dict[int, int] = defaultdict(int)
        twice = 0
        for concern in concerns:
            times = families.alerts.get(concern.reference, [])
            if not times:
                continue
            created = t0 + (concern.created_at - BASE).total_seconds()
            delays.append(max(0.0, min(times) - created))
            twice += len(times) - 1
            reached[concern.sender_account_id or 0] += 1
        twice += sum(count - 1 for count in reached.values())
        lost = n - len(reached)
        bot_log = log.read_text(errors="replace")
        bot_errors = bot_log.count("Traceback")
        if os.environ.get("BENCH_CRASH_LOG"):
            Path(os.environ["BENCH_CRASH_LOG"]).write_text(bot_log)
    print(f"{n} families each raised an urgent concern, one every {every:g} s, over "
          f"{span:.0f} s, on {'PostgreSQL' if args.postgres else 'SQLite'}; the bot was "
          f"killed {kills} times with SIGKILL and restarted at once")
    print(f"  offers tapped: {len(families.tapped)}; concerns stored: {len(concerns)}; "
          f"reached the lead: {len(reached)}; "
          f"429 answers: {refused}; tracebacks in the bot's log: {bot_errors}")
    print(f"  creation to delivery: median {_percentile(delays, 0.5):.1f} s, "
          f"p99 {_percentile(delays, 0.99):.1f} s, max {max(delays, default=0.0):.1f} s")
    print(f"lost={lost} twice={twice} p99_delivery_s={_percentile(delays, 0.99):.1f}")
    return 0 if lost == 0 else 1


def add_command(bench: argparse._SubParsersAction) -> None:
    """Adds `bench crash` to the bench commands."""
    command = bench.add_parser(
        "crash", help="urgent concerns raised while the bot is killed at random")
    command.add_argument("--concerns", type=int, default=200)
    command.add_argument("--kills", type=int, default=20)
    command.add_argument("--every", type=float, default=2.0,
                         help="seconds between two families' reports (default 2; the lead "
                              "can receive one message a second)")
    command.add_argument("--timeout", type=float, default=120.0,
                         help="seconds to wait after the last report (default 120)")
    command.add_argument("--seed", type=int, default=None, help="seed for the kill moments")
    command.add_argument("--postgres", metavar="URL", default="",
                         help="a PostgreSQL server (postgresql+psycopg://...) to run on, in a "
                              "scratch database made and dropped for the run (default: SQLite)")
    command.set_defaults(handler=bench_crash)


def _bot(database_url: str, api_url: str, t0: float) -> None:
    """One bot process of the benchmark, on the benchmark's clock (which runs on across
    restarts): long polling, the outbox job and the rate limiter, as in production."""
    from assistant.models import forget_clock, utcnow
    from assistant.runtime import build_engine
    from assistant.settings import load_settings
    from assistant.telegram.app import _serve, build_application

    os.environ["ASSISTANT_CLOCK"] = (BASE + timedelta(seconds=time.time() - t0)).isoformat()
    forget_clock()
    utcnow()  # the clock runs on from this moment, in step with the benchmark's
    settings = load_settings({"DATABASE_URL": database_url, "TELEGRAM_BOT_TOKEN": TOKEN,
                              "TELEGRAM_API_URL": api_url,
                              "LOG_LEVEL": os.environ.get("BENCH_LOG_LEVEL", "WARNING"),
                              "WORKER_ID": "bench-crash-1"})
    engine = build_engine(settings)
    _serve(build_application(settings, engine), settings, engine.db)


if __name__ == "__main__":
    # python -m assistant.cli.bench_crash DB_URL API_URL T0
    _bot(sys.argv[1], sys.argv[2], float(sys.argv[3]))

"""A year group's backlog goes out in one tick of the outbox job, within Telegram's limits."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

from assistant.db import transaction
from assistant.outbox import Claimed, Dispatcher, enqueue, pending_count
from assistant.outbox_drain import Drainer
from assistant.testing.fake_api import OVERALL_PER_SECOND, Ledger
from tests.support.cli import run_cli


def test_backlog_larger_than_a_batch_is_sent_in_one_drain(engine, clock) -> None:
    school = engine.schools["demo"]
    with transaction(engine.db) as session:
        for n in range(120):
            enqueue(session=session, school=school, recipient=f"telegram:{n}", kind="test",
                    payload={"text": "hello"}, dedupe_key=f"drain:{n}", now=clock.now)
    sent: list[Claimed] = []
    overlapping: list[int] = []

    async def send(item: Claimed) -> None:
        sent.append(item)
        if len(sent) == 10:
            overlapping.append(await drain())  # a tick arriving mid-drain sends nothing
        await asyncio.sleep(0)

    drain = Drainer(Dispatcher(db=engine.db, schools=engine.schools, send=send, clock=clock))
    assert asyncio.run(drain()) == 120
    assert overlapping == [0]
    assert len({m.recipient for m in sent}) == 120
    with transaction(engine.db) as session:
        assert pending_count(session) == 0


def test_fake_bot_api_refuses_a_31st_message_in_a_second_and_a_second_per_chat() -> None:
    ledger = Ledger()
    for n in range(OVERALL_PER_SECOND):
        assert ledger.admit(str(n), 100.0 + n / 100)[0] is None
    wait, _ = ledger.admit("new-chat", 100.5)
    assert wait is not None and 0 < wait <= 1.0
    assert ledger.admit("new-chat", 101.0)[0] is None  # the first has left the window
    wait, _ = ledger.admit("new-chat", 101.5)
    assert wait is not None and wait <= 0.5
    assert ledger.refused == 2 and ledger.total() == OVERALL_PER_SECOND + 1


def test_invitations_bench_reports_the_floor_and_survives_a_kill(tmp_path) -> None:
    env = {**os.environ, "DATA_DIR": str(tmp_path), "LOG_LEVEL": "WARNING"}
    done = subprocess.run([sys.executable, "-m", "assistant", "bench", "invitations",
                           "--families", "40"], env=env, text=True, capture_output=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert "clean run: 40 invitations to 40 chats" in done.stdout
    assert "floor 1.3 s at 30/s" in done.stdout
    assert "families missed: 0" in done.stdout and "rows still unsent: 0" in done.stdout
    bad = run_cli("bench", "invitations", "--families", "0", env=env)
    assert bad.returncode == 2 and "--families" in bad.stderr

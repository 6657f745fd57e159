"""A live lesson arranged, accepted and cancelled through the real bot and the Bot API emulator.

The school's profile here is open at every hour, so the outbox sends whenever the test runs.
"""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_telegram_e2e import (
    LAUNCHER,
    ROOT,
    START_UP_SECONDS,
    TOKEN,
    Emulator,
    _free_port,
    _missing,
    _press_labelled,
    _stop,
    _wait_for,
    buttons,
)

pytestmark = pytest.mark.skipif(_missing() is not None, reason=_missing() or "")

NOOR, TOM, ANN, TEACHER = 5001, 5002, 5003, 5009
LINK = "https://meet.google.com/e2e-live-link"
ROSTER = (
    "pupil_id,forename,surname,year,class,contact_id,contact_name,relationship,"
    "parental_responsibility\n"
    "P1,Ava,Khan,3,3B,C1,Noor Khan,Mother,yes\n"
    "P2,Mia,Jones,3,3B,C2,Tom Jones,Father,yes\n"
    "P3,Leo,Lee,4,4C,C3,Ann Lee,Mother,yes\n"
)


def _always_open_demo(folder: Path) -> Path:
    """The demo school's profile, open every day at every hour."""
    text = (ROOT / "assistant" / "profiles" / "demo.toml").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^closures = .*$", "closures = []", text)
    text = text.replace("bank_holidays = true", "bank_holidays = false")
    weekdays = 'days = ["mon", "tue", "wed", "thu", "fri"]\nstart = "08:30"\nend = "16:00"'
    assert weekdays in text
    text = text.replace(weekdays, 'days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]\n'
                                  'start = "00:00"\nend = "23:59"')
    folder.mkdir()
    (folder / "demo.toml").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def live(tmp_path: Path) -> Iterator[tuple[Emulator, Path]]:
    schools = _always_open_demo(tmp_path / "schools")
    port = _free_port()
    server = subprocess.Popen(["node", str(LAUNCHER), "--port", str(port)], cwd=LAUNCHER.parent,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    bot: subprocess.Popen[str] | None = None
    try:
        assert server.stdout is not None
        assert server.stdout.readline().startswith("ready"), _stop(server)
        env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "WEBHOOK_URL"}}
        env.update(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=f"http://127.0.0.1:{port}",
                   DATA_DIR=str(tmp_path / "data"), SCHOOLS_DIR=str(schools),
                   LOG_LEVEL="DEBUG", PYTHONUNBUFFERED="1")
        bot = subprocess.Popen([sys.executable, "-m", "assistant", "run"], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        emulator = Emulator(f"http://127.0.0.1:{port}", bot, tmp_path / "data")
        _wait_for(lambda: bot.poll() is not None or emulator.bot_calls("setMyCommands"),
                  START_UP_SECONDS, "the bot to start")
        assert bot.poll() is None, f"the bot exited at start-up: {_stop(bot)[-2000:]}"
        yield emulator, schools
    finally:
        log = _stop(bot) if bot is not None else ""
        _stop(server)
        (tmp_path / "bot.log").write_text(log)
    assert LINK not in log, "the live-lesson link reached the log"


def _admin(emulator: Emulator, schools: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(DATA_DIR=str(emulator.data_dir), SCHOOLS_DIR=str(schools), LOG_LEVEL="WARNING")
    done = subprocess.run([sys.executable, "-m", "assistant", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _sign_for_ava(emulator: Emulator, schools: Path) -> None:
    from assistant.db import make_engine
    from assistant.models import utcnow
    from assistant.schools import load_profiles
    from tests.live_helpers import sign_all

    db = make_engine(f"sqlite:///{emulator.data_dir / 'assistant.sqlite3'}")
    try:
        sign_all(db, load_profiles(schools)["demo"], "Ava", utcnow())
    finally:
        db.dispose()


def _history(emulator: Emulator) -> list[dict[str, Any]]:
    return list(emulator.post("/getUpdatesHistory", {"token": TOKEN}))


def _bot_texts_to(emulator: Emulator, *users: int) -> list[str]:
    """The texts the bot sent to these chats that are still there (not deleted)."""
    chats = {str(user) for user in users}
    return [str(u["message"].get("text", "")) for u in _history(emulator)
            if "message" in u and str(u["message"].get("chat_id")) in chats]


def test_live_lesson_invitation_accept_and_cancel_through_telegram(
    live: tuple[Emulator, Path], tmp_path: Path
) -> None:
    emulator, schools = live
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    _admin(emulator, schools, "roster", "import", "--school", "demo", str(roster))
    codes_file = tmp_path / "codes.csv"
    _admin(emulator, schools, "codes", "--school", "demo", "--bot", "demo_school_bot",
           "--out", str(codes_file))
    with codes_file.open(encoding="utf-8-sig") as handle:
        codes = {row["contact_name"]: row["code"] for row in csv.DictReader(handle)}
    staff = _admin(emulator, schools, "staff", "add", "--school", "demo", "--name", "Ms Teacher",
                   "--role", "teacher", "--class", "3B", "--bot", "demo_school_bot")
    staff_code = re.search(r"start=([A-Z0-9]+)", staff)
    assert staff_code is not None
    for user, code in ((NOOR, codes["Noor Khan"]), (TOM, codes["Tom Jones"]),
                       (ANN, codes["Ann Lee"]), (TEACHER, staff_code.group(1))):
        emulator.say(f"/start {code}", user=user)
        emulator.replies(user=user)
    _sign_for_ava(emulator, schools)

    # The teacher arranges tomorrow's lesson for 3B.
    emulator.say("/newsession", user=TEACHER)
    [ask] = emulator.replies(user=TEACHER)
    [ask] = _press_labelled(emulator, ask, "3B", user=TEACHER)
    [ask] = _press_labelled(emulator, ask, "That's all", user=TEACHER)
    emulator.say("tomorrow 10:00", user=TEACHER)
    [ask] = emulator.replies(user=TEACHER)
    assert "at 10:00. How long" in ask["message"]["text"]
    [ask] = _press_labelled(emulator, ask, "30 minutes", user=TEACHER)
    emulator.say(LINK, user=TEACHER)
    [ask] = emulator.replies(user=TEACHER)
    [ask] = _press_labelled(emulator, ask, "Not recorded", user=TEACHER)
    [summary] = _press_labelled(emulator, ask, "No extra line", user=TEACHER)
    assert summary["message"]["protect_content"] == "true"
    [done] = _press_labelled(emulator, summary, "Send the invitations", user=TEACHER)
    assert "session 1 is arranged" in done["message"]["text"]

    # Only 3B's families are invited; Tom's child has no signed agreement yet.
    [noor_invite] = emulator.replies(user=NOOR)
    [tom_invite] = emulator.replies(user=TOM)
    assert "invites Ava (3B) to a live lesson" in noor_invite["message"]["text"]
    assert [b["text"] for b in buttons(noor_invite)] == [
        "We'll follow these - show me the link", "We can't attend"]
    assert [b["text"] for b in buttons(tom_invite)] == [
        "Sign the agreement first", "We can't attend"]
    gated = _press_labelled(emulator, tom_invite, "Sign the agreement first", user=TOM)
    assert "needs signing" in gated[0]["message"]["text"]
    if len(gated) == 1:  # the agreement's own menu follows as a second message
        gated += emulator.replies(user=TOM)
    assert "Agreements for Mia Jones (3B)" in gated[-1]["message"]["text"]
    assert not [text for text in _bot_texts_to(emulator, NOOR, TOM, ANN) if LINK in text]

    # Noor accepts: the link comes in its own protected message.
    [thanks] = _press_labelled(emulator, noor_invite, "We'll follow these", user=NOOR)
    assert "The link comes next" in thanks["message"]["text"]
    [link] = emulator.replies(user=NOOR)
    assert LINK in link["message"]["text"] and link["message"]["protect_content"] == "true"
    assert not buttons(link)

    # The teacher sees the answers, then cancels: both families hear, the link is deleted.
    emulator.say("/sessions", user=TEACHER)
    [card] = emulator.replies(user=TEACHER)
    assert "✓ Ava Khan (3B): accepted" in card["message"]["text"]
    assert "… Mia Jones (3B): no answer" in card["message"]["text"]
    [confirm] = _press_labelled(emulator, card, "Cancel it", user=TEACHER)
    [cancelled] = _press_labelled(emulator, confirm, "Cancel the session", user=TEACHER)
    assert "Cancelled. 2 families will be told" in cancelled["message"]["text"]
    [news] = emulator.replies(user=NOOR)
    assert "has cancelled the live lesson for Ava (3B)" in news["message"]["text"]
    assert "has cancelled" in emulator.replies(user=TOM)[0]["message"]["text"]
    _wait_for(lambda: not [text for text in _bot_texts_to(emulator, NOOR) if LINK in text], 30,
              "the link message to be deleted")
    to_ann = _bot_texts_to(emulator, ANN)
    assert to_ann and not [text for text in to_ann if "invites" in text or "cancelled" in text]

    out = tmp_path / "register.csv"
    _admin(emulator, schools, "export", "register", "--session", "1", "--out", str(out))
    with out.open(encoding="utf-8-sig") as handle:
        rows = {r["pupil"]: r for r in csv.DictReader(handle)}
    assert rows["Ava Khan"]["answer"] == "accepted" and rows["Ava Khan"]["status"] == "cancelled"
    assert set(rows) == {"Ava Khan", "Mia Jones"}

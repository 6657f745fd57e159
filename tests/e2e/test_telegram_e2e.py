"""The real bot process (`python -m assistant run`) against the telegram-test-api emulator.

Needs Node.js and the emulator: run tests/e2e/setup.sh once. Skipped, saying why, without them.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
LAUNCHER = HERE / "emulator.js"
PACKAGE = HERE / "node_modules" / "telegram-test-api" / "package.json"
TOKEN = "123456:e2e-test-token_for-the-emulator"
FAMILY = 4242
START_UP_SECONDS = 60
REPLY_SECONDS = 30


def _missing() -> str | None:
    if shutil.which("node") is None:
        return "node is not installed (Node.js 18+ runs the Bot API emulator)"
    if not PACKAGE.is_file():
        return "the emulator is not installed: run tests/e2e/setup.sh"
    return None


pytestmark = pytest.mark.skipif(_missing() is not None, reason=_missing() or "")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _stop(process: subprocess.Popen[str], timeout: float = 20) -> str:
    """Stops a process we started, gently first; returns what it wrote to stderr."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.stderr.read() if process.stderr is not None else ""


def _wait_for(check: Callable[[], Any], seconds: float, what: str) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"timed out after {seconds:.0f} s waiting for {what}")


@dataclass
class Emulator:
    """The emulator's client side: a family's phone, and what the bot asked of the server."""

    url: str
    bot: subprocess.Popen[str]
    data_dir: Path
    said: list[str] = field(default_factory=list)
    # Telegram's language_code for a user (as their app reports it); "en" unless set.
    languages: dict[int, str] = field(default_factory=dict)

    def post(self, path: str, body: dict[str, Any]) -> Any:
        response = httpx.post(f"{self.url}{path}", json=body, timeout=10)
        response.raise_for_status()
        return response.json()["result"]

    def _user(self, user: int) -> dict[str, Any]:
        return {"id": user, "is_bot": False, "first_name": "Noor",
                "language_code": self.languages.get(user, "en")}

    def _chat(self, user: int) -> dict[str, Any]:
        return {"id": user, "type": "private", "first_name": "Noor"}

    def say(self, text: str, user: int = FAMILY) -> None:
        """Sends a message from someone's private chat with the bot (the family's by default)."""
        self.said.append(text)
        self.post("/sendMessage", {"botToken": TOKEN, "from": self._user(user),
                                   "chat": self._chat(user), "date": int(time.time()),
                                   "text": text})

    def press(self, message: dict[str, Any], data: str, user: int = FAMILY) -> None:
        """Presses a button on a message the bot sent."""
        bot_message = {"message_id": message["messageId"], "date": int(time.time()),
                       "chat": self._chat(user), "text": message["message"].get("text", "")}
        self.post("/sendCallback", {"botToken": TOKEN, "from": self._user(user),
                                    "message": bot_message, "data": data})

    def replies(self, seconds: float = REPLY_SECONDS, user: int = FAMILY) -> list[dict[str, Any]]:
        """Waits for the bot's next messages to someone's chat (the family's by default)."""

        def fetch() -> list[dict[str, Any]]:
            if self.bot.poll() is not None:
                raise AssertionError(f"the bot exited with {self.bot.returncode}")
            found: list[dict[str, Any]] = self.post(
                "/getUpdates", {"token": TOKEN, "chatId": user})
            return found

        return list(_wait_for(fetch, seconds, "the bot's reply"))

    def bot_calls(self, method: str) -> list[dict[str, Any]]:
        """What the bot sent to one of the methods the launcher added."""
        calls = self.post("/e2e/botCalls", {})
        return [call["params"] for call in calls if call["method"] == method]


def buttons(update: dict[str, Any]) -> list[dict[str, str]]:
    markup = update["message"].get("reply_markup") or {}
    return [button for row in markup.get("inline_keyboard", []) for button in row]


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[Emulator]:
    port = _free_port()
    server = subprocess.Popen(["node", str(LAUNCHER), "--port", str(port)], cwd=HERE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    bot: subprocess.Popen[str] | None = None
    emulator: Emulator | None = None
    try:
        assert server.stdout is not None
        ready = server.stdout.readline()
        assert ready.startswith("ready"), f"the emulator did not start: {_stop(server)}"
        env = {key: value for key, value in os.environ.items()
               if key not in {"DATABASE_URL", "WEBHOOK_URL", "SCHOOLS_DIR"}}
        env.update(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=f"http://127.0.0.1:{port}",
                   DATA_DIR=str(tmp_path / "data"), LOG_LEVEL="DEBUG", PYTHONUNBUFFERED="1")
        bot = subprocess.Popen([sys.executable, "-m", "assistant", "run"], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        emulator = Emulator(f"http://127.0.0.1:{port}", bot, tmp_path / "data")
        _wait_for(lambda: bot.poll() is not None or emulator.bot_calls("setMyCommands"),
                  START_UP_SECONDS, "the bot to start")
        assert bot.poll() is None, f"the bot exited at start-up: {_stop(bot)[-2000:]}"
        yield emulator
    finally:
        log = _stop(bot) if bot is not None else ""
        _stop(server)
        (tmp_path / "bot.log").write_text(log)
    # Even at LOG_LEVEL=DEBUG, neither the token nor what the family typed reaches the log.
    assert TOKEN.split(":")[1] not in log, "the token reached the log"
    assert emulator is not None
    assert not [text for text in emulator.said if text in log], "message text reached the log"


def test_question_sent_through_telegram_gets_the_faq_answer(emulator: Emulator) -> None:
    commands = emulator.bot_calls("setMyCommands")[0]["commands"]
    assert [c["command"] for c in json.loads(commands)] == [
        "start", "help", "faq", "language", "cancel"]

    emulator.say("can my child use the chat in a live lesson?")

    [answer] = emulator.replies()
    assert "chat" in answer["message"]["text"].lower()
    labels = [button["text"] for button in buttons(answer)]
    assert labels[-1] == "This didn't help"

    emulator.press(answer, buttons(answer)[-1]["callback_data"])

    [offer] = emulator.replies()
    # Not linked yet: the school would not know who asks, so no promise of a reply.
    assert "Once you have linked" in offer["message"]["text"] and not buttons(offer)


def test_forged_button_through_telegram_gets_the_expired_reply(emulator: Emulator) -> None:
    emulator.say("passwords")
    [answer] = emulator.replies()

    emulator.press(answer, "questions.pass|forged-nonce|")

    [reply] = emulator.replies()
    assert "expired" in reply["message"]["text"]


def test_outbox_message_reaches_the_family_through_telegram(emulator: Emulator) -> None:
    from assistant.db import make_engine, transaction
    from assistant.outbox import enqueue
    from assistant.schools import load_profiles

    db = make_engine(f"sqlite:///{emulator.data_dir / 'assistant.sqlite3'}")
    try:
        with transaction(db) as session:
            enqueue(session=session, school=load_profiles()["demo"],
                    recipient=f"telegram:{FAMILY}", kind="reminder",
                    payload={"text": "Reminder: live lesson at 10:30.", "protect": True},
                    dedupe_key="e2e-reminder", in_hours=False)
    finally:
        db.dispose()

    [reminder] = emulator.replies()
    assert reminder["message"]["text"] == "Reminder: live lesson at 10:30."
    assert reminder["message"]["protect_content"] == "true"


def _admin(emulator: Emulator, *args: str) -> str:
    """Runs an admin command on the bot's own database, as the school's IT lead would."""
    env = {key: value for key, value in os.environ.items()
           if key not in {"DATABASE_URL", "SCHOOLS_DIR"}}
    env.update(DATA_DIR=str(emulator.data_dir), LOG_LEVEL="WARNING")
    done = subprocess.run([sys.executable, "-m", "assistant", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_school_imports_roster_issues_codes_and_families_and_staff_link(
    emulator: Emulator, tmp_path: Path
) -> None:
    import csv
    import re

    roster = ROOT / "tests" / "data" / "roster-two-classes.csv"
    assert "6 added" in _admin(emulator, "roster", "import", "--school", "demo", str(roster))
    codes_file = tmp_path / "codes.csv"
    _admin(emulator, "codes", "--school", "demo", "--bot", "demo_school_bot",
           "--out", str(codes_file))
    with codes_file.open(encoding="utf-8-sig") as handle:
        codes = {row["contact_name"]: row for row in csv.DictReader(handle)}
    staff_out = _admin(emulator, "staff", "add", "--school", "demo", "--name", "Ms Teacher",
                       "--role", "teacher", "--class", "3B", "--bot", "demo_school_bot")
    staff_code = re.search(r"start=([A-Z0-9]+)", staff_out)
    assert staff_code is not None

    # A parent opens the deep link: Telegram sends "/start CODE".
    noor = codes["Noor Khan"]
    assert noor["link"].endswith(noor["code"])
    emulator.say(f"/start {noor['code']}")
    [welcome] = emulator.replies()
    assert "Noor Khan" in welcome["message"]["text"]
    assert "Ava Khan (3B)" in welcome["message"]["text"]

    emulator.say("what should my daughter wear for the video lesson")
    [answer] = emulator.replies()
    assert "wear" in answer["message"]["text"].lower()

    # The same code again, from another phone, does nothing.
    other = FAMILY + 1
    emulator.say(f"/start {noor['code']}", user=other)
    [refused] = emulator.replies(user=other)
    assert "already been used" in refused["message"]["text"]

    # The teacher links with their staff code and gets the staff menu in their chat.
    teacher = FAMILY + 2
    emulator.say(f"/start {staff_code.group(1)}", user=teacher)
    [hello] = emulator.replies(user=teacher)
    assert "class teacher of 3B" in hello["message"]["text"]
    menus = _wait_for(lambda: [c for c in emulator.bot_calls("setMyCommands")
                               if "families" in c["commands"]], REPLY_SECONDS, "the staff menu")
    assert json.loads(menus[0]["scope"])["chat_id"] == teacher
    emulator.say("/families", user=teacher)
    [families] = emulator.replies(user=teacher)
    assert "3B: 1 of 3 families linked." in families["message"]["text"]
    assert "4C" not in families["message"]["text"]


def _press_labelled(emulator: Emulator, update: dict[str, Any], label: str,
                    user: int = FAMILY) -> list[dict[str, Any]]:
    """Presses the button whose label contains `label`, and returns the bot's answer."""
    found = [b for b in buttons(update) if label.lower() in b["text"].lower()]
    assert found, f"no {label!r} among {[b['text'] for b in buttons(update)]}"
    emulator.press(update, found[0]["callback_data"], user=user)
    return emulator.replies(user=user)


def test_two_child_family_signs_ks1_and_ks2_agreements_through_telegram(
    emulator: Emulator, tmp_path: Path
) -> None:
    import csv

    roster = tmp_path / "roster.csv"
    roster.write_text(
        "pupil_id,forename,surname,year,class,contact_id,contact_name,relationship,"
        "parental_responsibility\n"
        "P1,Ava,Khan,1,1A,C1,Noor Khan,Mother,yes\n"
        "P2,Sam,Khan,4,4C,C1,Noor Khan,Mother,yes\n", encoding="utf-8")
    _admin(emulator, "roster", "import", "--school", "demo", str(roster))
    codes_file = tmp_path / "codes.csv"
    _admin(emulator, "codes", "--school", "demo", "--bot", "demo_school_bot",
           "--out", str(codes_file))
    with codes_file.open(encoding="utf-8-sig") as handle:
        [noor] = list(csv.DictReader(handle))
    emulator.say(f"/start {noor['code']}")
    [welcome] = emulator.replies()

    signed = []
    titles = {"Ava": "My online safety promises", "Sam": "My online safety agreement"}
    for child, title in titles.items():
        [choose] = _press_labelled(emulator, welcome, "Sign the agreement")
        [menu] = _press_labelled(emulator, choose, child)
        [page] = _press_labelled(emulator, menu, f"Read and sign: {title}")
        [page] = _press_labelled(emulator, page, "Start reading")
        while any(b["text"] == "Next" for b in buttons(page)):
            [page] = _press_labelled(emulator, page, "Next")
        [ask] = _press_labelled(emulator, page, "agree")
        assert "full name" in ask["message"]["text"]
        emulator.say("Noor Khan")
        [summary] = emulator.replies()
        assert f"{child} Khan" in summary["message"]["text"]
        [receipt] = _press_labelled(emulator, summary, "Sign")
        assert "Signed - thank you" in receipt["message"]["text"]
        signed.append(receipt["message"]["text"])

    assert "Ava Khan (1A)" in signed[0] and "Sam Khan (4C)" in signed[1]
    exported = tmp_path / "agreements.csv"
    _admin(emulator, "export", "agreements", "--school", "demo", "--out", str(exported))
    with exported.open(encoding="utf-8-sig") as handle:
        rows = [r for r in csv.DictReader(handle) if r["status"] == "signed"]
    assert sorted((r["pupil"], r["agreement"], r["signer"]) for r in rows) == [
        ("Ava Khan", titles["Ava"], "Noor Khan"), ("Sam Khan", titles["Sam"], "Noor Khan")]


def test_help_in_the_middle_of_an_agreement_then_agreement_welcomes_back_at_the_same_page(
    live: tuple[Emulator, Path], tmp_path: Path
) -> None:
    from tests.e2e.harness import school_codes

    emulator, schools = live
    codes = school_codes(emulator, schools, tmp_path, (
        "pupil_id,forename,surname,year,class,contact_id,contact_name,relationship,"
        "parental_responsibility\n"
        "P1,Sam,Khan,4,4C,C1,Noor Khan,Mother,yes\n"))
    emulator.say(f"/start {codes['Noor Khan']}")
    [welcome] = emulator.replies()
    [menu] = _press_labelled(emulator, welcome, "Sign the agreement")
    if not any("Read and sign" in b["text"] for b in buttons(menu)):
        [menu] = _press_labelled(emulator, menu, "Sam")
    [page] = _press_labelled(emulator, menu, "Read and sign")
    [page] = _press_labelled(emulator, page, "Start reading")
    [page] = _press_labelled(emulator, page, "Next")
    where = page["message"]["text"]

    emulator.say("/help")
    said = emulator.replies()
    if len(said) < 2:
        said += emulator.replies()
    help_text = " ".join(r["message"]["text"] for r in said)
    assert "/agreement" in help_text and "carry on where you left off" in help_text

    emulator.say("/agreement")
    back = emulator.replies()
    if len(back) < 2:
        back += emulator.replies()
    assert "Welcome back" in back[0]["message"]["text"]
    assert back[-1]["message"]["text"] == where
    [page] = _press_labelled(emulator, back[-1], "Next")
    assert page["message"]["text"] != where

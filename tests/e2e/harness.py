"""The running bot for end-to-end tests: an always-open school, the admin's commands."""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.e2e.test_telegram_e2e import (
    LAUNCHER,
    ROOT,
    START_UP_SECONDS,
    TOKEN,
    Emulator,
    _free_port,
    _stop,
    _wait_for,
)

LINK = "https://meet.google.com/e2e-live-link"


def _open_at_every_hour(name: str, start: str, end: str) -> str:
    """A shipped profile's text with its weekday hours (start-end) made every day, all day,
    and no closures or bank holidays."""
    text = (ROOT / "assistant" / "profiles" / f"{name}.toml").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^closures = .*$", "closures = []", text)
    text = text.replace("bank_holidays = true", "bank_holidays = false")
    weekdays = f'days = ["mon", "tue", "wed", "thu", "fri"]\nstart = "{start}"\nend = "{end}"'
    assert weekdays in text
    return text.replace(weekdays, 'days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]\n'
                                  'start = "00:00"\nend = "23:59"')


def always_open_demo(folder: Path) -> Path:
    """The demo school's profile, open every day at every hour."""
    folder.mkdir()
    (folder / "demo.toml").write_text(_open_at_every_hour("demo", "08:30", "16:00"),
                                      encoding="utf-8")
    return folder


def two_open_schools(folder: Path) -> Path:
    """The demo school and Stoke Bishop, two schools of one install, both open at every hour."""
    always_open_demo(folder)
    (folder / "stoke-bishop.toml").write_text(
        _open_at_every_hour("stoke-bishop", "09:00", "17:00"), encoding="utf-8")
    return folder


def closed_today_demo(folder: Path) -> Path:
    """The demo school's profile, open all day on every day but today (so closed now)."""
    always_open_demo(folder)
    path = folder / "demo.toml"
    today = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[datetime.now(ZoneInfo(
        "Europe/London")).weekday()]
    text = path.read_text(encoding="utf-8").replace(f'"{today}", ', "").replace(
        f', "{today}"', "")
    path.write_text(text, encoding="utf-8")
    return folder


def running_bot(tmp_path: Path, profile: Callable[[Path], Path] = always_open_demo
                ) -> Iterator[tuple[Emulator, Path]]:
    """Starts the emulator and the bot on a demo school (always open unless another profile
    is given); stops both after."""
    schools = profile(tmp_path / "schools")
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


def admin(emulator: Emulator, schools: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(DATA_DIR=str(emulator.data_dir), SCHOOLS_DIR=str(schools), LOG_LEVEL="WARNING")
    done = subprocess.run([sys.executable, "-m", "assistant", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def school_codes(emulator: Emulator, schools: Path, folder: Path, roster: str,
                 school: str = "demo") -> dict[str, str]:
    """Imports a roster and issues codes, as the school office would; returns name -> code."""
    path = folder / f"roster-{school}.csv"
    path.write_text(roster, encoding="utf-8")
    admin(emulator, schools, "roster", "import", "--school", school, str(path))
    codes_file = folder / f"codes-{school}.csv"
    admin(emulator, schools, "codes", "--school", school, "--bot", "demo_school_bot",
          "--out", str(codes_file))
    with codes_file.open(encoding="utf-8-sig") as handle:
        return {row["contact_name"]: row["code"] for row in csv.DictReader(handle)}


def staff_code(emulator: Emulator, schools: Path, name: str, *options: str,
               school: str = "demo") -> str:
    """Adds a member of staff (options: "--role", "teacher", "--class", "3B", ...)."""
    out = admin(emulator, schools, "staff", "add", "--school", school, "--name", name,
                *options, "--bot", "demo_school_bot")
    found = re.search(r"start=([A-Z0-9]+)", out)
    assert found is not None, out
    return found.group(1)

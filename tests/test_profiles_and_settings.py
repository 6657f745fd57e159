"""School profiles and settings: bad configuration is refused with the file, key and reason."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from assistant.schools import ProfileError, load_profile, load_profiles
from assistant.settings import SettingsError, load_settings
from tests.support import cli as support_cli

DEMO = Path(__file__).parent.parent / "assistant" / "profiles" / "demo.toml"


def test_demo_and_the_five_seed_schools_ship_with_profiles() -> None:
    schools = load_profiles()
    assert {"demo", "ellwood", "church-lane", "stoke-bishop", "studybugs-trust",
            "higham"} <= set(schools)
    assert schools["church-lane"].live.one_to_one == "never"
    assert schools["higham"].live.one_to_one == "parent-present"


def write_variant(tmp_path: Path, old: str, new: str, name: str = "demo") -> Path:
    text = DEMO.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / f"{name}.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_unknown_key_is_refused_with_file_and_key(tmp_path: Path) -> None:
    path = write_variant(tmp_path, 'timezone = "Europe/London"',
                         'timezone = "Europe/London"\ncolour = "blue"')
    with pytest.raises(ProfileError) as refused:
        load_profile(path)
    assert str(path) in str(refused.value) and "colour" in str(refused.value)


def test_bad_time_is_refused(tmp_path: Path) -> None:
    path = write_variant(tmp_path, 'start = "08:30"', 'start = "8.30am"')
    with pytest.raises(ProfileError, match=r"contact_hours\[1\]\.start.*HH:MM"):
        load_profile(path)


def test_overlapping_windows_are_refused(tmp_path: Path) -> None:
    path = write_variant(tmp_path, "[learning]", '[[contact_hours]]\ndays = ["wed"]\n'
                         'start = "15:00"\nend = "18:00"\n\n[learning]')
    with pytest.raises(ProfileError, match="overlaps another window on wed"):
        load_profile(path)


def test_a_schools_own_folder_adds_and_replaces_profiles(tmp_path: Path) -> None:
    write_variant(tmp_path, 'name = "Demo Primary School"', 'name = "Our Demo"')
    assert load_profiles(tmp_path)["demo"].name == "Our Demo"


def test_settings_default_to_a_sqlite_file_in_a_data_folder(tmp_path: Path) -> None:
    settings = load_settings({"DATA_DIR": str(tmp_path / "data")})
    assert settings.database_url.startswith("sqlite:///") and "data" in settings.database_url
    assert settings.telegram_bot_token is None


@pytest.mark.parametrize(("name", "value"), [
    ("PORT", "eighty"), ("PORT", "70000"), ("LOG_LEVEL", "LOUD"),
    ("DATABASE_URL", "mysql://x"), ("TELEGRAM_API_URL", "ftp://x"),
    ("TELEGRAM_BOT_TOKEN", "changeme"), ("SCHOOLS_DIR", "/no/such/folder"),
])
def test_malformed_setting_is_refused(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        load_settings({name: value})


def test_token_never_appears_in_the_settings_repr() -> None:
    settings = load_settings({"TELEGRAM_BOT_TOKEN": "123456:SECRET-token-value"})
    assert "SECRET" not in repr(settings)


def run_cli(*args: str, env: dict[str, str] | None = None, stdin: str = "") -> (
    subprocess.CompletedProcess[str]
):
    return support_cli.run_cli(*args, env={**os.environ, **(env or {})}, stdin=stdin)


def test_malformed_setting_exits_2_with_one_line() -> None:
    result = run_cli("faq", "ask", "hello", env={"PORT": "eighty"})
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "PORT" in result.stderr


def test_run_without_a_token_exits_2_with_one_line(tmp_path: Path) -> None:
    result = run_cli("run", env={"TELEGRAM_BOT_TOKEN": "", "DATA_DIR": str(tmp_path)})
    assert result.returncode == 2 and "TELEGRAM_BOT_TOKEN" in result.stderr
    assert "Traceback" not in result.stderr


def test_help_lists_every_command() -> None:
    result = run_cli("--help")
    assert result.returncode == 0
    for command in ("chat", "run", "faq"):
        assert command in result.stdout


def test_chat_in_the_terminal_answers_a_question_from_the_database(tmp_path: Path) -> None:
    result = run_cli("chat", env={"DATA_DIR": str(tmp_path)},
                     stdin="what should my child wear on the video call\n/help\n")
    assert result.returncode == 0, result.stderr
    assert "Seeded demo" in result.stdout
    assert "wear" in result.stdout.lower() and "[1]" in result.stdout
    assert (tmp_path / "assistant.sqlite3").exists()
    again = run_cli("chat", env={"DATA_DIR": str(tmp_path)}, stdin="hi\n")
    assert "Seeded" not in again.stdout and again.returncode == 0


def test_faq_ask_json_follows_the_contract() -> None:
    import json

    result = run_cli("faq", "ask", "--json", stdin="what should she wear for the live lesson\n"
                                                     "how much is dinner money\n")
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [set(line) for line in lines] == [{"question", "id", "score", "suggestions"}] * 2
    assert lines[0]["id"] == "live-dress" and lines[1]["id"] is None
    assert all(0 <= line["score"] <= 100 for line in lines)


def test_faq_ask_for_an_unknown_school_exits_2() -> None:
    result = run_cli("faq", "ask", "--school", "nowhere", "hi")
    assert result.returncode == 2 and "nowhere" in result.stderr

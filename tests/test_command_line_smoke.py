"""One real `python -m assistant` process per command group; the rest run in-process."""

from __future__ import annotations

import json
import os
from pathlib import Path

from tests.support.cli import run_process

DATA = Path(__file__).parent / "data"


def _env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "DATA_DIR": str(tmp_path), "DATABASE_URL": "", "SCHOOLS_DIR": "",
            "LOG_LEVEL": "WARNING"}


def test_help_lists_every_command_group(tmp_path: Path) -> None:
    done = run_process("--help", env=_env(tmp_path))
    assert done.returncode == 0
    for command in ("chat", "run", "faq", "bench", "roster", "codes", "staff", "export"):
        assert command in done.stdout


def test_chat_answers_a_question_typed_on_stdin(tmp_path: Path) -> None:
    done = run_process("chat", stdin="can we record the live lesson?\n", env=_env(tmp_path))
    assert done.returncode == 0, done.stderr
    assert "record" in done.stdout.lower()


def test_faq_ask_prints_the_contract_json(tmp_path: Path) -> None:
    done = run_process("faq", "ask", "--json", "can my child share their screen",
                       env=_env(tmp_path))
    assert done.returncode == 0, done.stderr
    line = json.loads(done.stdout.splitlines()[0])
    assert set(line) >= {"question", "id", "score", "suggestions"}


def test_roster_import_and_export_run_as_processes(tmp_path: Path) -> None:
    env = _env(tmp_path)
    done = run_process("roster", "import", "--school", "demo",
                       str(DATA / "roster-two-classes.csv"), env=env)
    assert done.returncode == 0, done.stderr
    out = tmp_path / "agreements.csv"
    done = run_process("export", "agreements", "--school", "demo", "--out", str(out), env=env)
    assert done.returncode == 0, done.stderr
    assert out.exists()


def test_bad_input_is_one_line_and_exit_2(tmp_path: Path) -> None:
    done = run_process("export", "agreements", "--school", "nowhere", "--out",
                       str(tmp_path / "x.csv"), env=_env(tmp_path))
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "nowhere" in done.stderr

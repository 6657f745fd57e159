"""The wheel carries everything the program reads: installed fresh, it works from any folder."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run(*command: str | Path, cwd: Path, stdin: str = "",
         env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(c) for c in command], cwd=cwd, input=stdin, text=True,
                          capture_output=True, timeout=600, check=False, env=env)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with the wheel built from this checkout installed."""
    work = tmp_path_factory.mktemp("wheel")
    # setuptools reuses build/ between builds: files deleted since would ride along.
    shutil.rmtree(ROOT / "build", ignore_errors=True)
    built = _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w",
                 work / "dist", ROOT, cwd=work)
    assert built.returncode == 0, built.stderr
    wheel = next((work / "dist").glob("*.whl"))
    venv = work / "venv"
    made = _run(sys.executable, "-m", "venv", venv, cwd=work)
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    done = _run(python, "-m", "pip", "install", "--quiet", wheel, cwd=work)
    assert done.returncode == 0, done.stderr
    return python


def _env(folder: Path) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "TMPDIR"}}
    return {**keep, "DATA_DIR": str(folder / "data"), "LOG_LEVEL": "WARNING"}


def test_installed_wheel_answers_a_question_in_chat(installed: Path, tmp_path: Path) -> None:
    done = _run(installed, "-m", "assistant", "chat", cwd=tmp_path, env=_env(tmp_path),
                stdin="can my child share their screen in a live lesson?\n")
    assert done.returncode == 0, done.stderr
    assert "Seeded demo" in done.stdout and "screen" in done.stdout.lower()


def test_installed_wheel_finds_its_faq_content_complete(installed: Path, tmp_path: Path) -> None:
    done = _run(installed, "-m", "assistant", "faq", "check", cwd=tmp_path, env=_env(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "complete" in done.stdout


def test_installed_wheel_shows_help_and_flags_danger(installed: Path, tmp_path: Path) -> None:
    done = _run(installed, "-m", "assistant", "--help", cwd=tmp_path, env=_env(tmp_path))
    assert done.returncode == 0 and "chat" in done.stdout
    done = _run(installed, "-m", "assistant", "chat", cwd=tmp_path, env=_env(tmp_path),
                stdin="i want to kill myself\n")
    assert "Childline" in done.stdout


def test_installed_wheel_writes_the_faq_sign_off_page(installed: Path, tmp_path: Path) -> None:
    page = tmp_path / "higham.html"
    done = _run(installed, "-m", "assistant", "faq", "preview", "--school", "higham", "--out",
                page, cwd=tmp_path, env=_env(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Higham Primary School" in page.read_text(encoding="utf-8")

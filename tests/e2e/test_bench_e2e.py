"""`bench invitations` end to end: real bot processes, a Bot API over HTTP, one killed."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.support.cli import run_cli


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

"""`bench updates` compares the assistant with a bare echo bot in alternating rounds."""

from __future__ import annotations

import os
import re
import statistics
from pathlib import Path

from tests.support.cli import run_cli


def _env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "DATA_DIR": str(tmp_path), "DATABASE_URL": "", "SCHOOLS_DIR": "",
            "LOG_LEVEL": "WARNING"}


def test_the_ratio_printed_last_is_the_median_of_the_rounds(tmp_path: Path) -> None:
    done = run_cli("bench", "updates", "--updates", "12", "--rounds", "3", env=_env(tmp_path))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    rounds = [float(m.group(1)) for line in lines
              if (m := re.match(r"round \d+: .* ratio ([0-9.]+)$", line))]
    assert len(rounds) == 3
    last = re.match(r"ratio assistant/echo: ([0-9.]+) \(median of 3\)$", lines[-1])
    assert last is not None
    assert float(last.group(1)) == round(statistics.median(rounds), 3)


def test_a_round_count_out_of_range_is_one_line_and_exit_2(tmp_path: Path) -> None:
    done = run_cli("bench", "updates", "--rounds", "0", env=_env(tmp_path))
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "--rounds" in done.stderr

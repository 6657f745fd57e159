"""A school's IT lead chooses a language's answer threshold on a development set of questions,
and a bad file gets one clear line, never a changed thresholds file."""

from __future__ import annotations

import os
from pathlib import Path

from assistant.faq.content import FAQ_DIR
from tests.support import cli as support_cli

DEV = """id\tlocale\tquestion
platforms\ten\twhich app do the kids use for homework at home
waiting-room\ten\twhy is my son stuck in the waiting room of the live lesson
upsetting-content\ten\tmy daughter saw something horrible online what should she do
-\ten\thow much is dinner money this term
-\ten\twhen is the christmas fair
"""


def _tune(tmp_path: Path, *args: str) -> tuple[int, str, str]:
    done = support_cli.run_cli("faq", "tune", "--locale", "en", *args,
                               env={**os.environ, "DATA_DIR": str(tmp_path / "data")})
    return done.returncode, done.stdout, done.stderr


def test_the_threshold_table_on_a_development_set_marks_the_choice_and_today(
        tmp_path: Path) -> None:
    dev = tmp_path / "dev.tsv"
    dev.write_text(DEV, encoding="utf-8")
    before = (FAQ_DIR / "thresholds.toml").read_bytes()
    code, out, err = _tune(tmp_path, "--on", str(dev))
    assert code == 0, err
    assert "5 development questions" in out
    assert "<- lowest with wrong <= cap" in out
    assert (FAQ_DIR / "thresholds.toml").read_bytes() == before  # shown, not written


def test_a_missing_or_foreign_development_set_is_one_line_and_no_change(tmp_path: Path) -> None:
    before = (FAQ_DIR / "thresholds.toml").read_bytes()
    code, _, err = _tune(tmp_path, "--on", str(tmp_path / "nowhere.tsv"), "--write")
    assert code != 0 and "no such file" in err and len(err.strip().splitlines()) == 1
    polish = tmp_path / "pl.tsv"
    polish.write_text("id\tlocale\tquestion\nplatforms\tpl\tjaka aplikacja do lekcji\n",
                      encoding="utf-8")
    code, _, err = _tune(tmp_path, "--on", str(polish), "--write")
    assert code != 0 and "no questions for locale en" in err
    assert (FAQ_DIR / "thresholds.toml").read_bytes() == before

"""What holds children's names stays readable by the school's own account only."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from assistant.db import make_engine, migrate
from assistant.private_files import FileRefused, write_private_csv


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_database_and_its_folder_are_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "data" / "assistant.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    engine.dispose()
    assert mode(path) == 0o600 and mode(path.parent) == 0o700
    for extra in path.parent.glob("assistant.sqlite3-*"):
        assert mode(extra) == 0o600


def test_a_database_left_readable_by_others_is_tightened(tmp_path: Path) -> None:
    path = tmp_path / "assistant.sqlite3"
    path.touch(mode=0o644)
    path.chmod(0o644)
    make_engine(f"sqlite:///{path}").dispose()
    assert mode(path) == 0o600


def test_overwriting_an_export_makes_a_loose_file_owner_only(tmp_path: Path) -> None:
    out = tmp_path / "codes.csv"
    out.write_text("old")
    out.chmod(0o644)
    write_private_csv(out, ["a"], [["1"]], overwrite=True)
    assert mode(out) == 0o600 and "old" not in out.read_text(encoding="utf-8-sig")


@pytest.mark.parametrize("overwrite", [False, True])
def test_an_export_never_writes_through_a_symbolic_link(tmp_path: Path, overwrite: bool) -> None:
    target = tmp_path / "elsewhere.txt"
    target.write_text("someone else's file")
    link = tmp_path / "codes.csv"
    link.symlink_to(target)
    with pytest.raises(FileRefused, match="symbolic link"):
        write_private_csv(link, ["a"], [["1"]], overwrite=overwrite)
    assert target.read_text() == "someone else's file"

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


def test_purge_removes_old_outbox_history_and_old_unanswered_questions_only(engine) -> None:
    from datetime import UTC, datetime, timedelta

    from sqlmodel import Session, select

    from assistant.db import transaction
    from assistant.models import OutboxMessage, UnansweredQuestion
    from tests.support.cli import run_cli

    now = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    with transaction(engine.db) as session:
        for i, (age, status) in enumerate([(40, "sent"), (10, "sent"), (40, "pending")]):
            session.add(OutboxMessage(recipient="telegram:42", school_id="demo", kind="x",
                                      payload={"text": "Ava's link"}, status=status,
                                      dedupe_key=f"k{i}", created_at=now - timedelta(days=age),
                                      not_before=now))
        session.add(UnansweredQuestion(school_id="demo", locale="en", text="old", reason="x",
                                       created_at=now - timedelta(days=400)))
        session.add(UnansweredQuestion(school_id="demo", locale="en", text="new", reason="x",
                                       created_at=now - timedelta(days=10)))
    result = run_cli("purge", "--school", "demo", env={
        "DATABASE_URL": str(engine.db.url), "ASSISTANT_CLOCK": now.isoformat()})
    assert result.returncode == 0, result.stderr
    assert "Removed 1 outbox message(s)" in result.stdout
    assert "1 unanswered question(s)" in result.stdout
    with Session(engine.db) as session:
        assert sorted(m.dedupe_key for m in session.exec(select(OutboxMessage))) == ["k1", "k2"]
        assert [q.text for q in session.exec(select(UnansweredQuestion))] == ["new"]


def test_assistant_clock_starts_at_the_time_given_and_runs_on(monkeypatch) -> None:
    import time
    from datetime import UTC, datetime

    from assistant.models import utcnow

    monkeypatch.setenv("ASSISTANT_CLOCK", "2026-11-30T08:29:00+00:00")
    time.sleep(0.05)  # long after the program started: the clock still starts at the setting
    first = utcnow()
    assert datetime(2026, 11, 30, 8, 29, tzinfo=UTC) <= first < datetime(
        2026, 11, 30, 8, 29, 1, tzinfo=UTC)
    assert utcnow() >= first


def test_purge_removes_old_flagged_messages_nobody_sent_to_the_school_only(engine,
                                                                            clock) -> None:
    from datetime import timedelta

    from sqlmodel import Session, select

    from assistant.db import transaction
    from assistant.models import DangerReport
    from tests.family import Person, add_family, add_staff
    from tests.support.cli import run_cli

    code = add_family(engine.db, clock.now, parent="Noor Khan", children=[("Ava", "3B", "3")])
    dsl = add_staff(engine.db, clock.now, name="Mrs Safe", role="dsl")
    Person(engine, "902").say(f"/start {dsl}")
    noor = Person(engine, "100")
    noor.say(f"/start {code}")
    noor.say("my husband hits my son")
    noor.press("Tell the school now")  # raised: kept with its concern
    noor.say("my daughter has been missing since this morning")  # never raised
    later = clock.now + timedelta(days=40)
    with transaction(engine.db) as session:
        session.add(DangerReport(school_id="demo", text="recent, never raised", kinds=["general"],
                                 locale="en", created_at=later - timedelta(days=5)))
    result = run_cli("purge", "--school", "demo", env={
        "DATABASE_URL": str(engine.db.url), "ASSISTANT_CLOCK": later.isoformat()})
    assert result.returncode == 0, result.stderr
    assert "1 flagged message(s) never sent to the school older than 30 days" in result.stdout
    with Session(engine.db) as session:
        kept = sorted(r.text for r in session.exec(select(DangerReport)))
    assert kept == ["my husband hits my son", "recent, never raised"]
    refused = run_cli("purge", "--school", "demo", "--flagged-days", "0", env={
        "DATABASE_URL": str(engine.db.url)})
    assert refused.returncode != 0 and "--flagged-days" in refused.stderr

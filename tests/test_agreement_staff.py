"""Staff see who has signed, remind who has not (in hours, weekly at most), and export it."""

from __future__ import annotations

import asyncio
import csv
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import Session, select

from assistant.agreements.export import COLUMNS, agreement_rows
from assistant.agreements.templates import load_templates
from assistant.db import make_engine
from assistant.models import OutboxMessage
from assistant.outbox import Claimed, Dispatcher
from tests.family import Person, add_family, add_staff
from tests.test_agreement_flow import sign_through


@pytest.fixture
def school(engine, clock) -> dict[str, Person]:
    people = {
        "noor": add_family(engine.db, clock.now, parent="Noor Khan",
                           children=[("Ava", "1A", "1"), ("Sam", "4C", "4")]),
        "tom": add_family(engine.db, clock.now, parent="Tom Jones", children=[("Mia", "1A", "1")]),
        "unlinked": add_family(engine.db, clock.now, parent="Ann Lee",
                               children=[("Leo", "1A", "1")]),
        "teacher": add_staff(engine.db, clock.now, name="Ms Teacher", role="teacher",
                             class_code="1A"),
        "head": add_staff(engine.db, clock.now, name="Mr Head", role="head"),
    }
    linked = {}
    for name, user in (("noor", "100"), ("tom", "200"), ("teacher", "900"), ("head", "901")):
        linked[name] = Person(engine, user)
        linked[name].say(f"/start {people[name]}")
    return linked


def test_class_teacher_sees_their_class_and_head_sees_the_school(school) -> None:
    noor = school["noor"]
    noor.say("/agreement")
    noor.press("Ava")
    noor.press(f"Read and sign: {load_templates()['learner-ks1'].title}")
    sign_through(noor)
    teacher = school["teacher"]
    teacher.say("/agreements")
    text = teacher.text()
    assert "Class 1A:" in text and "Class 4C:" not in text
    assert "Ava Khan: learner agreement signed (version 1)" in text
    assert "3 of 3 pupils still need" in text
    school["head"].say("/agreements")
    assert "Class 4C:" in school["head"].text()


def test_parent_cannot_see_the_staff_list(school) -> None:
    school["noor"].say("/agreements")
    assert "only for school staff" in school["noor"].text()


def deliveries(engine, clock, when: datetime) -> list[Claimed]:
    sent: list[Claimed] = []

    async def send(item: Claimed) -> None:
        sent.append(item)

    clock.now = when
    asyncio.run(Dispatcher(db=engine.db, schools=engine.schools, send=send,
                           clock=clock).run_once())
    return sent


def test_reminder_waits_for_contact_hours_and_is_not_repeated_within_a_week(
    engine, clock, school
) -> None:
    teacher = school["teacher"]
    clock.now = datetime(2026, 11, 27, 19, 0, tzinfo=UTC)  # Friday evening
    teacher.say("/agreements")
    teacher.press("Remind unsigned families")
    assert "2 families will get a reminder" in teacher.text()
    assert "1 parent or carer hasn't linked" in teacher.text()
    assert deliveries(engine, clock, datetime(2026, 11, 28, 10, 0, tzinfo=UTC)) == []
    monday = deliveries(engine, clock, datetime(2026, 11, 30, 8, 30, tzinfo=UTC))
    assert sorted(m.recipient for m in monday) == ["telegram:100", "telegram:200"]
    assert monday[0].payload["buttons"][0][0]["action"] == "agreements_family.start"

    clock.now = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)  # Thursday: within the week
    teacher.say("/agreements")
    teacher.press("Remind unsigned families")
    assert "0 families will get a reminder" in teacher.text()
    assert "2 families were already reminded" in teacher.text()

    clock.now = datetime(2026, 12, 8, 10, 0, tzinfo=UTC)  # a week and more later
    teacher.say("/agreements")
    teacher.press("Remind unsigned families")
    assert "2 families will get a reminder" in teacher.text()


def test_reminder_button_opens_the_agreement(engine, clock, school) -> None:
    from assistant.events import Event

    opened = engine.handle(Event("telegram", "200", "200", action="agreements_family.start"))
    assert "Agreements for Mia Jones" in opened.replies[0].text or "Mia" in opened.replies[0].text


def test_export_has_a_row_per_pupil_and_agreement(engine, clock, school, tmp_path) -> None:
    noor = school["noor"]
    noor.say("/agreement")
    noor.press("Ava")
    noor.press(f"Read and sign: {load_templates()['learner-ks1'].title}")
    sign_through(noor, name="Noor A Khan")
    with Session(engine.db) as session:
        rows = agreement_rows(session, engine.schools["demo"], "1A")
    assert len(rows) == 3 * 3  # three pupils in 1A, three agreements each
    ava = [dict(zip(COLUMNS, r, strict=True)) for r in rows if r[0] == "Ava Khan"]
    signed = next(r for r in ava if r["status"] == "signed")
    assert signed == {"pupil": "Ava Khan", "class": "1A",
                      "agreement": load_templates()["learner-ks1"].title, "status": "signed",
                      "version": "1", "signer": "Noor A Khan", "parent_or_carer": "Noor Khan",
                      "signed_at": "2026-11-24 10:00"}
    assert sum(r["status"] == "not signed" for r in ava) == 2


def test_export_command_writes_csv_and_html(tmp_path) -> None:
    import os
    import subprocess

    from tests.support.cli import run_cli

    env = {**os.environ, "DATA_DIR": str(tmp_path)}
    roster = str(Path(__file__).parent / "data" / "roster-two-classes.csv")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return run_cli(*args, env=env)

    assert run("roster", "import", "--school", "demo", roster).returncode == 0
    out = tmp_path / "agreements.csv"
    done = run("export", "agreements", "--school", "demo", "--class", "3B", "--out", str(out))
    assert done.returncode == 0, done.stderr
    with out.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert {r["class"] for r in rows} == {"3B"} and rows[0]["status"] == "not signed"
    page = tmp_path / "agreements.html"
    assert run("export", "agreements", "--school", "demo", "--out", str(page)).returncode == 0
    assert "<table>" in page.read_text(encoding="utf-8")
    again = run("export", "agreements", "--school", "demo", "--out", str(page))
    assert again.returncode == 2 and "already exists" in again.stderr
    assert run("export", "agreements", "--school", "demo", "--class", "9Z",
               "--out", str(tmp_path / "x.csv")).returncode == 2
    with Session(make_engine(f"sqlite:///{tmp_path / 'assistant.sqlite3'}")) as session:
        assert session.exec(select(OutboxMessage)).all() == []  # an export sends nothing


def test_from_reminder_to_receipt_takes_nine_taps_and_one_typed_name(
    engine, clock, school
) -> None:
    tom = school["tom"]
    school["teacher"].say("/agreements")
    school["teacher"].press("Remind unsigned families")
    [reminder] = [m for m in deliveries(engine, clock, clock.now)
                  if m.recipient == "telegram:200"]
    button = reminder.payload["buttons"][0][0]
    from assistant.events import Event

    tom.taps, tom.messages = 1, 0
    tom.last = engine.handle(Event("telegram", "200", "200", action=button["action"],
                                   payload=button["payload"]))
    tom.press("Read and sign")
    sign_through(tom, name="Tom Jones")
    assert "Signed - thank you" in tom.text()
    # One child, KS1 learner agreement (4 short sections): the figure in the README.
    assert (tom.taps, tom.messages) == (9, 1)


def test_staff_agreement_list_names_the_agreements_not_their_file_ids(school) -> None:
    noor = school["noor"]
    noor.say("/agreement")
    noor.press("Ava")
    noor.press(f"Read and sign: {load_templates()['learner-ks1'].title}")
    sign_through(noor)
    school["teacher"].say("/agreements")
    text = school["teacher"].text()
    assert "learner-ks1" not in text and "remote-learning" not in text and " v1" not in text
    assert ("Ava Khan: learner agreement signed (version 1); remote learning not signed yet; "
            "parent/carer agreement not signed yet") in text

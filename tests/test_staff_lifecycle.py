"""A school can cut off a leaver or a suspended member of staff: their chat gets nothing more,
they see nothing more, and what was waiting for them reaches a colleague."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from assistant.events import Event
from assistant.models import Concern, OutboxMessage, Staff
from tests.family import Person, add_family, add_staff
from tests.support.cli import run_cli
from tests.support.outbox import deliver

SATURDAY = datetime(2026, 11, 28, 11, 0, tzinfo=UTC)
MONDAY_0830 = datetime(2026, 11, 30, 8, 30, tzinfo=UTC)


@pytest.fixture
def people(engine, clock) -> dict[str, Person]:
    codes = {
        "noor": add_family(engine.db, clock.now, parent="Noor Khan",
                           children=[("Ava", "3B", "3")]),
        "teacher": add_staff(engine.db, clock.now, name="Ms Teacher", role="teacher",
                             class_code="3B"),
        "dsl": add_staff(engine.db, clock.now, name="Mrs Safe", role="dsl"),
        "head": add_staff(engine.db, clock.now, name="Dr Head", role="head"),
    }
    users = {"noor": "100", "teacher": "900", "dsl": "902", "head": "903"}
    found = {}
    for name, user in users.items():
        found[name] = Person(engine, user)
        found[name].say(f"/start {codes[name]}")
    return found


def raise_concern(person: Person, text: str) -> None:
    person.say("/concern")
    person.press("Ava")
    person.press("Something else")
    person.say(text)
    person.press("Send")


def staff_id(engine, name: str) -> int:
    with Session(engine.db) as session:
        member = session.exec(select(Staff).where(Staff.name == name)).one()
        assert member.id is not None
        return member.id


def test_a_teacher_who_unlinks_gets_nothing_queued_and_a_colleague_gets_the_concern(
    engine, clock, people
) -> None:
    clock.now = SATURDAY
    raise_concern(people["noor"], "A question about Ava's reading book.")
    people["teacher"].say("/unlink")
    people["teacher"].press("Yes, unlink")
    sent = deliver(engine, clock, MONDAY_0830)
    assert "telegram:900" not in [m.recipient for m in sent]
    [passed] = [m for m in sent if m.recipient == "telegram:902"]
    assert "Ms Teacher can no longer receive it" in passed.payload["text"]
    assert "reading book" in passed.payload["text"]


def test_removing_the_dsl_cuts_them_off_and_sends_their_open_concerns_on(
    engine, clock, people
) -> None:
    people["noor"].say("my daughter says a man touched her")
    people["noor"].press("Tell the school now")
    deliver(engine, clock)
    reference = engine_concern(engine).reference
    result = run_cli("staff", "remove", "--school", "demo", "--staff-id",
                     str(staff_id(engine, "Mrs Safe")), env=cli_env(engine, clock))
    assert result.returncode == 0, result.stderr
    assert "1 open concern(s)" in result.stdout, result.stdout
    [to_head] = deliver(engine, clock, clock.now + timedelta(minutes=1))
    assert to_head.recipient == "telegram:903" and reference in to_head.payload["text"]
    ack = engine.handle(Event("telegram", "902", "902", action="concerns_staff.ack",
                              payload=reference))
    assert "isn't one you can see" in ack.replies[0].text or "only for school staff" in (
        ack.replies[0].text)
    people["dsl"].say("/concerns")
    assert reference not in people["dsl"].text()


def test_an_absent_dsl_sees_no_concerns(engine, clock, people) -> None:
    people["noor"].say("my daughter says a man touched her")
    people["noor"].press("Tell the school now")
    reference = engine_concern(engine).reference
    result = run_cli("staff", "absent", "--school", "demo", "--staff-id",
                     str(staff_id(engine, "Mrs Safe")), env=cli_env(engine, clock))
    assert result.returncode == 0, result.stderr
    people["dsl"].say("/concerns")
    assert reference not in people["dsl"].text()
    with Session(engine.db) as session:
        queued = [m.recipient for m in session.exec(select(OutboxMessage))
                  if m.status == "pending" and m.kind == "concern"]
    assert "telegram:902" not in queued and "telegram:903" in queued


def cli_env(engine, clock) -> dict[str, str]:
    """The admin's command line on this test's database, at this test's time."""
    return {"DATABASE_URL": str(engine.db.url), "ASSISTANT_CLOCK": clock.now.isoformat()}


def engine_concern(engine) -> Concern:
    with Session(engine.db) as session:
        return session.exec(select(Concern)).one()

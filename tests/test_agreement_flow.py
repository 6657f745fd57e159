"""Families sign the acceptable use agreements child by child; the school keeps the record."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlmodel import Session, select

from assistant.agreements.templates import load_templates
from assistant.events import Event
from assistant.models import AgreementRecord, OutboxMessage, Pupil
from tests.family import Person, add_family, add_staff


@pytest.fixture
def noor(engine, clock) -> Person:
    code = add_family(engine.db, clock.now, parent="Noor Khan",
                      children=[("Ava", "1A", "1"), ("Sam", "4C", "4")])
    person = Person(engine, "100")
    person.say(f"/start {code}")
    return person


def read_to_the_end(person: Person) -> None:
    """Reads every section of the open agreement and agrees, up to the typed name."""
    person.press("Start reading")
    while any(b.label == "Next" for b in person.buttons()):
        person.press("Next")
    person.press("agree")


def sign_through(person: Person, name: str = "Noor Khan") -> None:
    """Reads every section of the open agreement and signs it."""
    read_to_the_end(person)
    person.say(name)
    person.press("Sign")


def open_first_for_ava(person: Person) -> None:
    person.say("/agreement")
    person.press("Ava")
    person.press("Read and sign")


def records(engine) -> list[AgreementRecord]:
    with Session(engine.db) as session:
        return list(session.exec(select(AgreementRecord).order_by(AgreementRecord.id)))


def test_two_child_family_signs_ks1_for_one_and_ks2_for_the_other(engine, noor) -> None:
    noor.say("/agreement")
    assert "Which child" in noor.text()
    noor.press("Ava")
    assert "Agreements for Ava Khan (1A)" in noor.text()
    noor.press(f"Read and sign: {load_templates()['learner-ks1'].title}")
    assert "read it together with Ava" in noor.text()
    sign_through(noor)
    assert "Signed - thank you" in noor.text() and "Ava Khan (1A)" in noor.text()
    assert "version 1" in noor.text() and "Tuesday 24 November 2026 at 10:00" in noor.text()

    noor.say("/agreement")
    assert "Ava (1A): 1 of 3 signed" in [b.label for b in noor.buttons()]
    noor.press("Sam")
    ks2 = load_templates()["learner-ks2"]
    noor.press(f"Read and sign: {ks2.title}")
    sign_through(noor)

    signed = records(engine)
    assert [(r.template_id, r.typed_name, r.event) for r in signed] == [
        ("learner-ks1", "Noor Khan", "signed"), ("learner-ks2", "Noor Khan", "signed")]
    assert all(len(r.text_hash) == 64 and r.telegram_user_id == "100" for r in signed)


def test_typed_name_that_is_not_a_name_is_asked_for_again(engine, noor) -> None:
    open_first_for_ava(noor)
    read_to_the_end(noor)
    for bad, reason in (("   ", "full name"), ("123456", "letters"), ("😀😀", "letters"),
                        ("N" * 101, "100 characters")):
        noor.say(bad)
        assert reason in noor.text()
    noor.say("Noor Khan")
    assert "Please check before you sign" in noor.text()


def test_double_tap_on_sign_records_one_signature(engine, noor) -> None:
    open_first_for_ava(noor)
    read_to_the_end(noor)
    summary = noor.say("Noor Khan")
    noor.press("Sign", summary)
    second = noor.press("Sign", summary)
    assert "expired" in second.replies[0].text
    assert len(records(engine)) == 1


def test_child_the_user_is_not_linked_to_cannot_be_signed_for(engine, noor, clock) -> None:
    add_family(engine.db, clock.now, parent="Other Parent", children=[("Zed", "4C", "4")])
    with Session(engine.db) as session:
        zed = session.exec(select(Pupil).where(Pupil.forename == "Zed")).one()
    forged = noor.engine.handle(Event("telegram", "100", "100", action="agreements_family.open",
                                      payload=f"{zed.id}:learner-ks2"))
    assert "expired" in forged.replies[0].text
    assert records(engine) == []


def test_contact_without_parental_responsibility_cannot_sign(engine, clock) -> None:
    code = add_family(engine.db, clock.now, parent="Gran", children=[("Ava", "1A", "1")],
                      responsibility=False)
    gran = Person(engine, "300")
    gran.say(f"/start {code}")
    gran.say("/agreement")
    assert "parental responsibility" in gran.text() and not gran.buttons()


def test_leaving_half_way_resumes_days_later(engine, noor, clock) -> None:
    noor.say("/agreement")
    noor.press("Ava")
    noor.press("Read and sign")
    noor.press("Start reading")
    noor.press("Next")
    page = noor.text()
    clock.advance(days=3)
    noor.say("/agreement")
    assert "Welcome back" in noor.text()
    assert page in noor.text()
    noor.press("Next")
    assert "expired" not in noor.text()


def test_new_version_published_mid_way_restarts_cleanly(engine, noor, monkeypatch) -> None:
    noor.say("/agreement")
    noor.press("Ava")
    noor.press("Read and sign")
    noor.press("Start reading")
    templates = dict(load_templates())
    templates["learner-ks1"] = replace(templates["learner-ks1"], version=2)
    monkeypatch.setattr("flows.agreements.family.load_templates", lambda *a, **k: templates)
    noor.press("Next")
    assert "updated this agreement" in noor.text()
    sign_through(noor)
    assert records(engine)[0].version == 2


def test_new_version_asks_families_to_sign_again_and_keeps_the_old(engine, noor,
                                                                   monkeypatch) -> None:
    noor.say("/agreement")
    noor.press("Ava")
    noor.press("Read and sign")
    sign_through(noor)
    templates = dict(load_templates())
    templates["learner-ks1"] = replace(templates["learner-ks1"], version=2)
    monkeypatch.setattr("flows.agreements.family.load_templates", lambda *a, **k: templates)
    noor.say("/agreement")
    noor.press("Ava")
    assert "new version to sign" in noor.text()
    noor.press(f"Read and sign: {load_templates()['learner-ks1'].title}")
    sign_through(noor)
    assert [r.version for r in records(engine)] == [1, 2]


def test_withdrawing_is_recorded_and_tells_the_class_teacher(engine, noor, clock) -> None:
    teacher = Person(engine, "900")
    code = add_staff(engine.db, clock.now, name="Ms T", role="teacher", class_code="1A")
    teacher.say(f"/start {code}")
    noor.say("/agreement")
    noor.press("Ava")
    noor.press("Read and sign")
    sign_through(noor)
    noor.say("/agreement")
    noor.press("Ava")
    noor.press("Withdraw")
    noor.press("no longer agree")
    assert "withdrawal is recorded" in noor.text()
    assert [r.event for r in records(engine)] == ["signed", "withdrawn"]
    with Session(engine.db) as session:
        told = session.exec(select(OutboxMessage)).one()
    assert told.recipient == "telegram:900" and "withdrawn" in told.payload["text"]


def test_receipt_shows_the_year_it_was_signed(engine, noor) -> None:
    open_first_for_ava(noor)
    sign_through(noor)
    assert "When: Tuesday 24 November 2026 at 10:00" in noor.text()

"""Families and staff link with the school's one-time codes; nobody sees more than theirs."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from assistant.db import transaction
from assistant.engine import Engine
from assistant.events import Event
from assistant.models import (
    Guardian,
    GuardianPupil,
    LinkCode,
    Pupil,
    SchoolClass,
    Staff,
    StaffRole,
)
from assistant.people.identity import ALPHABET, hash_code, issue_code


def add_family(db: sa.Engine, school: str, klass: str, child: str, parent: str,
               now) -> str:
    """Puts a child and a parent on the roster and returns the parent's code."""
    with transaction(db) as session:
        room = session.exec(select(SchoolClass).where(SchoolClass.school_id == school,
                                                      SchoolClass.code == klass)).first()
        if room is None:
            room = SchoolClass(school_id=school, code=klass, year=klass[0])
            session.add(room)
            session.flush()
        pupil = Pupil(school_id=school, mis_id=f"P-{child}", forename=child, surname="Test",
                      year=klass[0], class_id=room.id)
        guardian = Guardian(school_id=school, mis_id=f"C-{parent}", name=parent)
        session.add_all([pupil, guardian])
        session.flush()
        assert pupil.id and guardian.id
        session.add(GuardianPupil(guardian_id=guardian.id, pupil_id=pupil.id,
                                  relationship="Parent", parental_responsibility=True))
        return issue_code(session=session, school_id=school, now=now, guardian_id=guardian.id)


def add_teacher(db: sa.Engine, school: str, klass: str, name: str, now) -> str:
    with transaction(db) as session:
        room = session.exec(select(SchoolClass).where(SchoolClass.school_id == school,
                                                      SchoolClass.code == klass)).one()
        member = Staff(school_id=school, name=name)
        session.add(member)
        session.flush()
        assert member.id
        session.add(StaffRole(staff_id=member.id, role="teacher", class_id=room.id))
        return issue_code(session=session, school_id=school, now=now, staff_id=member.id)


def say(engine: Engine, user: str, text: str):
    return engine.handle(Event("telegram", user, user, text=text))


@pytest.fixture
def codes(engine: Engine, clock) -> dict[str, str]:
    return {
        "ava": add_family(engine.db, "demo", "3B", "Ava", "Noor Khan", clock.now),
        "ben": add_family(engine.db, "demo", "4C", "Ben", "Sam Jones", clock.now),
        "teacher": add_teacher(engine.db, "demo", "3B", "Mx Teacher", clock.now),
    }


def test_parent_links_with_code_and_is_greeted_with_their_child(engine, codes) -> None:
    reply = say(engine, "100", f"/start {codes['ava']}").replies[0]
    assert "Noor Khan" in reply.text and "Ava Test (3B)" in reply.text
    assert reply.menu == "family"
    assert "Ben" not in reply.text


def test_code_typed_with_spaces_and_lower_case_still_works(engine, codes) -> None:
    code = codes["ava"].lower()
    reply = say(engine, "100", f"/start {code[:5]} {code[5:]}").replies[0]
    assert "Noor Khan" in reply.text


def test_code_works_only_once(engine, codes) -> None:
    say(engine, "100", f"/start {codes['ava']}")
    reply = say(engine, "200", f"/start {codes['ava']}").replies[0]
    assert "already been used" in reply.text


def test_code_expires(engine, codes, clock) -> None:
    clock.advance(days=31)
    assert "expired" in say(engine, "100", f"/start {codes['ava']}").replies[0].text


def test_five_wrong_codes_an_hour_then_even_the_right_one_waits(engine, codes, clock) -> None:
    for _ in range(5):
        assert "don't recognise" in say(engine, "100", "/start WRQNGCDE22").replies[0].text
    assert "too many" in say(engine, "100", f"/start {codes['ava']}").replies[0].text
    clock.advance(hours=1, minutes=1)
    assert "Noor Khan" in say(engine, "100", f"/start {codes['ava']}").replies[0].text


def test_codes_are_readable_random_and_stored_only_as_hashes(engine, codes) -> None:
    code = codes["ava"]
    assert len(code) >= 10 and set(code) <= set(ALPHABET)
    with Session(engine.db) as session:
        stored = session.exec(select(LinkCode)).all()
    assert all(code not in (row.code_hash or "") for row in stored)
    assert hash_code(code) in {row.code_hash for row in stored}


def test_start_without_a_code_explains_how_to_get_one(engine) -> None:
    reply = say(engine, "300", "/start").replies[0]
    assert "school office" in reply.text and "questions" in reply.text


def test_code_typed_after_start_links_too(engine, codes) -> None:
    say(engine, "100", "/start")
    assert "Noor Khan" in say(engine, "100", codes["ava"]).replies[0].text


def test_unlinked_user_can_read_the_faq_but_not_staff_tools(engine) -> None:
    assert "wear" in say(engine, "300", "what should my child wear on the video call"
                         ).replies[0].text.lower()
    assert "only for school staff" in say(engine, "300", "/families").replies[0].text
    assert "not linked" in say(engine, "300", "/mydata").replies[0].text


def test_parent_of_another_class_cannot_use_staff_tools(engine, codes) -> None:
    say(engine, "200", f"/start {codes['ben']}")
    assert "only for school staff" in say(engine, "200", "/families").replies[0].text
    assert "Ava" not in say(engine, "200", "/mydata").replies[0].text


def test_teacher_links_and_sees_only_their_class(engine, codes) -> None:
    welcome = say(engine, "900", f"/start {codes['teacher']}").replies[0]
    assert welcome.menu == "staff" and "class teacher of 3B" in welcome.text
    say(engine, "100", f"/start {codes['ava']}")
    families = say(engine, "900", "/families").replies[0].text
    assert "3B: 1 of 1 families linked." in families
    assert "4C" not in families and "Ben" not in families


def test_one_telegram_user_can_hold_codes_for_two_schools(engine, clock) -> None:
    first = add_family(engine.db, "demo", "3B", "Ava", "Noor Khan", clock.now)
    second = add_family(engine.db, "higham", "2H", "Zara", "Noor Khan", clock.now)
    say(engine, "100", f"/start {first}")
    reply = say(engine, "100", f"/start {second}").replies[0]
    assert "Demo Primary School" in reply.text and "Higham" in reply.text


def test_mydata_lists_what_is_kept_and_attaches_a_file(engine, codes) -> None:
    say(engine, "100", f"/start {codes['ava']}")
    reply = say(engine, "100", "/mydata").replies[0]
    assert "Noor Khan" in reply.text and reply.document is not None
    assert b"Ava Test" in reply.document[1]


def test_forget_erases_the_link_after_confirmation(engine, codes) -> None:
    say(engine, "100", f"/start {codes['ava']}")
    ask = say(engine, "100", "/forget")
    button = ask.replies[0].buttons[0][0]
    done = engine.handle(Event("telegram", "100", "100", action=button.action,
                               nonce=ask.nonce))
    assert "erased" in done.replies[0].text
    with Session(engine.db) as session:
        assert session.exec(select(Guardian).where(Guardian.name == "Noor Khan")
                            ).one().account_id is None
    assert "not linked" in say(engine, "100", "/mydata").replies[0].text


def test_unlink_can_be_cancelled(engine, codes) -> None:
    say(engine, "100", f"/start {codes['ava']}")
    ask = say(engine, "100", "/unlink")
    keep = ask.replies[0].buttons[0][1]
    engine.handle(Event("telegram", "100", "100", action=keep.action, nonce=ask.nonce))
    assert "Noor Khan" in say(engine, "100", "/mydata").replies[0].text


def test_reissued_code_replaces_the_old_one(engine, codes, clock) -> None:
    with transaction(engine.db) as session:
        guardian = session.exec(select(Guardian).where(Guardian.name == "Noor Khan")).one()
        new = issue_code(session=session, school_id="demo", now=clock.now + timedelta(minutes=1),
                         guardian_id=guardian.id)
    assert "replaced" in say(engine, "100", f"/start {codes['ava']}").replies[0].text
    assert "Noor Khan" in say(engine, "100", f"/start {new}").replies[0].text


def test_questions_after_a_bare_start_are_answered_and_never_lock_out_the_code(
    engine, codes
) -> None:
    from assistant.models import LinkAttempt

    say(engine, "100", "/start")
    for _ in range(6):
        reply = say(engine, "100", "can my child use the chat in a live lesson?").replies[0]
        assert "chat" in reply.text.lower() and "recognise" not in reply.text
    with Session(engine.db) as session:
        assert session.exec(select(LinkAttempt)).all() == []
    assert "Noor Khan" in say(engine, "100", codes["ava"]).replies[0].text


def test_words_after_start_that_are_not_a_code_do_not_count_as_wrong_codes(engine,
                                                                          codes) -> None:
    for _ in range(6):
        reply = say(engine, "100", "/start hello there").replies[0]
        assert "doesn't look like a code" in reply.text
    assert "Noor Khan" in say(engine, "100", f"/start {codes['ava']}").replies[0].text


def test_code_typed_without_start_links_the_family(engine, codes) -> None:
    code = codes["ava"]
    grouped = f"{code[:4]}-{code[4:8]}-{code[8:]}"
    reply = say(engine, "100", grouped).replies[0]
    assert "Noor Khan" in reply.text and "Ava Test (3B)" in reply.text


def test_code_typed_in_the_middle_of_a_question_flow_links_and_keeps_the_flow(
    engine, codes
) -> None:
    say(engine, "900", f"/start {codes['teacher']}")
    say(engine, "900", "/newsession")
    say(engine, "900", "ignored words")
    reply = say(engine, "900", codes["ben"])
    text = "\n".join(r.text for r in reply.replies)
    assert "Sam Jones" in text and "send /newsession to carry on" in text


def test_mydata_shows_signatures_concerns_and_the_schools_name(engine, codes, clock) -> None:
    import json

    from tests.family import Person

    noor = Person(engine, "100")
    noor.say(f"/start {codes['ava']}")
    noor.say("/agreement")
    noor.press("Read and sign")
    noor.press("Start reading")
    while any(b.label == "Next" for b in noor.buttons()):
        noor.press("Next")
    noor.press("agree")
    noor.say("Noor Khan")
    noor.press("Sign")
    noor.say("/concern")
    noor.press("Ava")
    noor.press("Something else")
    noor.say("Please call me about Ava.")
    noor.press("Send")
    with Session(engine.db) as session:
        from assistant.models import Concern

        reference = session.exec(select(Concern)).one().reference
    reply = noor.say("/mydata").replies[0]
    assert "Demo Primary School's records" in reply.text and "demo's" not in reply.text
    assert "My online safety agreement (version 1), signed on Tuesday 24 November 2026" in (
        reply.text)
    assert f"{reference}, sent Tuesday 24 November 2026 at 10:00: waiting to be read" in (
        reply.text)
    assert reply.document is not None
    record = json.loads(reply.document[1])
    assert [s["agreement"] for s in record["agreements"]] == ["learner-ks2"]
    assert record["agreements"][0]["typed_name"] == "Noor Khan"
    assert record["concerns"][0]["reference"] == reference
    assert record["concerns"][0]["text"] == "Please call me about Ava."


def test_forget_detaches_exactly_what_mydata_listed(engine, codes) -> None:
    from assistant.models import AgreementRecord, Concern
    from tests.family import Person

    noor = Person(engine, "100")
    noor.say(f"/start {codes['ava']}")
    noor.say("/concern")
    noor.press("Ava")
    noor.press("Something else")
    noor.say("Please call me about Ava.")
    noor.press("Send")
    noor.say("/forget")
    noor.press("Yes, erase")
    with Session(engine.db) as session:
        assert session.exec(select(Concern)).one().sender_account_id is None
        assert all(r.telegram_user_id is None for r in session.exec(select(AgreementRecord)))

"""Ask the school: a family's question reaches staff, and their answer comes back in the chat."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from assistant.events import Event
from assistant.models import FaqCandidate, QuestionEvent, SchoolQuestion, UnansweredQuestion
from assistant.outbox import Claimed
from tests.family import Person, add_family, add_staff
from tests.support.cli import run_cli
from tests.support.outbox import deliver

SATURDAY = datetime(2026, 11, 28, 11, 0, tzinfo=UTC)
MONDAY_0830 = datetime(2026, 11, 30, 8, 30, tzinfo=UTC)
NOT_IN_FAQ = "how much is dinner money this term"


@pytest.fixture
def people(engine, clock) -> dict[str, Person]:
    codes = {
        "noor": add_family(engine.db, clock.now, parent="Noor Khan",
                           children=[("Ava", "3B", "3")]),
        "tom": add_family(engine.db, clock.now, parent="Tom Jones", children=[("Mia", "4C", "4")]),
        "teacher": add_staff(engine.db, clock.now, name="Ms Teacher", role="teacher",
                             class_code="3B"),
        "other_teacher": add_staff(engine.db, clock.now, name="Mr Other", role="teacher",
                                   class_code="4C"),
        "office": add_staff(engine.db, clock.now, name="Mrs Office", role="office"),
        "head": add_staff(engine.db, clock.now, name="Dr Head", role="head"),
        "dsl": add_staff(engine.db, clock.now, name="Mrs Safe", role="dsl"),
    }
    users = {"noor": "100", "tom": "200", "teacher": "900", "other_teacher": "901",
             "office": "904", "head": "903", "dsl": "902"}
    found = {}
    for name, user in users.items():
        found[name] = Person(engine, user)
        found[name].say(f"/start {codes[name]}")
    return found


def ask(person: Person, question: str = NOT_IN_FAQ, about: str = "Ava") -> str:
    person.say(question)
    if not any("ask the school" in b.label.lower() for b in person.buttons()):
        person.press("didn't help")
    person.press("ask the school")
    if about:
        person.press(about)
    return person.text()


def tap(engine, user: str, button: dict[str, str]):
    return engine.handle(Event("telegram", user, user, action=button["action"],
                               payload=button["payload"]))


def button(message: Claimed, label: str) -> dict[str, str]:
    return next(b for row in message.payload["buttons"] for b in row if b["label"] == label)


def stored(engine) -> SchoolQuestion:
    with Session(engine.db) as session:
        return session.exec(select(SchoolQuestion)).one()


def test_question_about_a_child_reaches_the_class_teacher_who_replies_in_the_chat(
    engine, clock, people
) -> None:
    told = ask(people["noor"])
    ref = stored(engine).reference
    assert f"class teacher at Demo Primary School (reference {ref})" in told
    assert "open now" in told and "answer will come to you here" in told
    [message] = deliver(engine, clock)
    assert message.recipient == "telegram:900"
    assert NOT_IN_FAQ in message.payload["text"] and "Ava Khan (3B)" in message.payload["text"]
    assert "Written in: en" in message.payload["text"]

    prompt = tap(engine, "900", button(message, "Reply"))
    assert "Type your answer to " + ref in prompt.replies[0].text
    people["teacher"].last = prompt
    people["teacher"].say("It's £2.50 a day; you can pay on ParentPay.")
    assert f"Sent to the family with reference {ref}" in people["teacher"].text()

    [answer] = deliver(engine, clock)
    assert answer.recipient == "telegram:100"
    assert ref in answer.payload["text"] and "£2.50 a day" in answer.payload["text"]
    assert NOT_IN_FAQ in answer.payload["text"]
    assert stored(engine).status == "answered"


def test_weekend_question_reaches_nobody_until_monday_and_the_parent_is_told_when(
    engine, clock, people
) -> None:
    clock.now = SATURDAY
    told = ask(people["noor"])
    assert "closed now" in told and "Monday 30 November at 08:30" in told
    assert deliver(engine, clock, datetime(2026, 11, 29, 20, 0, tzinfo=UTC)) == []
    [message] = deliver(engine, clock, MONDAY_0830)
    assert message.recipient == "telegram:900"


def test_question_not_about_a_child_goes_to_the_office(engine, clock, people) -> None:
    told = ask(people["noor"], about="Not about a particular child")
    assert "school office" in told
    [message] = deliver(engine, clock)
    assert message.recipient == "telegram:904"


def test_teacher_of_another_class_and_another_parent_cannot_see_or_answer_it(
    engine, clock, people
) -> None:
    ask(people["noor"], "a private question about ava's reading book")
    ref = stored(engine).reference
    for user in ("901", "200", "902"):
        for action in ("questions_staff.reply", "questions_staff.show", "questions_staff.pass",
                       "questions_staff.elsewhere"):
            reply = engine.handle(Event("telegram", user, user, action=action, payload=ref))
            text = reply.replies[0].text
            assert "reading book" not in text
            assert "isn't one you can see" in text or "only for school staff" in text
    people["other_teacher"].say("/questions")
    assert "no open questions" in people["other_teacher"].text()
    for who in ("teacher", "office", "head"):
        people[who].say("/questions")
        assert ref in people[who].text(), who
    assert stored(engine).status == "open"


def test_forged_or_stale_reply_button_is_refused(engine, clock, people) -> None:
    ask(people["noor"])
    [message] = deliver(engine, clock)
    forged = engine.handle(Event("telegram", "900", "900", action="questions_staff.reply",
                                 payload="ZZZZZZZZ"))
    assert "isn't one you can see" in forged.replies[0].text
    people["teacher"].last = tap(engine, "900", button(message, "Reply"))
    people["teacher"].say("Yes, £2.50.")
    again = tap(engine, "900", button(message, "Reply"))
    assert "already been answered by Ms Teacher" in again.replies[0].text
    assert len([m for m in deliver(engine, clock) if m.recipient == "telegram:100"]) == 1


def test_unanswered_question_is_reminded_once_then_passed_to_the_office(
    engine, clock, people
) -> None:
    clock.now = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    ask(people["noor"])
    deliver(engine, clock)
    assert deliver(engine, clock, datetime(2026, 11, 24, 13, 59, tzinfo=UTC)) == []
    [reminder] = deliver(engine, clock, datetime(2026, 11, 24, 14, 0, tzinfo=UTC))
    assert reminder.recipient == "telegram:900" and "Reminder" in reminder.payload["text"]
    assert deliver(engine, clock, datetime(2026, 11, 24, 15, 0, tzinfo=UTC)) == []
    # Four more school hours: 14:00-16:00 on Tuesday, 08:30-10:30 on Wednesday.
    assert deliver(engine, clock, datetime(2026, 11, 25, 10, 29, tzinfo=UTC)) == []
    [passed] = deliver(engine, clock, datetime(2026, 11, 25, 10, 30, tzinfo=UTC))
    assert passed.recipient == "telegram:904" and "passed to you" in passed.payload["text"]
    assert deliver(engine, clock, datetime(2026, 11, 27, 10, 0, tzinfo=UTC)) == []
    with Session(engine.db) as session:
        steps = [e.event for e in session.exec(select(QuestionEvent).order_by(QuestionEvent.id))]
    assert steps == ["created", "routed", "reminded", "passed"]


def test_teacher_passes_to_the_office_who_can_then_answer(engine, clock, people) -> None:
    ask(people["noor"])
    [message] = deliver(engine, clock)
    assert "Passed to Mrs Office" in tap(engine, "900", button(message, "Pass to office")
                                         ).replies[0].text
    [passed] = deliver(engine, clock)
    assert passed.recipient == "telegram:904" and "Passed to you by Ms Teacher" in (
        passed.payload["text"])
    done = tap(engine, "904", button(passed, "Answered elsewhere"))
    assert "answered elsewhere" in done.replies[0].text
    [told] = deliver(engine, clock)
    assert told.recipient == "telegram:100" and "outside this chat" in told.payload["text"]


UNSURE = "does the school stop kids getting on tiktok at lunch"  # "did you mean" today


def reply_with_first_faq_suggestion(engine, clock, people) -> str:
    """The class teacher replies to UNSURE with the first FAQ answer offered; returns its id."""
    ask(people["noor"], UNSURE)
    [message] = deliver(engine, clock)
    teacher = people["teacher"]
    teacher.last = tap(engine, "900", button(message, "Reply"))
    offered = [b for b in teacher.buttons() if b.label.startswith("FAQ:")]
    assert offered
    teacher.press(offered[0].label)
    return offered[0].payload


def test_reply_with_an_faq_entry_sends_it_too_and_keeps_a_candidate(
    engine, clock, people
) -> None:
    entry = reply_with_first_faq_suggestion(engine, clock, people)
    people["teacher"].press("Send the FAQ answer alone")
    [head, answer] = deliver(engine, clock)
    assert head.recipient == answer.recipient == "telegram:100"
    assert stored(engine).reference in head.payload["text"]
    assert len(answer.payload["text"]) > 100  # the entry's answer, as the family reads it
    with Session(engine.db) as session:
        [candidate] = session.exec(select(FaqCandidate)).all()
    assert candidate.entry_id == entry and not candidate.accepted
    assert "tiktok" in candidate.text


def test_accepted_candidate_answers_that_school_only(engine, clock, people) -> None:
    before = people["tom"].say(UNSURE).replies[0].text
    assert "Did you mean" in before
    entry = reply_with_first_faq_suggestion(engine, clock, people)
    people["teacher"].say("Yes: school devices block TikTok.")

    url = str(engine.db.url)
    listed = run_cli("faq", "candidates", "--school", "demo", env={"DATABASE_URL": url})
    assert listed.returncode == 0 and entry in listed.stdout and "tiktok" in listed.stdout
    with Session(engine.db) as session:
        cid = session.exec(select(FaqCandidate)).one().id
    accepted = run_cli("faq", "candidates", "--school", "demo", "--accept", str(cid),
                       env={"DATABASE_URL": url})
    assert accepted.returncode == 0, accepted.stderr

    for typed in (UNSURE, "Does the school stop kids getting on TikTok at lunch?"):
        answer = people["tom"].say(typed).replies[0]
        assert "Did you mean" not in answer.text and "This didn't help" in [
            b.label for row in answer.buttons for b in row]
    # Another school of the same install doesn't get this school's wording.
    other = Person(engine, "777")
    add_other = add_family(engine.db, clock.now, parent="Ola Nowak", children=[("Zoe", "1A", "1")],
                           school="stoke-bishop")
    other.say(f"/start {add_other}")
    assert "Did you mean" in other.say(UNSURE).replies[0].text


def test_unknown_candidate_id_exits_non_zero_with_one_line(engine) -> None:
    result = run_cli("faq", "candidates", "--school", "demo", "--accept", "999",
                     env={"DATABASE_URL": str(engine.db.url)})
    assert result.returncode != 0 and "999" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_family_sees_its_questions_in_mydata(engine, clock, people) -> None:
    ask(people["noor"])
    ref = stored(engine).reference
    people["noor"].say("/mydata")
    assert ref in people["noor"].text()


def test_export_questions_writes_who_answered_and_when(engine, clock, people, tmp_path) -> None:
    ask(people["noor"])
    [message] = deliver(engine, clock)
    people["teacher"].last = tap(engine, "900", button(message, "Reply"))
    people["teacher"].say("£2.50 a day.")
    out = tmp_path / "questions.csv"
    result = run_cli("export", "questions", "--school", "demo", "--out", str(out),
                     env={"DATABASE_URL": str(engine.db.url)})
    assert result.returncode == 0, result.stderr
    text = out.read_text()
    assert "reference" in text.splitlines()[0] and stored(engine).reference in text
    assert "Ms Teacher" in text and NOT_IN_FAQ in text


def test_unlinked_visitor_is_not_promised_a_reply(engine) -> None:
    visitor = Person(engine, "555")
    visitor.say(NOT_IN_FAQ)
    assert "Once you have linked" in visitor.text()
    assert not visitor.buttons()
    with Session(engine.db) as session:
        assert session.exec(select(SchoolQuestion)).all() == []
        assert session.exec(select(UnansweredQuestion)).all()


def test_question_that_suggests_danger_never_goes_to_the_teacher(engine, clock, people) -> None:
    reply = people["noor"].say("my daughter has been missing since this morning")
    assert "999" in reply.replies[0].text
    assert not any("ask the school" in b.label.lower() for b in people["noor"].buttons())
    with Session(engine.db) as session:
        assert session.exec(select(SchoolQuestion)).all() == []

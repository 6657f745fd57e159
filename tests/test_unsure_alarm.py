"""When the danger check is unsure of a message, the help still comes first; the person who
wrote it can then have it answered as the question it was."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from assistant.events import Event
from assistant.faq.content import render
from assistant.models import Concern
from tests.family import Person, add_family, add_staff
from tests.support.outbox import deliver

# A question about phones that tells of bruises and their innocent cause: the classifier raises
# the alarm on it (no phrase does), and the FAQ answers it once asked.
UNSURE = ("my son fell off his bike and has bruises all over his arms and legs, can he still "
          "bring his phone to school?")
ANSWERED_BY = "mobile-phones"
ANSWER = "Answer it as a question"


@pytest.fixture
def people(engine, clock) -> dict[str, Person]:
    codes = {
        "noor": add_family(engine.db, clock.now, parent="Noor Khan",
                           children=[("Ava", "3B", "3")]),
        "tom": add_family(engine.db, clock.now, parent="Tom Jones", children=[("Mia", "3B", "3")]),
        "dsl": add_staff(engine.db, clock.now, name="Mrs Safe", role="dsl"),
    }
    users = {"noor": "100", "tom": "200", "dsl": "902"}
    found = {}
    for name, user in users.items():
        found[name] = Person(engine, user)
        found[name].say(f"/start {codes[name]}")
    return found


def faq_answer(engine) -> str:
    """The demo school's answer to the question, as the FAQ gives it."""
    [entry] = [e for e in engine.services.matcher("en").entries if e.id == ANSWERED_BY]
    return render(entry, engine.schools["demo"], "en")


def labels(reply) -> list[str]:  # type: ignore[no-untyped-def]
    return [b.label for row in reply.buttons for b in row]


def test_the_check_is_unsure_of_this_question_and_no_phrase_raised_it(engine) -> None:
    found = engine.safety.check.check(UNSURE)
    assert found is not None and not found.matched and not found.firm
    firm = engine.safety.check.check("my husband hits my son")
    assert firm is not None and firm.firm


def test_an_unsure_alarm_gets_the_help_first_and_the_answer_once_the_parent_asks(
    engine, clock, people
) -> None:
    noor = people["noor"]
    reply = noor.say(UNSURE)
    first, offer, last = reply.replies
    assert "999" in first.text and "0800 1111" in first.text and "0808 800 5000" in first.text
    assert any("Tell the school now" in label for label in labels(offer))
    assert labels(last) == [ANSWER]
    assert faq_answer(engine) not in noor.text(), "no answer before the parent asks for one"

    answered = noor.press(ANSWER)
    assert answered.replies[0].text == faq_answer(engine)
    assert "999" not in noor.text(), "the help is not given twice"
    # Nothing went to the school: the parent said it was a question.
    assert "telegram:902" not in [m.recipient for m in deliver(engine, clock)]
    with Session(engine.db) as session:
        assert session.exec(select(Concern)).first() is None


def test_the_urgent_button_still_works_after_the_question_was_answered(
    engine, clock, people
) -> None:
    noor = people["noor"]
    reply = noor.say(UNSURE)
    noor.press(ANSWER, reply)
    noor.press("Tell the school now", reply)
    assert "reference" in noor.text()
    with Session(engine.db) as session:
        concern = session.exec(select(Concern)).one()
    assert concern.urgent and concern.text == UNSURE
    assert "telegram:902" in [m.recipient for m in deliver(engine, clock)]


def test_a_report_in_words_said_only_in_earnest_gets_no_answer_button(people) -> None:
    reply = people["noor"].say("my husband hits my son")
    assert len(reply.replies) == 2
    assert ANSWER not in [label for r in reply.replies for label in labels(r)]


def test_the_answer_button_answers_nobody_but_the_message_s_own_sender(engine, people) -> None:
    reply = people["noor"].say(UNSURE)
    [button] = [b for row in reply.replies[-1].buttons for b in row]
    tom = people["tom"]
    assert tom.last is not None
    taken = engine.handle(Event("telegram", "200", "200", action=button.action,
                                payload=button.payload, nonce=tom.last.nonce))
    assert faq_answer(engine) not in "\n".join(r.text for r in taken.replies)
    assert "expired" in taken.replies[0].text


def test_someone_not_linked_to_a_school_gets_the_answer_too(engine) -> None:
    stranger = Person(engine, "555")
    reply = stranger.say(UNSURE)
    assert "999" in reply.replies[0].text
    assert "isn't linked" in reply.replies[1].text
    stranger.press(ANSWER)
    assert stranger.last is not None and stranger.last.replies[0].text == faq_answer(engine)


def test_pressed_in_the_middle_of_the_agreement_it_answers_and_the_agreement_waits(
    engine, people
) -> None:
    noor = people["noor"]
    noor.say("/agreement")
    noor.press("Read and sign")
    noor.say(UNSURE)
    noor.press(ANSWER)
    assert noor.last is not None and noor.last.replies[0].text == faq_answer(engine)
    assert "send /agreement to carry on" in noor.text()
    noor.say("/agreement")
    assert "Welcome back" in noor.text()

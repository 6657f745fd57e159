"""One person working at two schools of a trust acts on each school's concerns and questions
from the same chat."""

from __future__ import annotations

from sqlmodel import Session, select

from assistant.events import Event
from assistant.models import Concern
from tests.family import Person, add_family, add_staff
from tests.support.outbox import deliver


def test_a_dsl_at_two_schools_acknowledges_the_second_schools_concern(engine, clock) -> None:
    dsl = Person(engine, "950")
    dsl.say("/start " + add_staff(engine.db, clock.now, name="Mrs Trust", role="dsl"))
    dsl.say("/start " + add_staff(engine.db, clock.now, name="Mrs Trust", role="dsl",
                                  school="stoke-bishop"))
    parent = Person(engine, "150")
    parent.say("/start " + add_family(engine.db, clock.now, parent="Ola Nowak",
                                      children=[("Zoe", "1A", "1")], school="stoke-bishop"))
    parent.say("my daughter says a man touched her")
    parent.press("Tell the school now")
    with Session(engine.db) as session:
        concern = session.exec(select(Concern)).one()
    assert concern.school_id == "stoke-bishop"
    [alert] = [m for m in deliver(engine, clock) if m.recipient == "telegram:950"]
    ack = next(b for row in alert.payload["buttons"] for b in row if b["label"] == "Acknowledge")
    reply = engine.handle(Event("telegram", "950", "950", action=ack["action"],
                                payload=ack["payload"]))
    assert reply.replies[0].text.startswith("Acknowledged")
    dsl.say("/concerns")
    assert concern.reference in dsl.text() and "Stoke Bishop" in dsl.text()


def test_a_parent_with_children_at_two_schools_gets_each_schools_answer(engine, clock) -> None:
    parent = Person(engine, "160")
    parent.say("/start " + add_family(engine.db, clock.now, parent="Sara Ali",
                                      children=[("Omar", "2A", "2")]))
    parent.say("/start " + add_family(engine.db, clock.now, parent="Sara Ali",
                                      children=[("Lina", "4B", "4")], school="stoke-bishop"))
    parent.say("what app do you use for homework and remote learning")
    text = parent.text()
    # Each school's own platform, under its name, in one answer.
    assert "Demo Primary School\n" in text and "Google Classroom" in text
    assert "Stoke Bishop Church of England Primary School\n" in text and "Seesaw" in text


def test_a_parent_at_one_school_gets_that_schools_answer_alone(engine, clock) -> None:
    parent = Person(engine, "161")
    parent.say("/start " + add_family(engine.db, clock.now, parent="Sara Ali",
                                      children=[("Omar", "2A", "2")]))
    parent.say("what app do you use for homework and remote learning")
    assert "Google Classroom" in parent.text() and "Seesaw" not in parent.text()
    assert not parent.text().startswith("Demo Primary School\n")


def test_a_parent_with_children_at_three_schools_gets_all_three_answers(engine, clock) -> None:
    parent = Person(engine, "162")
    for child, school in (("Omar", "demo"), ("Lina", "stoke-bishop"), ("Adam", "ellwood")):
        parent.say("/start " + add_family(engine.db, clock.now, parent="Sara Ali",
                                          children=[(child, "2A", "2")], school=school))
    parent.say("what app do you use for homework and remote learning")
    text = parent.text()
    # The middle school (neither first nor last by name) is not left out.
    for name, platform in (("Demo Primary School", "Google Classroom"),
                           ("Stoke Bishop Church of England Primary School", "Seesaw"),
                           ("Ellwood Community Primary School", "Calibrae")):
        assert f"{name}\n" in text and platform in text

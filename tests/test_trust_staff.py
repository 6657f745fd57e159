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

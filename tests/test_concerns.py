"""Concerns reach the right member of staff inside contact hours; danger never waits."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from assistant.events import Event
from assistant.models import Concern, ConcernEvent, OutboxMessage
from assistant.outbox import Claimed
from tests.family import Person, add_family, add_staff
from tests.support.outbox import deliver

SATURDAY = datetime(2026, 11, 28, 11, 0, tzinfo=UTC)
MONDAY_0830 = datetime(2026, 11, 30, 8, 30, tzinfo=UTC)


@pytest.fixture
def people(engine, clock) -> dict[str, Person]:
    codes = {
        "noor": add_family(engine.db, clock.now, parent="Noor Khan",
                           children=[("Ava", "3B", "3")]),
        "tom": add_family(engine.db, clock.now, parent="Tom Jones", children=[("Mia", "3B", "3")]),
        "teacher": add_staff(engine.db, clock.now, name="Ms Teacher", role="teacher",
                             class_code="3B"),
        "other_teacher": add_staff(engine.db, clock.now, name="Mr Other", role="teacher",
                                   class_code="4C"),
        "dsl": add_staff(engine.db, clock.now, name="Mrs Safe", role="dsl"),
        "head": add_staff(engine.db, clock.now, name="Dr Head", role="head"),
    }
    users = {"noor": "100", "tom": "200", "teacher": "900", "other_teacher": "901",
             "dsl": "902", "head": "903"}
    found = {}
    for name, user in users.items():
        found[name] = Person(engine, user)
        found[name].say(f"/start {codes[name]}")
    return found


def raise_concern(person: Person, category: str, text: str, child: str = "Ava") -> str:
    person.say("/concern")
    person.press(child)
    person.press(category)
    person.say(text)
    person.press("Send")
    return person.text()


def concern(engine) -> Concern:
    with Session(engine.db) as session:
        return session.exec(select(Concern)).one()


def events(engine) -> list[tuple[str, str]]:
    with Session(engine.db) as session:
        return [(e.event, e.actor) for e in session.exec(select(ConcernEvent)
                                                          .order_by(ConcernEvent.id))]


def test_parents_saturday_concern_reaches_the_class_teacher_on_monday_at_0830(
    engine, clock, people
) -> None:
    clock.now = SATURDAY
    reply = raise_concern(people["noor"], "live lesson", "The link didn't work for Ava.")
    assert "reference is" in reply and "Monday 30 November at 08:30" in reply
    assert deliver(engine, clock, datetime(2026, 11, 29, 20, 0, tzinfo=UTC)) == []
    [message] = deliver(engine, clock, MONDAY_0830)
    assert message.recipient == "telegram:900"
    assert "Ava Khan (3B)" in message.payload["text"]
    assert "The link didn't work" in message.payload["text"]
    assert ("delivered", "system") in events(engine)


def test_concern_before_a_bank_holiday_waits_for_tuesday(engine, clock, people) -> None:
    clock.now = datetime(2026, 5, 23, 10, 0, tzinfo=UTC)  # Saturday before the spring holiday
    reply = raise_concern(people["noor"], "live lesson", "Question about the lesson.")
    assert "Tuesday 26 May at 08:30" in reply


def test_bullying_report_goes_to_the_dsl(engine, clock, people) -> None:
    raise_concern(people["noor"], "bullying", "Girls in her class are sending mean messages.")
    [message] = deliver(engine, clock)
    assert message.recipient == "telegram:902"


def test_concern_about_a_member_of_staff_goes_to_the_headteacher(engine, clock, people) -> None:
    raise_concern(people["noor"], "member of staff", "I'm unhappy with how a lesson was run.")
    [message] = deliver(engine, clock)
    assert message.recipient == "telegram:903"


def test_urgent_message_at_2300_gets_999_childline_and_ceop_at_once(
    engine, clock, people
) -> None:
    clock.now = datetime(2026, 11, 24, 23, 0, tzinfo=UTC)
    noor = people["noor"]
    noor.say("/concern")
    noor.press("Ava")
    noor.press("Someone they don't know")
    response = noor.say("a man online asked her to send photos of her body and meet him")
    first = response.replies[0].text
    assert "999" in first and "0800 1111" in first and "ceop.police.uk" in first
    noor.press("Send")
    assert "goes first in the queue" in noor.text()
    assert concern(engine).urgent
    [message] = deliver(engine, clock, datetime(2026, 11, 25, 8, 30, tzinfo=UTC))
    assert message.recipient == "telegram:902" and "URGENT" in message.payload["text"]


def test_dsl_is_alerted_out_of_hours_when_the_school_asks(engine, clock, people,
                                                          monkeypatch) -> None:
    from dataclasses import replace

    engine.schools["demo"] = replace(engine.schools["demo"], alert_dsl_out_of_hours=True)
    try:
        clock.now = datetime(2026, 11, 24, 23, 0, tzinfo=UTC)
        raise_concern(people["noor"], "something else", "He said he wants to kill himself.")
        [message] = deliver(engine, clock)
        assert message.recipient == "telegram:902"
    finally:
        engine.schools["demo"] = replace(engine.schools["demo"], alert_dsl_out_of_hours=False)


def test_danger_words_in_an_ordinary_question_get_help_then_one_tap_reaches_the_dsl(
    engine, clock, people
) -> None:
    reply = people["tom"].say("my daughter says a man touched her, what do I do")
    help_text = reply.replies[0].text
    assert "999" in help_text and "0800 1111" in help_text and "ceop" in help_text.lower()
    assert "0808 800 5000" in help_text
    assert len(reply.replies) == 2, "nothing but the help and the offer follows"
    people["tom"].press("Tell the school now")
    assert "reference" in people["tom"].text()
    with Session(engine.db) as session:
        concern = session.exec(select(Concern)).one()
    assert concern.urgent and concern.text.startswith("my daughter says a man touched her")
    assert "telegram:902" in [m.recipient for m in deliver(engine, clock)]
    again = people["tom"].press("Tell the school now", reply)
    assert "already been sent" in again.replies[0].text


def test_unacknowledged_concern_escalates_to_the_dsl_after_four_school_hours(
    engine, clock, people
) -> None:
    clock.now = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    raise_concern(people["noor"], "something else", "A question for the teacher.")
    deliver(engine, clock)
    assert deliver(engine, clock, datetime(2026, 11, 24, 13, 59, tzinfo=UTC)) == []
    [escalated] = deliver(engine, clock, datetime(2026, 11, 24, 14, 0, tzinfo=UTC))
    assert escalated.recipient == "telegram:902" and "Escalated" in escalated.payload["text"]
    assert deliver(engine, clock, datetime(2026, 11, 24, 15, 0, tzinfo=UTC)) == []


def test_acknowledging_tells_the_sender_and_stops_escalation(engine, clock, people) -> None:
    raise_concern(people["noor"], "something else", "A question for the teacher.")
    [message] = deliver(engine, clock)
    teacher = people["teacher"]
    teacher.last = None
    ack = message.payload["buttons"][0][0]
    reply = engine.handle(Event("telegram", "900", "900", action=ack["action"],
                                payload=ack["payload"]))
    assert "Acknowledged" in reply.replies[0].text
    again = engine.handle(Event("telegram", "900", "900", action=ack["action"],
                                payload=ack["payload"]))
    assert "Already acknowledged by Ms Teacher" in again.replies[0].text
    [told] = deliver(engine, clock)
    assert told.recipient == "telegram:100" and "has read your message" in told.payload["text"]
    assert deliver(engine, clock, datetime(2026, 11, 25, 15, 0, tzinfo=UTC)) == []
    assert [e for e, _ in events(engine)].count("acknowledged") == 1


def test_another_parent_and_another_teacher_are_refused(engine, clock, people) -> None:
    raise_concern(people["noor"], "something else", "Private worry about Ava.")
    reference = concern(engine).reference
    for user in ("200", "901"):
        for action in ("concerns_staff.ack", "concerns_staff.show", "concerns_staff.resolve"):
            reply = engine.handle(Event("telegram", user, user, action=action,
                                        payload=reference))
            text = reply.replies[0].text
            assert "Private worry" not in text
            assert "isn't one you can see" in text or "only for school staff" in text
    people["other_teacher"].say("/concerns")
    assert "no open concerns" in people["other_teacher"].text()
    people["dsl"].say("/concerns")
    assert reference in people["dsl"].text()


def test_teacher_resolves_with_an_outcome(engine, clock, people) -> None:
    raise_concern(people["noor"], "something else", "A question for the teacher.")
    teacher = people["teacher"]
    teacher.say("/concerns")
    teacher.press("Open")
    teacher.press("Resolve")
    teacher.say("Spoke to Mrs Khan on the phone; sorted.")
    assert "Resolved and recorded" in teacher.text()
    assert concern(engine).status == "resolved"
    assert events(engine)[-1] == ("resolved", f"staff:{_staff_id(engine, 'Ms Teacher')}")


def _staff_id(engine, name: str) -> int:
    from assistant.models import Staff

    with Session(engine.db) as session:
        member = session.exec(select(Staff).where(Staff.name == name)).one()
        assert member.id is not None
        return member.id


def test_pupils_worry_ends_with_childline_and_can_tidy_the_chat_away(engine, people) -> None:
    child = people["noor"]  # a pupil on the family's phone
    start = child.engine.handle(Event("telegram", "100", "100", text="/worry", message_id="50"))
    child.last = start
    assert "something online" in child.text().lower()
    child.press("Someone being unkind")
    child.say("Some boys said mean things to me in the game")
    text = child.text()
    assert "You did the right thing" in text and "Childline on 0800 1111" in text
    tidy = child.press("Tidy this chat away")
    assert tidy.replies[0].erase_from == "50"
    assert concern(engine).from_pupil


def test_process_killed_after_confirmation_still_delivers_the_concern_once(
    engine, clock, people
) -> None:
    noor = people["noor"]
    noor.say("/concern")
    noor.press("Ava")
    noor.press("Something else")
    summary = noor.say("Please call me about Ava.")
    noor.press("Send", summary)  # stored and committed; the reply is lost in a crash
    again = noor.press("Send", summary)  # a double tap, or the retry after restart
    assert "expired" in again.replies[0].text
    first = deliver(engine, clock)
    assert len(first) == 1 and deliver(engine, clock) == []
    with Session(engine.db) as session:
        assert len(session.exec(select(Concern)).all()) == 1


def test_bad_input_is_handled_and_nothing_is_lost(engine, clock, people) -> None:
    noor = people["noor"]
    noor.say("/concern")
    noor.press("Ava")
    noor.press("Something else")
    noor.say("   ")
    assert "a few words" in noor.text()
    photo = engine.handle(Event("telegram", "100", "100", text="", attachments=("file-1",)))
    assert "I have the picture" in photo.replies[0].text
    clock.advance(days=7)  # abandoned, then resumed next week
    noor.say("x" * 4096)
    assert "Please check before I send it" in noor.text()
    noor.press("Send")
    stored = concern(engine)
    assert len(stored.text) == 4096 and stored.photos == ["file-1"]


def test_unlinked_user_cannot_raise_a_concern_but_is_given_help(engine) -> None:
    reply = engine.handle(Event("telegram", "555", "555", text="/concern"))
    assert "999" in reply.replies[0].text and "code" in reply.replies[0].text
    assert engine.handle(Event("telegram", "555", "555", text="/concerns")).replies[0].text


def test_outbox_holds_nothing_for_other_families(engine, clock, people) -> None:
    raise_concern(people["noor"], "bullying", "Private worry about Ava.")
    with Session(engine.db) as session:
        recipients = {m.recipient for m in session.exec(select(OutboxMessage))}
    assert recipients == {"telegram:902"}


def test_absent_dsl_means_the_deputy_gets_safeguarding_concerns(engine, clock, people) -> None:
    from assistant.db import transaction
    from assistant.models import Staff

    deputy = Person(engine, "904")
    deputy.say(f"/start {add_staff(engine.db, clock.now, name='Mr Deputy', role='deputy-dsl')}")
    with transaction(engine.db) as session:
        dsl = session.exec(select(Staff).where(Staff.name == "Mrs Safe")).one()
        dsl.absent = True
        session.add(dsl)
    raise_concern(people["noor"], "bullying", "Mean messages again.")
    [message] = deliver(engine, clock)
    assert message.recipient == "telegram:904"


def test_dsl_export_has_each_concern_and_its_history_and_warns(engine, clock, people,
                                                               tmp_path) -> None:
    import csv

    from assistant.concerns.export import COLUMNS, concern_rows

    raise_concern(people["noor"], "bullying", "Mean messages again.")
    [message] = deliver(engine, clock)
    ack = message.payload["buttons"][0][0]
    engine.handle(Event("telegram", "902", "902", action=ack["action"], payload=ack["payload"]))
    with Session(engine.db) as session:
        [row] = concern_rows(session, engine.schools["demo"])
    record = dict(zip(COLUMNS, row, strict=True))
    assert record["child"] == "Ava Khan" and record["raised_by"] == "Noor Khan"
    assert record["acknowledged_by"] == "Mrs Safe" and record["status"] == "acknowledged"
    assert "created" in record["history"] and "delivered" in record["history"]
    out = tmp_path / "concerns.csv"
    import os

    from tests.support.cli import run_cli
    done = run_cli("export", "concerns", "--school", "demo", "--out", str(out),
                   env={**os.environ, "DATA_DIR": str(tmp_path)})
    assert done.returncode == 0 and "safeguarding information" in done.stderr
    with out.open(encoding="utf-8-sig") as handle:
        assert next(csv.reader(handle)) == COLUMNS
    assert oct(out.stat().st_mode & 0o777) == "0o600"


# ------------------------------------------------------------------ promises kept (issue 12)


def _press_staff_button(engine, user: str, message: Claimed, label: str):
    [button] = [b for row in message.payload["buttons"] for b in row if b["label"] == label]
    return engine.handle(Event("telegram", user, user, action=button["action"],
                               payload=button["payload"]))


def test_parent_told_it_was_read_sees_their_own_reference(engine, clock, people) -> None:
    reply = raise_concern(people["noor"], "something else", "A question for the teacher.")
    reference = concern(engine).reference
    assert reference in reply
    [message] = deliver(engine, clock)
    _press_staff_button(engine, "900", message, "Acknowledge")
    [told] = deliver(engine, clock)
    assert f"(reference {reference})" in told.payload["text"]
    assert "{ref}" not in told.payload["text"]


def test_concern_resolved_without_acknowledging_still_tells_the_parent(engine, clock,
                                                                       people) -> None:
    raise_concern(people["noor"], "something else", "A question for the teacher.")
    [message] = deliver(engine, clock)
    passed = _press_staff_button(engine, "900", message, "Pass to DSL")
    assert "Passed to the" in passed.replies[0].text
    teacher = people["teacher"]
    teacher.say("/concerns")
    teacher.press("Open")
    teacher.press("Resolve")
    teacher.say("Spoke to Mrs Khan; sorted.")
    told = [m for m in deliver(engine, clock) if m.recipient == "telegram:100"]
    assert len(told) == 1 and "has read your message" in told[0].payload["text"]


def test_dsl_is_not_offered_to_pass_a_concern_to_themselves(engine, clock, people) -> None:
    raise_concern(people["noor"], "bullying", "Mean messages again.")
    [message] = deliver(engine, clock)
    assert message.recipient == "telegram:902"
    labels = [b["label"] for row in message.payload["buttons"] for b in row]
    assert labels == ["Acknowledge", "Resolve"]
    people["dsl"].say("/concerns")
    people["dsl"].press("Open")
    assert "Pass to DSL" not in [b.label for b in people["dsl"].buttons()]
    old_button = engine.handle(Event("telegram", "902", "902", action="concerns_staff.pass",
                                     payload=concern(engine).reference))
    assert "speak to the" not in old_button.replies[0].text
    assert "yours to acknowledge" in old_button.replies[0].text


def test_teachers_copy_still_offers_pass_to_dsl(engine, clock, people) -> None:
    raise_concern(people["noor"], "something else", "A question for the teacher.")
    [message] = deliver(engine, clock)
    assert "Pass to DSL" in [b["label"] for row in message.payload["buttons"] for b in row]


def test_concern_at_a_school_with_no_staff_linked_tells_the_parent_the_truth(engine,
                                                                            clock) -> None:
    code = add_family(engine.db, clock.now, parent="Kim Ray", children=[("Ola", "2A", "2")])
    add_staff(engine.db, clock.now, name="Mrs Unlinked", role="dsl")  # never uses her code
    kim = Person(engine, "300")
    kim.say(f"/start {code}")
    reply = raise_concern(kim, "bullying", "Someone is sending Ola mean messages.", "Ola")
    assert "straight away" not in reply and "You'll hear here" not in reply
    assert "nobody at Demo Primary School can receive concerns here yet" in reply
    assert "01632 960000" in reply  # the office's phone: the school's other route
    assert deliver(engine, clock) == []
    from assistant.concerns.service import unreceived_concerns

    with Session(engine.db) as session:
        assert [c.reference for c in unreceived_concerns(session, "demo")] == [
            concern(engine).reference]


def test_staff_list_and_run_start_warn_about_concerns_nobody_can_receive(
    engine, clock, caplog
) -> None:
    import logging
    import os

    from assistant.concerns.service import warn_unreceived
    from tests.support.cli import run_cli

    code = add_family(engine.db, clock.now, parent="Kim Ray", children=[("Ola", "2A", "2")])
    kim = Person(engine, "300")
    kim.say(f"/start {code}")
    raise_concern(kim, "bullying", "Someone is sending Ola mean messages.", "Ola")
    reference = concern(engine).reference
    with caplog.at_level(logging.WARNING):
        assert warn_unreceived(engine.db, engine.schools) == 1
    assert "concerns with nobody to receive them at demo: 1" in caplog.text
    assert "mean messages" not in caplog.text
    env = {**os.environ, "DATABASE_URL": engine.db.url.render_as_string(hide_password=False)}
    listing = run_cli("staff", "list", "--school", "demo", env=env)
    assert listing.returncode == 0, listing.stderr
    assert "1 concern(s) with nobody to receive them" in listing.stdout
    assert reference in listing.stdout and "Link the DSL" in listing.stdout


def test_childs_worry_reply_is_in_words_a_child_can_read(engine, clock, people) -> None:
    clock.now = datetime(2026, 11, 24, 23, 0, tzinfo=UTC)
    child = people["noor"]  # a pupil on the family's phone
    child.say("/worry")
    child.press("Someone being unkind")
    child.say("a boy in my class says he will hurt me tomorrow")
    text = child.text()
    assert "goes first in the queue" not in text and "the queue" not in text
    assert "a grown-up will read it when school opens" in text


def test_unlinked_childs_worry_is_answered_in_a_childs_words(engine) -> None:
    reply = engine.handle(Event("telegram", "555", "555", text="/worry")).replies[0].text
    assert "school office" not in reply and "send /start" not in reply
    assert "grown-up you trust" in reply and "0800 1111" in reply


def test_tidied_away_worry_gets_no_follow_up_in_that_chat(engine, clock, people) -> None:
    child = people["noor"]
    start = engine.handle(Event("telegram", "100", "100", text="/worry", message_id="50"))
    child.last = start
    child.press("Someone being unkind")
    child.say("Some boys said mean things to me in the game")
    assert "Would you like a grown-up to tell you here" in child.text()
    child.press("Tidy this chat away")
    [message] = deliver(engine, clock)
    acknowledged = _press_staff_button(engine, "902", message, "Acknowledge")
    assert "follow it up in person" in acknowledged.replies[0].text
    assert [m for m in deliver(engine, clock) if m.recipient == "telegram:100"] == []


def test_child_who_asks_for_a_reply_hears_here_even_after_tidying(engine, clock,
                                                                  people) -> None:
    child = people["noor"]
    start = engine.handle(Event("telegram", "100", "100", text="/worry", message_id="50"))
    child.last = start
    child.press("Someone being unkind")
    child.say("Some boys said mean things to me in the game")
    child.press("Yes, tell me here")
    assert "a grown-up will tell you here" in child.text()
    child.press("Tidy this chat away")
    [message] = deliver(engine, clock)
    _press_staff_button(engine, "902", message, "Acknowledge")
    [told] = [m for m in deliver(engine, clock) if m.recipient == "telegram:100"]
    assert "A grown-up at school has read your message" in told.payload["text"]


def test_child_who_says_thank_you_after_a_worry_is_answered_not_told_to_use_buttons(
    engine, people
) -> None:
    child = people["noor"]
    child.say("/worry")
    child.press("Someone being unkind")
    child.say("Some boys said mean things to me in the game")
    thanks = child.say("thank you")
    assert "use the buttons" not in thanks.replies[0].text
    assert "can't use that" not in thanks.replies[0].text
    assert "nothing to stop" in child.say("/cancel").replies[0].text


def test_danger_help_at_a_school_nobody_can_receive_yet_promises_no_hand_over(
    engine, clock
) -> None:
    code = add_family(engine.db, clock.now, parent="Noor Khan", children=[("Ava", "3B", "3")])
    noor = Person(engine, "100")
    noor.say(f"/start {code}")
    reply = noor.say("my husband hits my son")
    assert "999" in reply.replies[0].text
    assert "Nobody at" in reply.replies[1].text and "can't pass this on" in reply.replies[1].text
    assert all(not r.buttons for r in reply.replies)

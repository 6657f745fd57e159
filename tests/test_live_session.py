"""Staff arrange live lessons; families see the expectations, and get the link once they accept."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from assistant.events import Event
from assistant.models import LiveInvitation, LiveSession, OutboxMessage
from tests.family import Person, add_family, add_staff
from tests.live_helpers import LINK, arrange, deliver, outbox_texts, sign_all

WEDNESDAY_10 = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # "wed 10:00" from the test clock


@pytest.fixture
def school(engine, clock) -> dict[str, Person]:
    codes = {
        "noor": add_family(engine.db, clock.now, parent="Noor Khan",
                           children=[("Ava", "3B", "3")]),
        "tom": add_family(engine.db, clock.now, parent="Tom Jones",
                          children=[("Mia", "3B", "3")]),
        "ann": add_family(engine.db, clock.now, parent="Ann Lee", children=[("Leo", "4C", "4")]),
        "teacher": add_staff(engine.db, clock.now, name="Ms Teacher", role="teacher",
                             class_code="3B"),
        "head": add_staff(engine.db, clock.now, name="Mr Head", role="head"),
    }
    add_family(engine.db, clock.now, parent="Zed Unlinked", children=[("Zoe", "3B", "3")])
    people = {}
    for name, user in (("noor", "100"), ("tom", "200"), ("ann", "300"), ("teacher", "900"),
                       ("head", "901")):
        people[name] = Person(engine, user)
        people[name].say(f"/start {codes[name]}")
    for child in ("Ava", "Leo"):
        sign_all(engine.db, engine.schools["demo"], child, clock.now)
    return people


def invitation_for(sent, user: str):
    [found] = [m for m in sent
               if m.recipient == f"telegram:{user}" and m.kind == "live-invitation"]
    return found


def press_payload(engine, user: str, button: dict[str, str]):
    return engine.handle(Event("telegram", user, user, action=button["action"],
                               payload=button["payload"]))


def texts(response) -> str:
    return "\n".join(reply.text for reply in response.replies)


def test_teacher_arranges_a_session_and_only_their_class_is_invited(engine, clock,
                                                                    school) -> None:
    teacher = school["teacher"]
    arrange(teacher)
    summary = teacher.history[-2]
    assert "When: Wednesday 25 November 2026 at 10:00" in texts(summary)
    assert summary.replies[0].protect, "the summary shows the link: it is protected too"
    assert "1 family can accept straight away. 1 family must sign" in teacher.text()
    assert "1 pupil has no family linked" in teacher.text()
    sent = deliver(engine, clock, clock.now)
    assert sorted(m.recipient for m in sent) == ["telegram:100", "telegram:200"]
    text = invitation_for(sent, "100").payload["text"]
    assert "When: Wednesday 25 November at 10:00" in text and "Where: Google Meet" in text
    assert "not a bedroom" in text and "Have a pencil" in text
    assert LINK not in "".join(outbox_texts(engine.db)), "no link before anyone accepts"


def test_family_that_has_not_signed_is_asked_to_sign_before_the_link(engine, clock,
                                                                     school) -> None:
    arrange(school["teacher"])
    tom_invitation = invitation_for(deliver(engine, clock, clock.now), "200")
    sign, decline = (row[0] for row in tom_invitation.payload["buttons"])
    assert sign["label"] == "Sign the agreement first" and decline["label"] == "We can't attend"
    # A forged "accept" with Tom's own invitation still needs the agreement first.
    forged = press_payload(engine, "200",
                           {"action": "live_rsvp.accept", "payload": sign["payload"]})
    assert "needs signing" in texts(forged)
    assert LINK not in "".join(outbox_texts(engine.db))

    tom = school["tom"]
    tom.last = press_payload(engine, "200", sign)
    assert "Agreements for Mia Khan (3B)" in tom.text()
    while any(b.label.startswith("Read and sign") or b.label.startswith("Next:")
              for b in tom.buttons()):
        tom.press("Read and sign" if any(b.label.startswith("Read and sign")
                                         for b in tom.buttons()) else "Next:")
        tom.press("Start reading")
        while any(b.label == "Next" for b in tom.buttons()):
            tom.press("Next")
        tom.press("agree")
        tom.say("Tom Jones")
        tom.press("Sign")
    tom.press("Live lesson invitation: Wednesday 25 November at 10:00")
    tom.press("We'll follow these - show me the link")
    assert "The link comes next" in tom.text()
    [link] = [m for m in deliver(engine, clock, clock.now) if m.kind == "live-link"]
    assert link.recipient == "telegram:200" and LINK in link.payload["text"]


def test_link_comes_only_after_accepting_in_its_own_protected_message(engine, clock,
                                                                     school) -> None:
    arrange(school["teacher"])
    accept = invitation_for(deliver(engine, clock, clock.now), "100").payload["buttons"][0][0]
    assert accept["label"] == "We'll follow these - show me the link"
    assert "The link comes next" in texts(press_payload(engine, "100", accept))
    again = press_payload(engine, "100", accept)
    assert "already accepted" in texts(again)
    [link] = deliver(engine, clock, clock.now)
    assert link.kind == "live-link" and link.recipient == "telegram:100"
    assert link.payload["protect"] is True
    assert link.payload["text"].count(LINK) == 1 and "buttons" not in link.payload
    assert link.payload["delete_after"] == (WEDNESDAY_10 + timedelta(minutes=30)).isoformat()


def test_button_from_another_family_gets_the_expired_reply(engine, clock, school) -> None:
    arrange(school["teacher"])
    accept = invitation_for(deliver(engine, clock, clock.now), "100").payload["buttons"][0][0]
    stolen = press_payload(engine, "300", accept)
    assert "expired" in texts(stolen)
    for forged in ("1", "1:", "x:1", "99:1", "1:1:1"):
        reply = press_payload(engine, "100", {"action": "live_rsvp.accept", "payload": forged})
        assert "expired" in texts(reply)
    assert LINK not in "".join(outbox_texts(engine.db))


def test_reminder_goes_15_minutes_before_to_families_who_accepted(engine, clock,
                                                                  school) -> None:
    sign_all(engine.db, engine.schools["demo"], "Mia", clock.now)
    arrange(school["teacher"])
    sent = deliver(engine, clock, clock.now)
    press_payload(engine, "100", invitation_for(sent, "100").payload["buttons"][0][0])
    press_payload(engine, "200", invitation_for(sent, "200").payload["buttons"][1][0])
    deliver(engine, clock, clock.now)  # Ava's link
    assert deliver(engine, clock, WEDNESDAY_10 - timedelta(minutes=16)) == []
    [reminder] = deliver(engine, clock, WEDNESDAY_10 - timedelta(minutes=15))
    assert reminder.recipient == "telegram:100" and reminder.kind == "live-reminder"
    assert "starts in 15 minutes" in reminder.payload["text"]


def test_cancelling_tells_everyone_invited_and_takes_the_link_back(engine, clock,
                                                                   school) -> None:
    teacher = school["teacher"]
    arrange(teacher)
    sent = deliver(engine, clock, clock.now)
    accept = invitation_for(sent, "100").payload["buttons"][0][0]
    press_payload(engine, "100", accept)
    deliver(engine, clock, clock.now)  # the link goes out
    teacher.say("/sessions")
    teacher.press("Cancel it")
    teacher.press("Cancel the session")
    assert "Cancelled. 2 families will be told" in teacher.text()
    news = deliver(engine, clock, clock.now)
    cancelled = sorted(m.recipient for m in news if m.kind == "live-cancelled")
    assert cancelled == ["telegram:100", "telegram:200"]
    assert "has cancelled the live lesson for Ava (3B)" in news[0].payload["text"]
    assert "has been cancelled" in texts(press_payload(engine, "100", accept))
    assert deliver(engine, clock, WEDNESDAY_10 - timedelta(minutes=15)) == []  # no reminder


def test_moving_a_session_asks_again_and_old_buttons_say_it_changed(engine, clock,
                                                                    school) -> None:
    teacher = school["teacher"]
    arrange(teacher)
    old = invitation_for(deliver(engine, clock, clock.now), "100").payload["buttons"][0][0]
    press_payload(engine, "100", old)
    teacher.say("/sessions")
    teacher.press("Move")
    teacher.say("thu 11:00")
    assert "to Thursday 26 November 2026 at 11:00?" in teacher.text()
    teacher.press("Move it")
    assert "Moved. 2 families will get the new time" in teacher.text()
    news = deliver(engine, clock, clock.now)
    moved = invitation_for(news, "100")
    assert "has moved to Thursday 26 November at 11:00" in moved.payload["text"]
    stale = press_payload(engine, "100", old)
    assert "has changed since that message" in texts(stale)
    assert "Thursday 26 November at 11:00" in texts(stale)
    with Session(engine.db) as session:
        assert session.exec(select(LiveInvitation.status)).all() == ["invited", "invited"]
        assert session.exec(select(LiveSession.version)).one() == 2
    fresh = press_payload(engine, "100", moved.payload["buttons"][0][0])
    assert "The link comes next" in texts(fresh)


def test_session_outside_contact_hours_is_refused(engine, clock, school) -> None:
    teacher = school["teacher"]
    teacher.say("/newsession")
    teacher.press("3B")
    teacher.press("That's all")
    for when in ("sat 10:00", "wed 7:30am"):
        teacher.say(when)  # refused at the time step, before the length is asked
        assert "outside Demo Primary School's contact hours" in teacher.text()
        assert "Monday to Friday, 8:30am to 4pm" in teacher.text()
        assert not any(b.action == "live_arrange.length" for b in teacher.buttons())
    teacher.say("wed 15:45")
    teacher.press("30 minutes")
    assert "would end at 16:15, after Demo Primary School's contact hours" in teacher.text()
    teacher.say("wed 15:30")  # another time, typed where the length was asked
    teacher.press("30 minutes")
    assert "join link" in teacher.text()
    with Session(engine.db) as session:
        assert session.exec(select(LiveSession)).all() == []


def test_one_to_one_is_refused_where_the_policy_says_never(engine, clock) -> None:
    add_family(engine.db, clock.now, parent="Kim Ray", children=[("Ola", "2A", "2")],
               school="church-lane")
    code = add_staff(engine.db, clock.now, name="Mr Church", role="teacher", class_code="2A",
                     school="church-lane")
    teacher = Person(engine, "950")
    teacher.say(f"/start {code}")
    teacher.say("/newsession")
    teacher.press("2A")
    teacher.press("1-to-1")
    assert "does not allow 1-to-1 live sessions" in teacher.text()
    assert not any(b.action == "live_arrange.pupil" for b in teacher.buttons())


def test_one_to_one_needs_a_parent_present_where_the_policy_says_so(engine, clock,
                                                                   school) -> None:
    teacher = school["teacher"]
    teacher.say("/newsession")
    teacher.press("3B")
    teacher.press("1-to-1")
    teacher.press("Ava Khan")
    assert "only with a parent or carer in the room" in teacher.text()
    teacher.press("No")
    assert "I can't arrange it" in teacher.text()
    teacher.say("/newsession")
    teacher.press("3B")
    teacher.press("1-to-1")
    teacher.press("Ava Khan")
    teacher.press("Yes, a parent or carer will be there")
    teacher.say("wed 11:00")
    teacher.press("20 minutes")
    teacher.say(LINK)
    teacher.press("Not recorded")
    assert "stays in the room throughout" in teacher.text()
    teacher.press("No extra line")
    assert "1-to-1 with Ava Khan (3B), a parent or carer present" in teacher.text()
    teacher.press("Send the invitations")
    [invitation] = deliver(engine, clock, clock.now)
    assert invitation.recipient == "telegram:100"
    assert "1-to-1 live session" in invitation.payload["text"]


@pytest.mark.parametrize("bad", ["javascript:alert(1)", "ftp://example.com/x",
                                 "meet.google.com/abc", "https://", "https://meet google.com",
                                 "http://localhost/x"])
def test_link_that_is_not_a_web_address_is_refused(engine, clock, school, bad) -> None:
    teacher = school["teacher"]
    teacher.say("/newsession")
    teacher.press("3B")
    teacher.press("That's all")
    teacher.say("wed 10:00")
    teacher.press("30 minutes")
    teacher.say(bad)
    assert "Please send the join link" in teacher.text()
    assert not any(b.action == "live_arrange.rec" for b in teacher.buttons())


def test_parent_cannot_arrange_or_list_sessions(engine, clock, school) -> None:
    for command in ("/newsession", "/sessions"):
        school["noor"].say(command)
        assert "only for school staff" in school["noor"].text()


def test_sessions_shows_each_pupils_answer(engine, clock, school) -> None:
    arrange(school["teacher"])
    sent = deliver(engine, clock, clock.now)
    press_payload(engine, "200", invitation_for(sent, "200").payload["buttons"][1][0])
    press_payload(engine, "100", invitation_for(sent, "100").payload["buttons"][0][0])
    school["teacher"].say("/sessions")
    text = school["teacher"].text()
    assert "accepted: 1 · can't attend: 1 · no answer: 0 · no family linked: 1" in text
    assert "✓ Ava Khan (3B): accepted" in text and "✗ Mia Khan (3B): can't attend" in text
    assert "– Zoe Khan (3B): no family linked" in text
    school["ann"].say("/sessions")
    assert "only for school staff" in school["ann"].text()


def test_head_sees_every_class_and_another_teacher_sees_none(engine, clock, school) -> None:
    arrange(school["teacher"])
    school["head"].say("/sessions")
    assert "Session 1: 3B" in school["head"].text()
    code = add_staff(engine.db, clock.now, name="Mr Other", role="teacher", class_code="4C")
    other = Person(engine, "902")
    other.say(f"/start {code}")
    other.say("/sessions")
    assert "no live lessons coming up" in other.text()


def test_invitations_wait_for_contact_hours(engine, clock, school) -> None:
    clock.now = datetime(2026, 11, 27, 18, 0, tzinfo=UTC)  # Friday evening
    arrange(school["teacher"], when="mon 10:00")
    assert deliver(engine, clock, datetime(2026, 11, 28, 10, 0, tzinfo=UTC)) == []
    monday = deliver(engine, clock, datetime(2026, 11, 30, 8, 30, tzinfo=UTC))
    assert len([m for m in monday if m.kind == "live-invitation"]) == 2


def test_declining_straight_after_accepting_stops_the_link_and_reminder(engine, clock,
                                                                       school) -> None:
    arrange(school["teacher"])
    buttons = invitation_for(deliver(engine, clock, clock.now), "100").payload["buttons"]
    press_payload(engine, "100", buttons[0][0])
    assert "can't attend" in texts(press_payload(engine, "100", buttons[1][0]))
    assert deliver(engine, clock, clock.now) == []  # the link never leaves
    assert deliver(engine, clock, WEDNESDAY_10 - timedelta(minutes=15)) == []  # no reminder
    clock.advance(seconds=5)
    assert "The link comes next" in texts(press_payload(engine, "100", buttons[0][0]))
    assert [m.kind for m in deliver(engine, clock, clock.now)] == ["live-link"]


def test_finished_session_buttons_say_so(engine, clock, school) -> None:
    arrange(school["teacher"])
    accept = invitation_for(deliver(engine, clock, clock.now), "100").payload["buttons"][0][0]
    clock.now = WEDNESDAY_10 + timedelta(minutes=31)
    assert "has finished" in texts(press_payload(engine, "100", accept))


def test_link_never_reaches_the_log(engine, clock, school, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    arrange(school["teacher"])
    accept = invitation_for(deliver(engine, clock, clock.now), "100").payload["buttons"][0][0]
    press_payload(engine, "100", accept)
    deliver(engine, clock, clock.now)
    assert LINK not in caplog.text


def test_session_and_its_messages_are_stored_in_one_transaction(engine, clock, school) -> None:
    arrange(school["teacher"])
    with Session(engine.db) as session:
        live = session.exec(select(LiveSession)).one()
        assert (live.link, live.minutes, live.platform, live.recorded) == (
            LINK, 30, "Google Meet", False)
        assert live.starts_at == WEDNESDAY_10 and live.status == "scheduled"
        assert "no-sharing-link" in live.expectations
        kinds = session.exec(select(OutboxMessage.kind)).all()
        assert sorted(kinds) == ["live-invitation", "live-invitation"]


def test_register_export_lists_who_accepted(engine, clock, school, tmp_path) -> None:
    import csv
    import os
    import subprocess

    from tests.support.cli import run_cli

    arrange(school["teacher"])
    sent = deliver(engine, clock, clock.now)
    press_payload(engine, "100", invitation_for(sent, "100").payload["buttons"][0][0])
    press_payload(engine, "200", invitation_for(sent, "200").payload["buttons"][1][0])
    url = engine.db.url.render_as_string(hide_password=False)
    if not url.startswith("sqlite"):
        pytest.skip("the command line is tried on the SQLite file")
    env = {**os.environ, "DATABASE_URL": url, "DATA_DIR": str(tmp_path)}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return run_cli("export", "register", *args, env=env)

    out = tmp_path / "register.csv"
    done = run("--session", "1", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "3 pupils (1 accepted)" in done.stdout
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    with out.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    ava = next(r for r in rows if r["pupil"] == "Ava Khan")
    assert {k: ava[k] for k in ("date", "time", "minutes", "classes", "class", "answer",
                                "answered_by", "answered_at")} == {
        "date": "2026-11-25", "time": "10:00", "minutes": "30", "classes": "3B", "class": "3B",
        "answer": "accepted", "answered_by": "Noor Khan", "answered_at": "2026-11-24 10:00"}
    assert sorted(r["answer"] for r in rows) == ["accepted", "can't attend", "no family linked"]
    assert LINK not in out.read_text(encoding="utf-8-sig")
    assert run("--session", "1", "--out", str(out)).returncode == 2  # never overwritten
    missing = run("--session", "99", "--out", str(tmp_path / "x.csv"))
    assert missing.returncode == 2 and "no live session 99" in missing.stderr


def test_christmas_closure_is_refused_at_the_time_step_with_the_real_reason(
    engine, clock, school
) -> None:
    teacher = school["teacher"]
    teacher.say("/newsession")
    teacher.press("3B")
    teacher.press("That's all")
    teacher.say("24/12 10:00")
    assert ("Demo Primary School is closed on Thursday 24 December 2026 (one of the closure "
            "days in its calendar)") in teacher.text()
    assert "contact hours" not in teacher.text()
    assert not any(b.action == "live_arrange.length" for b in teacher.buttons())
    teacher.say("25/12 10:00")
    assert "Friday 25 December 2026 is a bank holiday (Christmas Day)" in teacher.text()
    teacher.say("wed 10:00")
    assert "How long will it last?" in teacher.text()


def test_length_typed_in_words_is_understood(engine, clock, school) -> None:
    teacher = school["teacher"]
    teacher.say("/newsession")
    teacher.press("3B")
    teacher.press("That's all")
    teacher.say("wed 10:00")
    teacher.say("forty five mins")
    assert "join link" in teacher.text()


def test_teacher_is_warned_when_invitations_would_arrive_half_an_hour_before(
    engine, clock, school
) -> None:
    clock.now = datetime(2026, 11, 29, 15, 0, tzinfo=UTC)  # Sunday afternoon
    teacher = school["teacher"]
    teacher.say("/newsession")
    teacher.press("3B")
    teacher.press("That's all")
    teacher.say("mon 9:00")
    warning = ("families would get this one on Monday 30 November at 08:30, only 30 minutes "
               "before the lesson")
    assert warning in teacher.text() and "at least 24 hours' notice" in teacher.text()
    teacher.press("30 minutes")
    teacher.say(LINK)
    teacher.press("Not recorded")
    teacher.press("No extra line")
    assert warning in teacher.text()
    labels = [b.label for b in teacher.buttons()]
    assert "Send the invitations anyway" in labels and "Choose another time" in labels
    teacher.press("Choose another time")
    teacher.say("wed 10:00")
    assert "families would get this one" not in teacher.text()
    teacher.press("30 minutes")
    assert "join link" in teacher.text()


def test_teacher_can_go_ahead_with_short_notice(engine, clock, school) -> None:
    clock.now = datetime(2026, 11, 29, 15, 0, tzinfo=UTC)  # Sunday afternoon
    arrange(school["teacher"], when="mon 9:00")  # "Send the invitations anyway"
    with Session(engine.db) as session:
        assert len(session.exec(select(LiveSession)).all()) == 1

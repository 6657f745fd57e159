"""Families asking questions in chat: answers, choices, and questions kept for staff."""

from __future__ import annotations

from sqlmodel import Session, select

from assistant.engine import Engine
from assistant.events import Event
from assistant.models import UnansweredQuestion
from tests.family import add_family, add_staff
from tests.support.cli import run_cli


def say(engine: Engine, text: str, user: str = "parent-1"):
    return engine.handle(Event("test", user, user, text=text))


def press(engine: Engine, response, label_part: str, user: str = "parent-1"):
    button = next(b for r in response.replies for row in r.buttons for b in row
                  if label_part.lower() in b.label.lower())
    return engine.handle(Event("test", user, user, action=button.action,
                               payload=button.payload, nonce=response.nonce))


def kept(engine: Engine) -> list[tuple[str, str]]:
    with Session(engine.db) as session:
        return [(q.text, q.reason) for q in session.exec(select(UnansweredQuestion)).all()]


def test_question_gets_the_demo_schools_answer_with_see_also_and_didnt_help(engine) -> None:
    response = say(engine, "can my daughter use the chat during the live lesson")
    reply = response.replies[0]
    assert "chat" in reply.text.lower()
    labels = [b.label for row in reply.buttons for b in row]
    assert "This didn't help" in labels
    assert any(label.startswith("See also") for label in labels)


def test_see_also_button_shows_the_related_answer(engine) -> None:
    response = say(engine, "can my daughter use the chat during the live lesson")
    related = press(engine, response, "See also")
    assert related.replies[0].text and "expired" not in related.replies[0].text


def test_didnt_help_is_kept_for_staff_and_offers_to_ask_the_school(engine, clock) -> None:
    code = add_family(engine.db, clock.now, parent="Noor Khan", children=[("Ava", "3B", "3")])
    teacher = add_staff(engine.db, clock.now, name="Ms Teacher", role="teacher",
                        class_code="3B")
    say(engine, f"/start {teacher}", user="teacher-1")
    say(engine, f"/start {code}")
    response = say(engine, "can my daughter use the chat during the live lesson")
    offer = press(engine, response, "didn't help")
    assert "Shall I ask a member of staff?" in offer.replies[0].text
    about = press(engine, offer, "Yes, ask the school")
    done = press(engine, about, "About Ava")
    assert "I've sent your question to Ava's class teacher" in done.replies[0].text
    reasons = [reason for _, reason in kept(engine)]
    assert reasons == ["didnt-help", "passed-on"]


def test_visitor_not_yet_linked_is_told_to_contact_the_office_not_promised_a_reply(
    engine
) -> None:
    response = say(engine, "can my daughter use the chat during the live lesson")
    offer = press(engine, response, "didn't help")
    assert "01632 960000" in offer.replies[0].text  # the demo office's number
    assert not offer.replies[0].buttons


def test_out_of_policy_question_is_not_answered_and_is_kept(engine) -> None:
    response = say(engine, "how much is dinner money this term")
    assert "rather not guess" in response.replies[0].text or "Did you mean" in (
        response.replies[0].text)
    assert ("how much is dinner money this term", "unanswered") in kept(engine) or (
        "Did you mean" in response.replies[0].text)


def test_vague_question_offers_did_you_mean_buttons(engine) -> None:
    response = say(engine, "recording")
    reply = response.replies[0]
    assert "Did you mean" in reply.text
    choice = press(engine, response, "record")
    assert "expired" not in choice.replies[0].text


def test_greeting_gets_a_friendly_reply_not_a_guess(engine) -> None:
    reply = say(engine, "hi").replies[0]
    assert reply.text.startswith("Hello") and not reply.buttons


def test_message_of_4096_characters_with_emoji_is_answered_politely(engine) -> None:
    reply = say(engine, ("is the school internet filtered 🙂 " * 200)[:4096]).replies[0]
    assert reply.text
    assert all(len(question) <= 1000 for question, _ in kept(engine))


def test_old_did_you_mean_button_for_unknown_entry_has_expired(engine) -> None:
    forged = engine.handle(Event("test", "p", "p", action="questions.show", payload="no-such"))
    assert "expired" in forged.replies[0].text


def test_unanswered_questions_are_listed_most_frequent_first(tmp_path) -> None:
    import os

    env = {**os.environ, "DATA_DIR": str(tmp_path)}
    questions = "how much is dinner money\n" * 2 + "when is sports day\n"
    assert run_cli("chat", stdin=questions, env=env).returncode == 0
    listing = run_cli("faq", "unanswered", "--school", "demo", env=env).stdout.splitlines()
    assert listing[0].split()[0] == "2" and "dinner money" in listing[0]
    assert "sports day" in listing[1]

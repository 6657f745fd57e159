"""The live-lesson link through the Telegram sender: protected, and deleted when it must go."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from telegram.ext import ExtBot

from assistant.events import Event
from assistant.live.expiry import queue_deletion
from assistant.outbox import Dispatcher
from assistant.telegram.delivery import make_sender
from tests.family import Person, add_family, add_staff
from tests.live_helpers import LINK, arrange, sign_all
from tests.test_telegram_offline import TOKEN, BotApi

END = datetime(2026, 11, 25, 10, 30, tzinfo=UTC)  # "wed 10:00" for 30 minutes


@pytest.fixture
def api() -> BotApi:
    return BotApi()


@pytest.fixture
def send_at(engine, clock, api):
    """Runs the outbox through the real Telegram sender at a given time."""
    bot = ExtBot(TOKEN, request=api)

    def run(when: datetime) -> None:
        clock.now = when

        async def once() -> None:
            await bot.initialize()
            dispatcher = Dispatcher(db=engine.db, schools=engine.schools,
                                    send=make_sender(bot), clock=clock,
                                    on_sent=queue_deletion)
            await dispatcher.run_once()

        asyncio.run(once())

    return run


@pytest.fixture
def accepted(engine, clock, send_at, api) -> str:
    """Ava's family has accepted; returns the accept button's payload."""
    code = add_family(engine.db, clock.now, parent="Noor Khan", children=[("Ava", "3B", "3")])
    teacher_code = add_staff(engine.db, clock.now, name="Ms T", role="teacher", class_code="3B")
    Person(engine, "42").say(f"/start {code}")
    teacher = Person(engine, "900")
    teacher.say(f"/start {teacher_code}")
    sign_all(engine.db, engine.schools["demo"], "Ava", clock.now)
    arrange(teacher)
    send_at(clock.now)
    [invitation] = api.made("sendMessage")
    assert not invitation.get("protect_content")
    payload = "1:1"
    engine.handle(Event("telegram", "42", "42", action="live_rsvp.accept", payload=payload))
    send_at(clock.now)
    return payload


def test_link_is_sent_with_protect_content_set(api, accepted) -> None:
    link = api.made("sendMessage")[-1]
    assert LINK in link["text"] and link["protect_content"] is True
    assert "reply_markup" not in link or link["reply_markup"] is None


def test_link_message_is_deleted_when_the_session_ends(api, send_at, accepted) -> None:
    link_id = 1000 + len(api.made("sendMessage"))
    send_at(END - timedelta(minutes=1))
    assert api.made("deleteMessage") == []
    send_at(END)
    [deleted] = api.made("deleteMessage")
    assert (int(deleted["chat_id"]), int(deleted["message_id"])) == (42, link_id)


def test_link_too_old_to_delete_is_replaced_with_a_notice(api, send_at, accepted) -> None:
    api.failing["deleteMessage"] = (400, "Bad Request: message can't be deleted for everyone")
    send_at(END)
    [edited] = api.made("editMessageText")
    assert "link has been removed" in edited["text"] and LINK not in edited["text"]


def test_cancelling_deletes_the_link_straight_away(engine, api, send_at, clock,
                                                   accepted) -> None:
    teacher = Person(engine, "900")
    teacher.say("/sessions")
    teacher.press("Cancel it")
    teacher.press("Cancel the session")
    send_at(clock.now)
    assert len(api.made("deleteMessage")) == 1
    assert "has cancelled the live lesson" in api.made("sendMessage")[-1]["text"]


def test_forget_still_removes_the_link_and_keeps_no_trace_of_the_chat(
    engine, api, send_at, clock, accepted
) -> None:
    from sqlmodel import Session, select

    from assistant.models import OutboxMessage

    parent = Person(engine, "42")
    parent.say("/forget")
    parent.press("erase")
    send_at(clock.now)
    [deleted] = api.made("deleteMessage")  # the link left the chat at once, not at the end
    assert int(deleted["chat_id"]) == 42
    with Session(engine.db) as session:
        rows = session.exec(select(OutboxMessage)).all()
    for row in rows:
        assert "42" not in row.recipient, (row.kind, row.recipient)
        assert LINK not in str(row.payload) and "Ava" not in str(row.payload)

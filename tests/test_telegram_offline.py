"""The Telegram transport, driven offline: every Bot API call is recorded, none leaves."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select
from telegram import Update
from telegram.ext import Application
from telegram.request import RequestData

from assistant.db import transaction
from assistant.engine import Context, Engine, Outcome, State
from assistant.events import Button, Event, Reply, decode_button
from assistant.models import Account, Conversation, OutboxMessage, UnansweredQuestion
from assistant.outbox import FAILED, SENT, enqueue
from assistant.runtime import build_services
from assistant.schools import School
from assistant.settings import Settings
from assistant.telegram import app as telegram_app
from assistant.telegram.app import (
    OUTBOX_INTERVAL_SECONDS,
    OUTBOX_JOB,
    build_application,
    webhook_route,
    webhook_secret,
)
from assistant.telegram.render import TEXT_LIMIT, label, render, split_text, units
from assistant.testing.loopback import LoopbackBotApi
from tests.conftest import Clock

TOKEN = "123456:offline-test-token_ABCdef"
BOT_ID = 999
BOT_USERNAME = "school_aup_bot"
FAMILY = 42  # a parent's user id, which is also their private chat's id
DATE = 1_795_000_000


@dataclass
class Call:
    """One Bot API request the bot made."""

    endpoint: str
    url: str
    params: dict[str, Any]
    files: dict[str, Any] = field(default_factory=dict)


class BotApi(LoopbackBotApi):
    """The loopback Bot API, recording each call's parameters and able to fail on demand."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[Call] = []
        self.failing: dict[str, tuple[int, str]] = {}
        self._next_message_id = 1000

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        endpoint = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data is not None else {}
        files = dict(request_data.multipart_data) if request_data is not None else {}
        self.calls.append(Call(endpoint, url, params, files))
        if endpoint in self.failing:
            code, description = self.failing[endpoint]
            body = {"ok": False, "error_code": code, "description": description}
            return code, json.dumps(body).encode()
        return 200, json.dumps({"ok": True, "result": self._result(endpoint, params)}).encode()

    def _result(self, endpoint: str, params: dict[str, Any]) -> Any:
        if endpoint == "getMe":
            return {"id": BOT_ID, "is_bot": True, "first_name": "School assistant",
                    "username": BOT_USERNAME, "can_join_groups": True,
                    "can_read_all_group_messages": False, "supports_inline_queries": False}
        if endpoint in {"sendMessage", "sendDocument"}:
            self._next_message_id += 1
            message: dict[str, Any] = {
                "message_id": self._next_message_id,
                "date": DATE,
                "chat": {"id": int(params["chat_id"]), "type": "private"},
                "from": {"id": BOT_ID, "is_bot": True, "first_name": "School assistant"},
            }
            if endpoint == "sendMessage":
                message["text"] = params["text"]
            else:
                message["document"] = {"file_id": "f1", "file_unique_id": "u1"}
            return message
        return True

    def made(self, endpoint: str) -> list[dict[str, Any]]:
        """The parameters of every call to one endpoint, in order."""
        return [call.params for call in self.calls if call.endpoint == endpoint]

    def texts(self) -> list[str]:
        """Every text message sent, in order."""
        return [params["text"] for params in self.made("sendMessage")]


# ---------------------------------------------------------------- updates a user would send

def _user(user_id: int = FAMILY, language: str = "en") -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": "Noor", "language_code": language}


def _message(text: str | None = None, *, chat: dict[str, Any] | None = None,
             user_id: int = FAMILY, message_id: int = 10, **extra: Any) -> dict[str, Any]:
    message: dict[str, Any] = {
        "message_id": message_id,
        "date": DATE,
        "chat": chat or {"id": user_id, "type": "private", "first_name": "Noor"},
        "from": _user(user_id),
        **extra,
    }
    if text is not None:
        message["text"] = text
        if text.startswith("/"):
            length = len(text.split()[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
    return message


def _update(app: Application[Any, Any, Any, Any, Any, Any], update_id: int,
            **content: Any) -> Update:
    update = Update.de_json({"update_id": update_id, **content}, app.bot)
    assert update is not None
    return update


async def say(app: Application[Any, Any, Any, Any, Any, Any], text: str, *,
              update_id: int = 1, user_id: int = FAMILY) -> None:
    await app.process_update(_update(app, update_id, message=_message(text, user_id=user_id)))


async def press(app: Application[Any, Any, Any, Any, Any, Any], data: str, *,
                update_id: int = 2, query_id: str = "q1") -> None:
    bot_message = {
        "message_id": 500,
        "date": DATE,
        "chat": {"id": FAMILY, "type": "private", "first_name": "Noor"},
        "from": {"id": BOT_ID, "is_bot": True, "first_name": "School assistant"},
        "text": "an earlier answer",
    }
    query = {"id": query_id, "from": _user(), "chat_instance": "ci-1", "data": data,
             "message": bot_message}
    await app.process_update(_update(app, update_id, callback_query=query))


def buttons_of(params: dict[str, Any]) -> list[tuple[str, str]]:
    """The (label, callback data) of every button on a sent message."""
    markup = params.get("reply_markup") or {}
    return [(b["text"], b["callback_data"]) for row in markup.get("inline_keyboard", [])
            for b in row]


# ---------------------------------------------------------------------------- fixtures

def settings_for(tmp_path: Path, **kwargs: Any) -> Settings:
    return Settings(database_url=f"sqlite:///{tmp_path / 'unused.sqlite3'}", data_dir=tmp_path,
                    telegram_bot_token=TOKEN, **kwargs)


@pytest.fixture
def api() -> BotApi:
    return BotApi()


async def _running(engine: Engine, api: BotApi, tmp_path: Path,
                   **settings: Any) -> Application[Any, Any, Any, Any, Any, Any]:
    application = build_application(settings_for(tmp_path, **settings), engine, request=api)
    await application.initialize()
    return application


@pytest.fixture
async def app(engine: Engine, api: BotApi,
              tmp_path: Path) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    application = await _running(engine, api, tmp_path)
    api.calls.clear()  # getMe at start-up is not what the tests look at
    yield application
    await application.shutdown()


@dataclass
class LessonLink:
    """A test flow: /link answers with a protected message and file; /long with a long one."""

    name: str = "lesson"
    commands: frozenset[str] = frozenset({"link", "long"})
    entry_actions: frozenset[str] = frozenset({"lesson.more"})

    def handle(self, ctx: Context, event: Event, state: State | None) -> Outcome:
        if event.command == "long":
            paragraphs = [f"Paragraph {n}. " + "word " * 300 for n in range(1, 4)]
            return Outcome([Reply("\n\n".join(paragraphs),
                                  ((Button("More", "lesson.more", "x"),),))])
        return Outcome([Reply("Your lesson link: https://meet.example/secret-room",
                              protect=True, document=("lesson.ics", b"BEGIN:VCALENDAR"))])


@pytest.fixture
async def lesson_app(db: sa.Engine, schools: dict[str, School], clock: Clock, api: BotApi,
                     tmp_path: Path) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    from flows import all_flows

    engine = Engine(db=db, flows=[*all_flows(), LessonLink()], schools=schools,
                    default_school="demo", text_flow="questions",
                    services=build_services(schools), clock=clock)
    application = await _running(engine, api, tmp_path)
    api.calls.clear()
    yield application
    await application.shutdown()


def _accounts(db: sa.Engine) -> list[Account]:
    with Session(db) as session:
        return list(session.exec(select(Account)).all())


# ------------------------------------------------------------------- private conversations

async def test_question_in_private_chat_gets_faq_answer_with_buttons(app, api, engine) -> None:
    await say(app, "can my child use the chat in a live lesson?")

    [sent] = api.made("sendMessage")
    assert sent["chat_id"] == FAMILY
    assert "chat" in sent["text"].lower()
    decoded = [decode_button(data) for _label, data in buttons_of(sent)]
    assert ("questions.nohelp", decoded[-1][1], "1") == decoded[-1]  # question number 1
    with Session(engine.db) as session:
        conversation = session.exec(select(Conversation)).one()
    assert {nonce for _action, nonce, _payload in decoded} == {conversation.nonce}


async def test_private_message_becomes_an_event_with_who_where_and_language(
    app, engine, monkeypatch
) -> None:
    seen: list[Event] = []
    handle = engine.handle

    def spy(event: Event) -> Any:
        seen.append(event)
        return handle(event)

    monkeypatch.setattr(engine, "handle", spy)
    await say(app, "passwords")
    assert seen == [Event(transport="telegram", user_id=str(FAMILY), chat_id=str(FAMILY),
                          text="passwords", locale="en", message_id="10")]


async def test_messages_wait_on_postgresql_off_the_event_loop(app, api, engine,
                                                              monkeypatch) -> None:
    """On PostgreSQL the engine's database waits go to threads, so one chat's wait does not
    hold the others; on SQLite, a file in this process, the engine runs on the loop."""
    off_loop = engine.db.dialect.name != "sqlite"
    seen: list[tuple[int, bool]] = []
    handle = engine.handle

    def spy(event: Event) -> Any:
        try:
            asyncio.get_running_loop()
            on_loop = True
        except RuntimeError:
            on_loop = False
        seen.append((threading.get_ident(), on_loop))
        return handle(event)

    monkeypatch.setattr(engine, "handle", spy)
    for text in ("passwords", "/help", "hi", "can i record the lesson"):
        await say(app, text)
    assert len(api.texts()) >= 4  # every message was answered
    assert len(seen) == 4
    assert all(on_loop is not off_loop for _thread, on_loop in seen)
    assert (threading.get_ident() in {thread for thread, _on_loop in seen}) is not off_loop


async def test_help_command_gets_the_help_text(app, api) -> None:
    await say(app, "/help")
    [text] = api.texts()
    assert "/help" in text and "/cancel" in text


async def test_vague_question_gets_did_you_mean_buttons(app, api) -> None:
    await say(app, "who is the safeguarding lead")
    [sent] = api.made("sendMessage")
    actions = [decode_button(data)[0] for _label, data in buttons_of(sent)]
    assert "questions.show" in actions and actions[-1] == "questions.pass"


async def test_button_press_is_answered_and_routed_with_its_nonce(app, api, engine) -> None:
    await say(app, "can my child use the chat in a live lesson?")
    nohelp = buttons_of(api.made("sendMessage")[0])[-1][1]
    api.calls.clear()

    await press(app, nohelp)

    assert api.made("answerCallbackQuery") == [{"callback_query_id": "q1"}]
    [offer] = api.made("sendMessage")
    # Not linked yet: nobody at the school would know who asks, so no offer to ask staff.
    assert "Once you have linked" in offer["text"] and not buttons_of(offer)
    with Session(engine.db) as session:
        kept = session.exec(select(UnansweredQuestion)).one()
    assert kept.reason == "didnt-help"


async def test_didnt_help_under_an_earlier_answer_still_works_after_another_question(
    app, api, engine
) -> None:
    await say(app, "can my child use the chat in a live lesson?")
    old = buttons_of(api.made("sendMessage")[0])[-1][1]
    await say(app, "passwords", update_id=3)
    api.calls.clear()

    await press(app, old, update_id=4)

    assert len(api.made("answerCallbackQuery")) == 1
    [text] = api.texts()
    assert "I'd rather not guess" in text
    with Session(engine.db) as session:
        kept = session.exec(select(UnansweredQuestion).where(
            UnansweredQuestion.reason == "didnt-help")).one()
    assert kept.text == "can my child use the chat in a live lesson?"


async def test_button_pressed_after_another_button_moved_on_gets_expired_reply(
    app, api
) -> None:
    await say(app, "can my child use the chat in a live lesson?")
    nohelp = buttons_of(api.made("sendMessage")[0])[-1][1]
    await press(app, nohelp, update_id=3)
    api.calls.clear()

    await press(app, nohelp, update_id=4)

    [text] = api.texts()
    assert "expired" in text


@pytest.mark.parametrize("data", ["rm -rf /", "questions.pass|nonce", "x" * 64, "ÿ|a|b"])
async def test_forged_callback_data_gets_expired_reply(app, api, engine, data) -> None:
    await press(app, data)

    assert len(api.made("answerCallbackQuery")) == 1
    [text] = api.texts()
    assert "expired" in text
    assert _accounts(engine.db) == []  # the engine never saw it


async def test_callback_query_too_old_to_answer_still_gets_its_reply(app, api) -> None:
    api.failing["answerCallbackQuery"] = (400, "Bad Request: query is too old")
    await press(app, "nonsense")
    assert "expired" in api.texts()[0]


async def test_photo_without_words_outside_a_concern_is_asked_for_typed_text(
    app, api, engine
) -> None:
    photo = _message(photo=[{"file_id": "p", "file_unique_id": "p1", "width": 90,
                             "height": 90}])
    await app.process_update(_update(app, 6, message=photo))

    [text] = api.texts()
    assert "only read typed messages" in text and "/concern" in text


async def test_edited_message_is_asked_to_be_sent_again(app, api, engine) -> None:
    edited = _message("what about passwords?", edit_date=DATE + 5)
    await app.process_update(_update(app, 5, edited_message=edited))

    [text] = api.texts()
    assert "new message" in text
    assert _accounts(engine.db) == []


@pytest.mark.parametrize("attachment", [
    {"sticker": {"file_id": "s", "file_unique_id": "s1", "width": 512, "height": 512,
                 "is_animated": False, "is_video": False, "type": "regular"}},
    {"voice": {"file_id": "v", "file_unique_id": "v1", "duration": 3}},
    {"document": {"file_id": "d", "file_unique_id": "d1", "file_name": "letter.pdf"}},
], ids=["sticker", "voice", "document"])
async def test_sticker_gets_text_only_reply(app, api, engine, attachment) -> None:
    await app.process_update(_update(app, 6, message=_message(**attachment)))

    [text] = api.texts()
    assert "only read text messages" in text
    assert _accounts(engine.db) == []


async def test_protected_reply_sets_protect_content(lesson_app, api, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    await say(lesson_app, "/link")

    [message] = api.made("sendMessage")
    assert message["protect_content"] is True
    [document_call] = [c for c in api.calls if c.endpoint == "sendDocument"]
    assert document_call.params["protect_content"] is True
    [(file_name, content, _mime)] = [v[:3] for v in document_call.files.values()]
    assert (file_name, content) == ("lesson.ics", b"BEGIN:VCALENDAR")
    assert "secret-room" not in caplog.text


async def test_long_answer_arrives_in_parts_with_buttons_on_the_last(lesson_app, api) -> None:
    await say(lesson_app, "/long")

    sent = api.made("sendMessage")
    assert len(sent) == 2
    assert all(units(params["text"]) <= TEXT_LIMIT for params in sent)
    assert sent[0]["text"].startswith("Paragraph 1.") and sent[1]["text"].startswith("Paragraph 3")
    assert "reply_markup" not in sent[0]
    assert [decode_button(d)[0] for _l, d in buttons_of(sent[1])] == ["lesson.more"]


def test_long_text_is_split_at_paragraphs_then_words_and_loses_nothing() -> None:
    text = "short first paragraph\n\n" + "word " * 2000 + "\n\n" + "🙂" * 3000
    parts = split_text(text)
    assert all(units(part) <= TEXT_LIMIT for part in parts)
    assert parts[0] == "short first paragraph"
    assert "".join(parts).replace(" ", "").replace("\n", "") == text.replace(" ", "").replace(
        "\n", "")


def test_file_without_words_of_its_own_carries_the_buttons() -> None:
    reply = Reply("", ((Button("Done", "lesson.more"),),), protect=True,
                  document=("agreement.pdf", b"%PDF"))
    [part] = render(reply, "n1")
    kwargs = part.document_kwargs()
    assert kwargs["protect_content"] is True and kwargs["caption"] is None
    assert kwargs["reply_markup"].inline_keyboard[0][0].callback_data == "lesson.more|n1|"


def test_long_button_label_is_shortened_for_a_phone() -> None:
    shortened = label("See also: " + "what happens if my child " * 10)
    assert len(shortened) <= 60 and shortened.endswith("…")
    assert label("Yes, ask the school") == "Yes, ask the school"


# --------------------------------------------------------------- groups, channels, failures

async def test_group_chat_is_told_once_to_use_private_chat(app, api, engine) -> None:
    group = {"id": -100123, "type": "supergroup", "title": "Year 3 parents"}
    await app.process_update(_update(app, 7, message=_message("/help", chat=group)))
    await app.process_update(_update(app, 8, message=_message("hello?", chat=group)))

    [sent] = api.made("sendMessage")
    assert sent["chat_id"] == -100123
    assert f"https://t.me/{BOT_USERNAME}" in sent["text"]
    assert _accounts(engine.db) == []


async def test_button_in_a_group_is_answered_and_changes_nothing(app, api, engine) -> None:
    query = {"id": "q9", "from": _user(), "chat_instance": "ci-2", "data": "help.show||",
             "message": {"message_id": 1, "date": DATE, "text": "hi",
                         "chat": {"id": -100123, "type": "supergroup", "title": "Year 3"}}}
    await app.process_update(_update(app, 10, callback_query=query))

    assert [call.endpoint for call in api.calls] == ["answerCallbackQuery"]
    assert _accounts(engine.db) == []


async def test_channel_post_is_ignored(app, api, engine) -> None:
    post = {"message_id": 3, "date": DATE, "text": "school news",
            "chat": {"id": -100999, "type": "channel", "title": "School news"}}
    await app.process_update(_update(app, 9, channel_post=post))
    assert api.calls == []
    assert _accounts(engine.db) == []


async def test_failure_while_answering_says_so_and_logs_no_text_or_token(
    app, api, engine, monkeypatch, caplog
) -> None:
    def broken(event: Event) -> Any:
        raise RuntimeError(f"database fell over while reading {event.text}")

    monkeypatch.setattr(engine, "handle", broken)
    caplog.set_level(logging.DEBUG)
    await say(app, "my private worry about my son", update_id=77)

    [text] = api.texts()
    assert "something went wrong" in text
    assert "update 77" in caplog.text and f"chat {FAMILY}" in caplog.text
    assert "RuntimeError" in caplog.text
    assert "private worry" not in caplog.text
    assert TOKEN not in caplog.text


# ------------------------------------------------------------------------------ start-up

async def test_start_up_publishes_commands_and_descriptions(app, api, engine) -> None:
    await app.post_init(app)

    menus = {m.get("language_code"): m for m in api.made("setMyCommands")}
    assert set(menus) == {None, "uk", "pl", "ro", "ar", "ur"}  # English for everyone else
    for commands in menus.values():
        assert [c["command"] for c in commands["commands"]] == [
            "start", "help", "faq", "language", "cancel"]
    assert menus[None]["commands"][1]["description"] == "What I can do"
    assert menus["uk"]["commands"][1]["description"] != "What I can do"
    descriptions = api.made("setMyDescription")
    assert len(descriptions) == 6
    for description in descriptions:
        assert engine.schools["demo"].name in description["description"]
        assert len(description["description"]) <= 512
    shorts = api.made("setMyShortDescription")
    assert len(shorts) == 6 and all(len(s["short_description"]) <= 120 for s in shorts)


async def test_set_my_commands_failure_does_not_stop_start_up(app, api, caplog) -> None:
    api.failing["setMyCommands"] = (404, "Not Found: method not found")
    api.failing["setMyShortDescription"] = (400, "Bad Request: method is not supported")
    caplog.set_level(logging.DEBUG)

    await app.post_init(app)

    assert api.made("setMyDescription")  # it carried on after the failure
    assert "setMyCommands" in caplog.text and "runs on without it" in caplog.text
    assert TOKEN not in caplog.text


async def test_bot_talks_to_the_configured_api_server(engine, api, tmp_path) -> None:
    application = await _running(engine, api, tmp_path,
                                 telegram_api_url="http://127.0.0.1:8081")
    try:
        assert api.calls[0].url == f"http://127.0.0.1:8081/bot{TOKEN}/getMe"
        assert application.bot.base_file_url == f"http://127.0.0.1:8081/file/bot{TOKEN}"
    finally:
        await application.shutdown()


def test_webhook_secret_is_derived_from_the_token_and_reveals_nothing() -> None:
    secret = webhook_secret(TOKEN)
    assert re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret)
    assert secret == webhook_secret(TOKEN) != webhook_secret("654321:another")
    assert TOKEN.split(":")[1] not in secret


def test_webhook_url_without_a_path_gets_one() -> None:
    assert webhook_route("https://bot.example.org") == (
        "telegram", "https://bot.example.org/telegram")
    assert webhook_route("https://bot.example.org/hooks/tg") == (
        "hooks/tg", "https://bot.example.org/hooks/tg")


@pytest.mark.parametrize("webhook", [None, "https://bot.example.org"])
def test_run_bot_polls_or_listens_on_a_webhook_with_a_secret(
    engine, tmp_path, monkeypatch, webhook
) -> None:
    runs: list[tuple[str, dict[str, Any]]] = []
    monkeypatch.setattr("assistant.runtime.build_engine", lambda settings, **kw: engine)
    monkeypatch.setattr("assistant.telegram.app.run_polling",
                        lambda application, **kw: runs.append(("polling", kw)))
    monkeypatch.setattr(Application, "run_webhook",
                        lambda self, **kw: runs.append(("webhook", kw)))

    telegram_app.run_bot(settings_for(tmp_path, webhook_url=webhook, port=8080),
                         default_school="demo")

    [(mode, kwargs)] = runs
    assert kwargs["allowed_updates"] == Update.ALL_TYPES
    if webhook is None:
        assert mode == "polling"
    else:
        assert mode == "webhook"
        assert kwargs["secret_token"] == webhook_secret(TOKEN)
        assert kwargs["webhook_url"] == "https://bot.example.org/telegram"
        assert (kwargs["listen"], kwargs["port"], kwargs["url_path"]) == (
            "0.0.0.0", 8080, "telegram")


async def test_a_webhook_worker_answers_telegram_only_after_the_update_was_handled(
    engine, api, tmp_path
) -> None:
    # The webhook server awaits update_queue.put before it answers Telegram: the reply must
    # already have gone by then, so a worker that dies mid-way leaves Telegram to resend.
    application = await _running(engine, api, tmp_path, webhook_url="https://bot.example.org")
    try:
        api.calls.clear()
        await application.update_queue.put(_update(application, 31, message=_message("/help")))
        assert api.made("sendMessage"), "the update was queued, not handled"
        assert application.update_queue.empty()
    finally:
        await application.shutdown()


# -------------------------------------------------------------------------------- outbox

def _queue(engine: Engine, clock: Clock, payload: dict[str, Any],
           recipient: str = f"telegram:{FAMILY}") -> None:
    with transaction(engine.db) as session:
        enqueue(session=session, school=engine.schools["demo"], recipient=recipient,
                kind="reminder", payload=payload, dedupe_key="reminder-1", not_before=clock.now)


def _outbox_row(engine: Engine) -> OutboxMessage:
    with Session(engine.db) as session:
        return session.exec(select(OutboxMessage)).one()


async def _run_outbox(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    [job] = app.job_queue.get_jobs_by_name(OUTBOX_JOB)
    await job.run(app)


async def test_outbox_job_runs_every_five_seconds(app) -> None:
    [job] = app.job_queue.get_jobs_by_name(OUTBOX_JOB)
    assert job.trigger.interval.total_seconds() == OUTBOX_INTERVAL_SECONDS == 5


async def test_outbox_message_is_sent_through_the_bot(app, api, engine, clock) -> None:
    _queue(engine, clock, {
        "text": "Reminder: the live lesson starts at 10:30.",
        "buttons": [[{"label": "What to wear", "action": "questions.show",
                      "payload": "live-dress"}]],
        "protect": True,
    })

    await _run_outbox(app)

    [sent] = api.made("sendMessage")
    assert sent["chat_id"] == FAMILY
    assert sent["text"] == "Reminder: the live lesson starts at 10:30."
    assert sent["protect_content"] is True
    [(label_text, data)] = buttons_of(sent)
    assert label_text == "What to wear"
    assert decode_button(data) == ("questions.show", "", "live-dress")
    assert _outbox_row(engine).status == SENT


async def test_outbox_button_press_opens_the_faq_entry(app, api, engine, clock) -> None:
    _queue(engine, clock, {"text": "Before the lesson:", "buttons": [[
        {"label": "What to wear", "action": "questions.show", "payload": "live-dress"}]]})
    await _run_outbox(app)
    data = buttons_of(api.made("sendMessage")[0])[0][1]
    api.calls.clear()

    await press(app, data)

    [answer] = api.texts()
    assert "expired" not in answer


@pytest.mark.parametrize("status, description", [
    (403, "Forbidden: bot was blocked by the user"),
    (400, "Bad Request: chat not found"),
])
async def test_outbox_message_to_a_chat_that_is_gone_fails_for_good(
    app, api, engine, clock, status, description
) -> None:
    api.failing["sendMessage"] = (status, description)
    _queue(engine, clock, {"text": "Reminder"})

    await _run_outbox(app)

    row = _outbox_row(engine)
    assert (row.status, row.attempts) == (FAILED, 1)


async def test_outbox_message_is_retried_after_a_passing_failure(app, api, engine, clock) -> None:
    api.failing["sendMessage"] = (502, "Bad Gateway")
    _queue(engine, clock, {"text": "Reminder"})

    await _run_outbox(app)

    row = _outbox_row(engine)
    assert (row.status, row.attempts) == ("pending", 1)


@pytest.mark.parametrize("recipient, payload", [
    ("console:terminal-parent", {"text": "Reminder"}),
    (f"telegram:{FAMILY}", {"buttons": "not rows"}),
    (f"telegram:{FAMILY}", {"text": "x", "buttons": [[{"label": "a", "action": "BAD ACTION"}]]}),
])
async def test_outbox_message_that_can_never_be_sent_fails_without_a_call(
    app, api, engine, clock, recipient, payload
) -> None:
    _queue(engine, clock, payload, recipient=recipient)

    await _run_outbox(app)

    assert api.made("sendMessage") == []
    assert _outbox_row(engine).status == FAILED


async def test_an_edited_message_about_danger_still_gets_the_help_first(app, api) -> None:
    edited = _message("my husband hits my son", edit_date=DATE + 5)
    await app.process_update(_update(app, 7, edited_message=edited))

    texts = api.texts()
    assert "999" in texts[0] and "0808 800 5000" in texts[0]


async def test_a_document_whose_caption_is_about_danger_gets_the_help(app, api) -> None:
    document = {"file_id": "d", "file_unique_id": "d1", "file_name": "note.pdf"}
    await app.process_update(_update(app, 8, message=_message(
        caption="my daughter has been missing since this morning", document=document)))

    assert "999" in api.texts()[0]


def test_see_also_labels_end_on_a_whole_word(engine) -> None:
    entries = {e.id: e for e in engine.services.matcher("en").entries}
    cut = 0
    for entry in entries.values():
        for other in entry.see_also[:2]:
            if other not in entries:
                continue
            full = f"See also: {entries[other].question}"
            shown = label(full)
            if shown == full:
                continue
            cut += 1
            kept = shown.removesuffix("…")
            assert shown.endswith("…") and full.startswith(kept), shown
            assert full[len(kept)] in " ,;:-", f"cut mid-word: {shown!r}"
    assert cut, "no see-also label is long enough to be shortened"


class _FlakyBot:
    """A bot whose connection drops on the first tries of each message."""

    def __init__(self, failures: list[Exception]) -> None:
        self.failures = failures
        self.sent: list[str] = []

    async def send_message(self, chat_id: int, text: str, **_: Any) -> str:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append(text)
        return text


def test_a_reply_lost_to_a_dropped_connection_is_sent_again() -> None:
    from telegram.error import NetworkError, TimedOut

    from assistant.telegram.render import send_reply

    bot = _FlakyBot([NetworkError("httpx.ReadError"), TimedOut()])
    asyncio.run(send_reply(bot, FAMILY, Reply("Call 999 now"), ""))  # type: ignore[arg-type]
    assert bot.sent == ["Call 999 now"]


def test_a_message_telegram_refuses_is_not_sent_again() -> None:
    from telegram.error import BadRequest

    from assistant.telegram.render import send_reply

    bot = _FlakyBot([BadRequest("chat not found")])
    with pytest.raises(BadRequest):
        asyncio.run(send_reply(bot, FAMILY, Reply("hello"), ""))  # type: ignore[arg-type]
    assert bot.sent == []

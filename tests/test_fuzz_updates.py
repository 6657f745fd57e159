"""Whatever arrives from Telegram, the bot answers or ignores it and never fails.

Hypothesis generates updates of every kind the bot receives (text, commands with odd
arguments, button presses with forged, tampered and oversized data, edits, captions, group and
channel posts) from a linked parent, a teacher, the DSL, strangers and absurd ids, and feeds
them through the real Application. The error handler must never be reached.
"""

from __future__ import annotations

import asyncio
import itertools
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from telegram import Update

from assistant.engine import Engine
from assistant.settings import Settings
from assistant.telegram.app import build_application
from assistant.testing.loopback import LoopbackBotApi
from tests.family import add_family, add_staff

TOKEN = "123456:fuzz-token"
PARENT, TEACHER, DSL = 100, 900, 902
USERS = st.sampled_from([PARENT, PARENT, TEACHER, DSL, 555, 1, 2**40, 9_999_999_999])
ACTIONS = ["concerns_family.urgent", "concerns_family.who", "concerns_staff.ack",
           "concerns_staff.resolve", "questions_family.pass", "questions_staff.reply",
           "live_rsvp.accept", "live_rsvp.decline", "live_manage.move", "live_manage.cancel",
           "agreements_family.child", "agreements_family.sign", "onboarding.set_language",
           "account.confirm", "staff.families", "agreements_staff.remind", "help.show"]
PAYLOADS = st.one_of(
    st.just(""), st.integers(-10**20, 10**20).map(str),
    st.from_regex(r"[A-Z0-9]{1,12}", fullmatch=True),
    st.tuples(st.integers(0, 10**12), st.integers(-5, 10**12)).map(lambda p: f"{p[0]}:{p[1]}"),
    st.sampled_from(["uk", "ar", "zz", "en"]),
)
CALLBACK_DATA = st.one_of(
    st.text(max_size=80),
    st.tuples(st.sampled_from(ACTIONS), st.from_regex(r"[A-Za-z0-9]{0,12}", fullmatch=True),
              PAYLOADS).map(lambda t: "|".join(t)),
    st.tuples(st.sampled_from(ACTIONS), PAYLOADS).map(lambda t: f"{t[0]}||{t[1]}"),
)
COMMANDS = ["/start", "/help", "/agreement", "/concern", "/worry", "/language", "/mydata",
            "/forget", "/unlink", "/cancel", "/concerns", "/questions", "/sessions",
            "/newsession", "/agreements", "/families", "/", "/ ", "/start@school_aup_bot",
            "/START", "/x" * 40]
TEXTS = st.one_of(
    st.text(max_size=300),
    st.tuples(st.sampled_from(COMMANDS), st.text(max_size=40)).map(" ".join),
    st.sampled_from(["my husband hits my son", "a teacher touched my child", "yes", "ok",
                     "can i record the lesson", "wed 10:00", "https://meet.example.com/x",
                     "Noor Khan", "9999999999999999999999", "\u202e\u200f", "٣٤٥", "",
                     "nul\x00byte", "\x00"]),
    st.sampled_from(["x" * 4096, "ب" * 4096, "довгий текст " * 315, "😀" * 4096]),
)
CHATS = st.sampled_from(["private"] * 8 + ["group", "supergroup", "channel"])


def _chat(user: int, kind: str) -> dict[str, Any]:
    return {"id": user if kind == "private" else -100_000 - user % 1000, "type": kind,
            "title": "Class group"} if kind != "private" else {"id": user, "type": "private",
                                                                "first_name": "P"}


@st.composite
def updates(draw: st.DrawFn) -> dict[str, Any]:
    user = draw(USERS)
    kind = draw(CHATS)
    sender = {"id": user, "is_bot": False, "first_name": "P",
              "language_code": draw(st.sampled_from(["en", "uk", "ar", "xx", None]))}
    message: dict[str, Any] = {"message_id": draw(st.integers(1, 2**31 - 1)),
                               "date": 1_795_000_000, "chat": _chat(user, kind)}
    if kind != "channel":
        message["from"] = sender
    shape = draw(st.sampled_from(["text", "text", "text", "button", "button", "edit",
                                  "caption", "sticker"]))
    if shape == "button":
        return {"callback_query": {"id": str(draw(st.integers(1, 10**9))), "from": sender,
                                   "chat_instance": "1", "data": draw(CALLBACK_DATA),
                                   "message": {**message, "text": "old"}}}
    if shape == "caption":
        message["caption"] = draw(TEXTS)
        message["photo"] = [{"file_id": "f", "file_unique_id": "u", "width": 1, "height": 1}]
    elif shape == "sticker":
        message["sticker"] = {"file_id": "s", "file_unique_id": "s", "width": 1, "height": 1,
                              "is_animated": False, "is_video": False, "type": "regular"}
    else:
        text = draw(TEXTS)
        if text:
            message["text"] = text
            if text.startswith("/"):
                message["entities"] = [{"type": "bot_command", "offset": 0,
                                        "length": max(1, len(text.split()[0]) if text.split()
                                                      else 1)}]
        else:
            message["sticker"] = {"file_id": "s", "file_unique_id": "s", "width": 1,
                                  "height": 1, "is_animated": False, "is_video": False,
                                  "type": "regular"}
    if shape == "edit":
        message["edit_date"] = 1_795_000_100
        return {"edited_message": message}
    return {"channel_post": message} if kind == "channel" else {"message": message}


def _linked(engine: Engine, clock: Any) -> list[dict[str, Any]]:
    codes = {PARENT: add_family(engine.db, clock.now, parent="Noor Khan",
                                children=[("Ava", "3B", "3")]),
             TEACHER: add_staff(engine.db, clock.now, name="Ms Teacher", role="teacher",
                                class_code="3B"),
             DSL: add_staff(engine.db, clock.now, name="Mrs Safe", role="dsl")}
    return [{"message": {"message_id": 1, "date": 1_795_000_000, "text": f"/start {code}",
                         "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
                         "chat": {"id": user, "type": "private", "first_name": "P"},
                         "from": {"id": user, "is_bot": False, "first_name": "P"}}}
            for user, code in codes.items()]


def test_ten_thousand_generated_updates_never_reach_the_error_handler(
        engine: Engine, clock: Any, tmp_path: Path) -> None:
    total = 10_000 if engine.db.dialect.name == "sqlite" else 2_000
    batch = 10
    settings_ = Settings(database_url="sqlite://", data_dir=tmp_path, telegram_bot_token=TOKEN)
    application = build_application(settings_, engine, request=LoopbackBotApi(),
                                    rate_limited=False)
    failures: list[BaseException] = []

    async def count(update: object, context: Any) -> None:
        failures.append(context.error)

    application.add_error_handler(count)
    loop = asyncio.new_event_loop()
    ids = itertools.count(1)
    seen = [0]

    async def feed(raw: list[dict[str, Any]]) -> None:
        for data in raw:
            await application.process_update(
                Update.de_json({"update_id": next(ids), **data}, application.bot))
            seen[0] += 1

    try:
        loop.run_until_complete(application.initialize())
        loop.run_until_complete(feed(_linked(engine, clock)))

        @settings(max_examples=total // batch, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(st.lists(updates(), min_size=batch, max_size=batch))
        def run(raw: list[dict[str, Any]]) -> None:
            loop.run_until_complete(feed(raw))
            assert not failures, f"the error handler was reached: {failures[0]!r}"

        run()
    finally:
        loop.run_until_complete(application.shutdown())
        loop.close()
    assert seen[0] >= total and not failures

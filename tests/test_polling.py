"""Long polling confirms an update to Telegram only after it was handled, so a crash loses
nothing; one chat's updates are handled in order, different chats' side by side."""

from __future__ import annotations

import asyncio
from typing import Any

from telegram import Update

from assistant.telegram.polling import ConfirmingPoller


def _update(update_id: int, chat: int, text: str) -> Update:
    return Update.de_json({"update_id": update_id, "message": {
        "message_id": update_id, "date": 0, "text": text,
        "chat": {"id": chat, "type": "private"},
        "from": {"id": chat, "is_bot": False, "first_name": "P"}}}, None)


class FakeTelegram:
    """getUpdates as Telegram answers it: an offset confirms (drops) everything before it."""

    def __init__(self, updates: list[Update]) -> None:
        self.waiting = list(updates)
        self.offsets: list[int | None] = []

    async def get_updates(self, offset: int | None = None, timeout: int = 0,
                          **_: Any) -> tuple[Update, ...]:
        self.offsets.append(offset)
        if offset is not None:
            self.waiting = [u for u in self.waiting if u.update_id >= offset]
        if not self.waiting:
            await asyncio.sleep(0.01)
        return tuple(self.waiting)


class FakeApplication:
    def __init__(self, bot: FakeTelegram, slow: set[str] | None = None,
                 crash_on: str | None = None) -> None:
        self.bot = bot
        self.handled: list[str] = []
        self.slow = slow or set()
        self.crash_on = crash_on
        self.stop = asyncio.Event()

    async def process_update(self, update: Update) -> None:
        text = update.message.text  # type: ignore[union-attr]
        if text == self.crash_on:
            self.stop.set()  # the process dies while this one is in hand
            await asyncio.sleep(3600)
        if text in self.slow:
            await asyncio.sleep(0.05)
        self.handled.append(text)


def _run(application: FakeApplication, until: int) -> None:
    async def main() -> None:
        poller = ConfirmingPoller(application, long_poll=0, finish=0.2)  # type: ignore[arg-type]
        task = asyncio.create_task(poller.run(application.stop))
        while len(application.handled) < until and not application.stop.is_set():
            await asyncio.sleep(0.01)
        application.stop.set()
        await asyncio.wait_for(task, timeout=40)

    asyncio.run(main())


def test_a_handled_update_is_confirmed_and_not_handled_again() -> None:
    telegram = FakeTelegram([_update(1, 10, "a"), _update(2, 11, "b")])
    application = FakeApplication(telegram)
    _run(application, until=2)
    assert sorted(application.handled) == ["a", "b"]
    assert telegram.offsets[-1] == 3 and telegram.waiting == []


def test_an_update_in_hand_when_the_bot_dies_is_sent_again_to_the_next_run() -> None:
    telegram = FakeTelegram([_update(1, 10, "a"), _update(2, 11, "report"),
                             _update(3, 12, "c")])
    dying = FakeApplication(telegram, crash_on="report")
    _run(dying, until=3)
    # Telegram still holds the report: everything from it on was never confirmed.
    assert [u.update_id for u in telegram.waiting][:1] == [2]
    again = FakeApplication(telegram)
    _run(again, until=len(telegram.waiting))
    assert "report" in again.handled and "a" not in again.handled


def test_one_chats_updates_are_handled_in_the_order_they_came() -> None:
    telegram = FakeTelegram([_update(1, 10, "first"), _update(2, 10, "second"),
                             _update(3, 11, "other chat")])
    application = FakeApplication(telegram, slow={"first"})
    _run(application, until=3)
    handled = application.handled
    assert handled.index("first") < handled.index("second")
    # The other chat did not wait behind the slow one.
    assert handled.index("other chat") < handled.index("first")

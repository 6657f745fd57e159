"""Long polling that confirms an update to Telegram only once it has been handled.

python-telegram-bot's poller confirms each batch as soon as it has fetched it, before the
handlers have run, so a crash loses whatever was fetched and not yet handled: a report of
danger, the tap that sends it to the school. Here an update stays unconfirmed until it has
been handled (its replies sent and its writes committed), so after a crash Telegram sends it
again. Updates from different chats are handled side by side; one chat's in the order they
came. What is handled twice after a crash is at most what was in hand when it came.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Sequence
from typing import Any

from telegram import Update
from telegram.error import NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import Application

log = logging.getLogger(__name__)

# Seconds Telegram holds a getUpdates call open when nothing is waiting.
LONG_POLL_SECONDS = 10
# At most this many updates in hand at once (Telegram gives at most 100 a call).
IN_HAND = 100


class ConfirmingPoller:
    """Fetches updates, handles them, and confirms each one only after it was handled."""

    def __init__(self, application: Application[Any, Any, Any, Any, Any, Any],
                 allowed_updates: Sequence[str] | None = None,
                 long_poll: int = LONG_POLL_SECONDS, finish: float = 30.0) -> None:
        self.application = application
        self.allowed_updates = list(allowed_updates) if allowed_updates is not None else None
        self.long_poll = long_poll
        self.finish = finish  # seconds a stop waits for what is in hand
        self.in_hand: dict[int, asyncio.Task[None]] = {}
        self.last_of_chat: dict[int, asyncio.Task[None]] = {}
        self.highest = 0  # the highest update id handled or in hand

    def offset(self) -> int | None:
        """What to confirm: everything before the oldest update still in hand."""
        if self.in_hand:
            return min(self.in_hand)
        return self.highest + 1 if self.highest else None

    async def run(self, stop: asyncio.Event) -> None:
        """Polls until `stop` is set, then finishes what is in hand and confirms it."""
        failures = 0
        while not stop.is_set():
            try:
                updates = await self._fetch(stop)
                failures = 0
            except RetryAfter as wait:
                await _sleep(stop, float(wait.retry_after if isinstance(wait.retry_after, int)
                                         else wait.retry_after.total_seconds()))
                continue
            except (TimedOut, NetworkError) as error:
                failures += 1
                log.warning("getUpdates failed (%s); trying again", type(error).__name__)
                await _sleep(stop, min(30.0, 0.5 * 2 ** min(failures, 6)))
                continue
            fresh = [u for u in updates if u.update_id not in self.in_hand
                     and u.update_id > self.highest]
            for update in fresh:
                self._take(update)
            if not fresh and self.in_hand:
                # Everything Telegram offered is already in hand: wait for some of it to end.
                await asyncio.wait(list(self.in_hand.values()), timeout=0.5,
                                   return_when=asyncio.FIRST_COMPLETED)
        if self.in_hand:
            await asyncio.wait(list(self.in_hand.values()), timeout=self.finish)
        with contextlib.suppress(TelegramError):
            offset = self.offset()
            if offset is not None:  # confirms the last ones, as a clean stop should
                await self.application.bot.get_updates(offset=offset, timeout=0)

    async def _fetch(self, stop: asyncio.Event) -> tuple[Update, ...]:
        # A short poll while updates are in hand: their confirmations should not wait.
        timeout = 0 if self.in_hand else self.long_poll
        if len(self.in_hand) >= IN_HAND:
            await asyncio.wait(list(self.in_hand.values()), return_when=asyncio.FIRST_COMPLETED)
        fetch = asyncio.ensure_future(self.application.bot.get_updates(
            offset=self.offset(), timeout=timeout, allowed_updates=self.allowed_updates,
            read_timeout=timeout + 10))
        stopping = asyncio.ensure_future(stop.wait())
        await asyncio.wait({fetch, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if not fetch.done():
            fetch.cancel()
            stopping.cancel()
            return ()
        stopping.cancel()
        return fetch.result()

    def _take(self, update: Update) -> None:
        self.highest = max(self.highest, update.update_id)
        chat = update.effective_chat.id if update.effective_chat else 0
        before = self.last_of_chat.get(chat)
        task = asyncio.create_task(self._handle(update, before))
        self.in_hand[update.update_id] = task
        self.last_of_chat[chat] = task

        def done(finished: asyncio.Task[None], update_id: int = update.update_id) -> None:
            self.in_hand.pop(update_id, None)
            if self.last_of_chat.get(chat) is finished:
                del self.last_of_chat[chat]

        task.add_done_callback(done)

    async def _handle(self, update: Update, before: asyncio.Task[None] | None) -> None:
        if before is not None:  # one chat's updates in the order they came
            with contextlib.suppress(Exception):
                await asyncio.shield(before)
        # The application's error handler sees any failure; nothing escapes from here.
        await self.application.process_update(update)


async def _sleep(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


def run_polling(application: Application[Any, Any, Any, Any, Any, Any],
                allowed_updates: Sequence[str] | None = None) -> None:
    """Runs the application with the confirming poller until SIGINT or SIGTERM."""

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await application.initialize()
        try:
            await application.bot.delete_webhook(drop_pending_updates=False)
            if application.post_init is not None:
                await application.post_init(application)
            await application.start()
            try:
                await ConfirmingPoller(application, allowed_updates).run(stop)
            finally:
                await application.stop()
        finally:
            await application.shutdown()

    asyncio.run(main())

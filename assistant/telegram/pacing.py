"""Telegram's limits, kept before Telegram has to enforce them.

python-telegram-bot's AIORateLimiter keeps the overall rate (30 messages a second) and each
group's, but not a private chat's: Telegram asks for no more than one message a second to
one chat. Two replies in a row ("help first", then the button that tells the school) would
earn a flood-wait answer, and the limiter then holds every chat's messages while it waits.
This limiter also spaces the messages to each private chat, so one family's second reply
waits a second and nobody else's does.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Coroutine
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.ext import AIORateLimiter

from assistant.send_budget import SendBudget

# One message a second to a private chat, with a margin for the time a request takes.
CHAT_MESSAGES = 1
CHAT_SECONDS = 1.1
# Seconds after its moment that a message counts as late, and moves its chat's next moment on.
LATE = 0.02
# Limiters kept before idle ones are let go.
KEPT = 512


def _sends_message(endpoint: str) -> bool:
    return endpoint.startswith(("send", "copy", "forward"))


class PacedRateLimiter(AIORateLimiter):
    """AIORateLimiter, plus at most one message a second to each private chat. With a shared
    budget (several workers on one database) the bot's and each chat's pace are kept in the
    database instead, for all the workers together."""

    def __init__(self, budget: SendBudget | None = None, **kwargs: Any) -> None:
        if budget is not None:
            kwargs["overall_max_rate"] = 0  # the shared budget keeps the overall pace
        super().__init__(**kwargs)
        self._chats: dict[int, AsyncLimiter] = {}
        self.budget = budget

    def _chat_limiter(self, chat_id: int) -> AsyncLimiter:
        if len(self._chats) > KEPT:
            for key, limiter in list(self._chats.items()):
                if key != chat_id and limiter.has_capacity(CHAT_MESSAGES):
                    del self._chats[key]
        if chat_id not in self._chats:
            self._chats[chat_id] = AsyncLimiter(CHAT_MESSAGES, CHAT_SECONDS)
        return self._chats[chat_id]

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        """Waits for the chat's turn (a private chat, a message), then the overall limits."""
        chat_id: int | None = None
        with contextlib.suppress(ValueError, TypeError):
            chat_id = int(data.get("chat_id"))  # type: ignore[arg-type]
        if self.budget is not None and _sends_message(endpoint):
            budget = self.budget

            async def paced(*call_args: Any, **call_kwargs: Any) -> Any:
                # Every attempt takes its own moment, the retry after a flood-wait answer
                # included; a retry sent on the old moment would meet the chat's next message.
                moment = await asyncio.to_thread(budget.reserve_at, chat_id)
                wait = moment - budget.clock()
                if wait > 0:
                    await asyncio.sleep(wait)
                # Late by the database's answer, the way back to the event loop or a long
                # sleep: the chat's next message must keep its gap from now, not the moment.
                sent_at = budget.clock()
                if chat_id is not None and sent_at - moment > LATE:
                    await asyncio.to_thread(budget.sent_late, chat_id, sent_at)
                return await callback(*call_args, **call_kwargs)

            return await super().process_request(paced, args, kwargs, endpoint, data,
                                                 rate_limit_args)
        if chat_id is None or chat_id < 0 or not _sends_message(endpoint):
            return await super().process_request(callback, args, kwargs, endpoint, data,
                                                 rate_limit_args)
        async with self._chat_limiter(chat_id):
            return await super().process_request(callback, args, kwargs, endpoint, data,
                                                 rate_limit_args)

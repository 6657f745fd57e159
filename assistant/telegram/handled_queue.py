"""A webhook worker answers Telegram only once the update has been handled.

python-telegram-bot's webhook server puts each update in the application's queue and answers
200 at once, so a worker that dies loses what was queued and not yet handled. With this queue
as the application's, putting an update handles it, and the server's answer waits for that:
a worker killed mid-way never answers, and Telegram sends the update again (to any worker).
"""

from __future__ import annotations

import asyncio
from typing import Any

from telegram import Update


class HandleOnPut(asyncio.Queue[object]):
    """An update queue whose put() handles an update (anything else is queued as usual)."""

    def __init__(self) -> None:
        super().__init__()
        self.application: Any = None  # set once the application is built

    async def put(self, item: object) -> None:
        """Handles an update before returning; the application's error handler sees failures."""
        if isinstance(item, Update) and self.application is not None:
            await self.application.process_update(item)
            return
        await super().put(item)

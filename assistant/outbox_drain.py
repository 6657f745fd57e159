"""Sending a large backlog in one go: batch after batch, one drain at a time."""

from __future__ import annotations

import asyncio
import logging

from assistant.outbox import Dispatcher

log = logging.getLogger(__name__)


class Drainer:
    """Runs a dispatcher until a batch comes back short; a second caller meanwhile returns.

    The outbox job ticks every few seconds and one batch is 50 messages: sending only one
    batch a tick would hold a year group's invitations to 10 a second. Draining keeps the
    sender busy up to the rate limiter's 30 a second, and the lock keeps a tick that comes
    while a drain is still running from sending beside it (which would break per-chat order).
    """

    def __init__(self, dispatcher: Dispatcher) -> None:
        self.dispatcher = dispatcher
        self.lock = asyncio.Lock()
        self.again = False

    async def __call__(self) -> int:
        """Sends everything that is due, batch by batch; returns how many went. A call that
        comes while a drain runs makes that drain look once more before it ends."""
        if self.lock.locked():
            self.again = True
            return 0
        total = 0
        async with self.lock:
            while True:
                self.again = False
                sent = await self.dispatcher.run_once()
                total += sent
                if sent < self.dispatcher.batch and not self.again:
                    return total

    async def _woken(self) -> int:
        try:
            return await self()
        except Exception:  # the next tick tries again; say why this one failed
            log.exception("outbox: sending at once failed")
            return 0

    def wake(self) -> None:
        """Starts a drain now (from the event loop), for a message that is due at once."""
        task = asyncio.get_running_loop().create_task(self._woken())
        _RUNNING.add(task)
        task.add_done_callback(_RUNNING.discard)


# Woken drains, kept referenced until they end (the loop holds tasks only weakly).
_RUNNING: set[asyncio.Task[int]] = set()

"""Sending a large backlog in one go: batch after batch, one drain at a time."""

from __future__ import annotations

import asyncio

from assistant.outbox import Dispatcher


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

    async def __call__(self) -> int:
        """Sends everything that is due, batch by batch; returns how many went."""
        if self.lock.locked():
            return 0
        total = 0
        async with self.lock:
            while True:
                sent = await self.dispatcher.run_once()
                total += sent
                if sent < self.dispatcher.batch:
                    return total

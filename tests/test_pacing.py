"""Messages keep to Telegram's pace through the shared budget, retries included."""

from __future__ import annotations

import asyncio

from telegram.error import RetryAfter

from assistant.telegram.pacing import PacedRateLimiter


class CountingBudget:
    """Stands in for the database budget: every reservation is written down, none waits."""

    def __init__(self, *, late_by: float = 0.0) -> None:
        self.reserved: list[int | None] = []
        self.late: list[tuple[int, float]] = []
        self.now, self.late_by = 1_000.0, late_by

    def clock(self) -> float:
        self.now += self.late_by / 3  # read at the reservation, before the wait and after it
        return self.now

    def reserve_at(self, chat_id: int | None) -> float:
        self.reserved.append(chat_id)
        return self.clock()

    def sent_late(self, chat_id: int, sent_at: float) -> None:
        self.late.append((chat_id, sent_at))


def test_a_message_refused_for_flooding_takes_a_new_moment_before_it_is_sent_again() -> None:
    budget = CountingBudget()
    limiter = PacedRateLimiter(budget, max_retries=2)  # type: ignore[arg-type]
    attempts: list[int] = []

    async def send() -> dict[str, bool]:
        attempts.append(len(budget.reserved))
        if len(attempts) == 1:
            raise RetryAfter(0)
        return {"ok": True}

    async def run() -> object:
        await limiter.initialize()
        return await limiter.process_request(send, (), {}, "sendMessage", {"chat_id": 42},
                                             None)

    assert asyncio.run(run()) == {"ok": True}
    # Each attempt went only after a moment of its own was reserved for that chat.
    assert budget.reserved == [42, 42]
    assert attempts == [1, 2]


def test_requests_that_send_nothing_take_no_moment_from_the_budget() -> None:
    budget = CountingBudget()
    limiter = PacedRateLimiter(budget)  # type: ignore[arg-type]

    async def answer() -> bool:
        return True

    async def run() -> object:
        await limiter.initialize()
        return await limiter.process_request(answer, (), {}, "answerCallbackQuery",
                                             {"callback_query_id": "1"}, None)

    assert asyncio.run(run()) is True
    assert budget.reserved == []


def _send_one_message(budget: CountingBudget) -> object:
    """Sends one message to chat 42 through the limiter with this budget."""
    limiter = PacedRateLimiter(budget)  # type: ignore[arg-type]

    async def send() -> bool:
        return True

    async def run() -> object:
        await limiter.initialize()
        return await limiter.process_request(send, (), {}, "sendMessage", {"chat_id": 42},
                                             None)

    return asyncio.run(run())


def test_a_message_that_went_late_moves_its_chats_next_moment_on() -> None:
    budget = CountingBudget(late_by=0.3)
    assert _send_one_message(budget) is True
    assert [chat for chat, _ in budget.late] == [42]


def test_a_message_sent_on_its_moment_costs_no_extra_statement() -> None:
    budget = CountingBudget()
    assert _send_one_message(budget) is True
    assert budget.reserved == [42]
    assert budget.late == []

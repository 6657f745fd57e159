"""Several workers share Telegram's limits through the database: together they keep to about
30 messages a second for the bot and one a second to each chat."""

from __future__ import annotations

import pytest

from assistant.send_budget import BOT_GAP, CHAT_GAP, SendBudget


def test_two_workers_sending_to_one_chat_are_spaced_a_second_apart(engine) -> None:
    now = [1_000.0]
    one, two = (SendBudget(engine.db, clock=lambda: now[0]) for _ in range(2))
    assert one.reserve(42) == 0.0
    assert two.reserve(42) == pytest.approx(CHAT_GAP)
    assert one.reserve(42) == pytest.approx(2 * CHAT_GAP)


def test_different_chats_only_share_the_bots_thirty_a_second(engine) -> None:
    now = [1_000.0]
    one, two = (SendBudget(engine.db, clock=lambda: now[0]) for _ in range(2))
    waits = [budget.reserve(chat) for chat, budget in zip(range(60), [one, two] * 30,
                                                           strict=False)]
    assert waits == pytest.approx([i * BOT_GAP for i in range(60)])
    # A second later the bot's budget has caught up with the clock again.
    now[0] += 3.0
    assert one.reserve(999) == 0.0

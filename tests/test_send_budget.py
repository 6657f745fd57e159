"""Several workers share Telegram's limits through the database: together they keep to about
30 messages a second for the bot and one a second to each chat."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from assistant.models import SendPace
from assistant.send_budget import BOT_GAP, CHAT_GAP, IDLE_SECONDS, SendBudget


def test_two_workers_sending_to_one_chat_are_spaced_a_second_apart(engine) -> None:
    now = [1_000.0]
    one, two = (SendBudget(engine.db, clock=lambda: now[0]) for _ in range(2))
    assert one.reserve_at(42) == 1_000.0
    assert two.reserve_at(42) == pytest.approx(1_000.0 + CHAT_GAP)
    assert one.reserve_at(42) == pytest.approx(1_000.0 + 2 * CHAT_GAP)


def test_different_chats_only_share_the_bots_thirty_a_second(engine) -> None:
    now = [1_000.0]
    one, two = (SendBudget(engine.db, clock=lambda: now[0]) for _ in range(2))
    moments = [budget.reserve_at(chat) for chat, budget in zip(range(60), [one, two] * 30,
                                                                strict=False)]
    assert moments == pytest.approx([1_000.0 + i * BOT_GAP for i in range(60)])
    # A second later the bot's budget has caught up with the clock again.
    now[0] += 3.0
    assert one.reserve_at(999) == now[0]


def test_a_message_that_went_late_keeps_a_full_gap_before_the_chats_next(engine) -> None:
    now = [1_000.0]
    one, two = (SendBudget(engine.db, clock=lambda: now[0]) for _ in range(2))
    assert one.reserve_at(42) == 1_000.0
    one.sent_late(42, 1_000.3)  # its worker was busy, and it went 0.3 s after its moment
    assert two.reserve_at(42) == pytest.approx(1_000.3 + CHAT_GAP)
    assert two.reserve_at(7) == pytest.approx(1_000.0 + 2 * BOT_GAP)  # other chats go on


def test_a_chat_is_not_named_in_the_budget_a_minute_after_its_last_message(engine) -> None:
    now = [1_000.0]
    budget = SendBudget(engine.db, clock=lambda: now[0])
    budget.reserve_at(42)
    now[0] += 30.0
    budget.reserve_at(7)
    now[0] += IDLE_SECONDS - 20.0
    assert budget.forget_idle() == 1  # chat 42, idle for a minute; chat 7 and the bot stay
    with Session(engine.db) as session:
        assert sorted(row.key for row in session.exec(select(SendPace))) == ["bot", "chat:7"]

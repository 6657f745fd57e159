"""The flow engine: conversations are remembered, stale buttons change nothing."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from assistant.engine import Context, Engine, Outcome, State
from assistant.events import BadButtonError, Button, Event, Reply, decode_button, encode_button
from assistant.models import Conversation, UnansweredQuestion
from assistant.runtime import build_services


@dataclass
class Counter:
    """A test flow: /count starts it, "more" adds one, "boom" fails after writing."""

    name: str = "counter"
    commands: frozenset[str] = frozenset({"count"})
    entry_actions: frozenset[str] = frozenset({"counter.start"})

    def handle(self, ctx: Context, event: Event, state: State | None) -> Outcome:
        count = int(state.data["n"]) if state and not event.command else 0
        if event.text == "boom":
            ctx.session.add(UnansweredQuestion(school_id="demo", locale="en", text="written",
                                               reason="test"))
            ctx.session.flush()
            raise RuntimeError("the flow failed half-way")
        if event.action == "counter.stop":
            return Outcome([Reply(f"stopped at {count}")])
        count += 1
        return Outcome([Reply(f"count {count}", ((Button("more", "counter.more"),
                                                   Button("stop", "counter.stop")),))],
                       State("counter", "counting", {"n": count}))


@pytest.fixture
def counting(db: sa.Engine, schools, clock) -> Engine:
    from flows import all_flows

    return Engine(db=db, flows=[*all_flows(), Counter()], schools=schools,
                  default_school="demo", text_flow="questions",
                  services=build_services(schools), clock=clock)


def say(engine: Engine, text: str, user: str = "7"):
    return engine.handle(Event("test", user, user, text=text))


def press(engine: Engine, action: str, nonce: str, payload: str = "", user: str = "7"):
    return engine.handle(Event("test", user, user, action=action, payload=payload, nonce=nonce))


def test_conversation_continues_where_it_left_off(counting: Engine) -> None:
    first = say(counting, "/count")
    second = press(counting, "counter.more", first.nonce)
    assert second.replies[0].text == "count 2"
    third = say(counting, "anything")
    assert third.replies[0].text == "count 3"


def test_button_from_an_old_message_has_expired_and_changes_nothing(counting: Engine) -> None:
    first = say(counting, "/count")
    press(counting, "counter.more", first.nonce)
    stale = press(counting, "counter.more", first.nonce)  # the same old button again
    assert "expired" in stale.replies[0].text
    with Session(counting.db) as session:
        assert session.exec(select(Conversation)).one().data == {"n": 2}


def test_double_tap_on_a_button_acts_once(counting: Engine) -> None:
    first = say(counting, "/count")
    press(counting, "counter.stop", first.nonce)
    again = press(counting, "counter.stop", first.nonce)
    assert "expired" in again.replies[0].text


def test_forged_button_gets_expired_reply(counting: Engine) -> None:
    say(counting, "/count")
    for action in ("nosuch.thing", "counter.more"):
        reply = press(counting, action, "forged")
        assert "expired" in reply.replies[0].text


def test_another_users_button_does_not_touch_my_conversation(counting: Engine) -> None:
    mine = say(counting, "/count", user="1")
    say(counting, "/count", user="2")
    stolen = press(counting, "counter.more", mine.nonce, user="2")
    assert "expired" in stolen.replies[0].text


def test_flow_failure_rolls_back_its_writes_and_its_state(counting: Engine) -> None:
    say(counting, "/count")
    with pytest.raises(RuntimeError):
        say(counting, "boom")
    with Session(counting.db) as session:
        assert session.exec(select(UnansweredQuestion)).all() == []
        assert session.exec(select(Conversation)).one().data == {"n": 1}


def test_a_command_starts_over_from_any_step(counting: Engine) -> None:
    say(counting, "/count")
    say(counting, "more")
    assert say(counting, "/count").replies[0].text == "count 1"


def test_unknown_command_gets_an_answer_not_an_error(counting: Engine) -> None:
    response = say(counting, "/whatever")
    assert response.replies and response.replies[0].text


def test_button_data_round_trips_and_refuses_tampering() -> None:
    data = encode_button(Button("x", "questions.show", "live-dress"), "abc123")
    assert decode_button(data) == ("questions.show", "abc123", "live-dress")
    for bad in ("", "a|b", "questions.show|n|<script>", "x" * 65, "Bad.Action|n|p"):
        with pytest.raises(BadButtonError):
            decode_button(bad)
    with pytest.raises(ValueError):
        encode_button(Button("x", "questions.show", "p" * 60), "abc123")


def test_a_button_sent_later_that_is_not_an_entry_action_is_refused_at_start(
    db, schools
) -> None:
    from assistant.engine import RegistryError
    from flows import all_flows

    with pytest.raises(RegistryError, match=r"agreements_family\.next"):
        Engine(db=db, flows=all_flows(), schools=schools, default_school="demo",
               text_flow="questions", outbox_actions=["agreements_family.next"])


def test_an_entry_action_with_another_flows_prefix_is_refused_at_start(db, schools) -> None:
    from assistant.engine import RegistryError

    class Stray:
        name = "stray"
        commands = frozenset({"stray"})
        entry_actions = frozenset({"help.show"})

        def handle(self, ctx, event, state):  # type: ignore[no-untyped-def]
            raise AssertionError

    with pytest.raises(RegistryError, match="prefix"):
        Engine(db=db, flows=[Stray()], schools=schools, default_school="demo",
               text_flow="stray")


def test_typed_message_never_expires_the_buttons_on_screen(counting: Engine) -> None:
    first = say(counting, "/count")
    typed = say(counting, "anything")  # moves the count on, typed
    assert typed.nonce == first.nonce
    pressed = press(counting, "counter.more", first.nonce)
    assert pressed.replies[0].text == "count 3"


def test_carry_on_button_of_a_flow_that_is_not_running_has_expired(counting: Engine) -> None:
    reply = press(counting, "account.carry_on", "whatever")
    assert "expired" in reply.replies[0].text


@pytest.mark.parametrize("text", ["/", "/ ", "/   \n", "/\t"])
def test_a_slash_with_nothing_after_it_is_read_as_a_message_not_a_crash(engine, text) -> None:
    from assistant.events import Event

    response = engine.handle(Event("test", "p", "p", text=text))
    assert response.replies


@pytest.mark.parametrize("payload", ["99999999999999999999", "9999999999:1", "2147483648",
                                     "0", "-1", "١٢٣"])
def test_huge_or_odd_numbers_in_buttons_are_refused_politely(engine, payload) -> None:
    from assistant.events import Event, row_id

    assert row_id(payload) is None
    for action in ("live_manage.move", "live_rsvp.accept", "concerns_family.urgent"):
        reply = engine.handle(Event("test", "p", "p", action=action, payload=payload))
        assert reply.replies and reply.replies[0].text


def test_two_first_messages_at_once_make_one_account_and_the_late_one_says_expired(
    counting: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    import assistant.engine as engine_module
    from assistant.models import Account

    assert "count 1" in say(counting, "/count").replies[0].text
    # The second event looked before the first had committed: its lookup found nobody.
    monkeypatch.setattr(engine_module, "_WHO_AND_WHERE",
                        engine_module._WHO_AND_WHERE.where(sa.false()))
    late = say(counting, "/count")
    assert "expired" in late.replies[0].text
    monkeypatch.undo()
    with Session(counting.db) as session:
        assert len(session.exec(select(Account)).all()) == 1
    # Nothing was lost: the first event's conversation carries on.
    assert say(counting, "more").replies[0].text == "count 2"


def test_a_new_persons_first_message_makes_their_account_and_keeps_their_language(
    counting: Engine,
) -> None:
    from assistant.models import Account

    reply = counting.handle(Event("test", "8", "8", text="/count", locale="pl"))
    assert "count 1" in reply.replies[0].text
    with Session(counting.db) as session:
        account = session.exec(select(Account)).one()
    assert (account.external_id, account.locale) == ("8", "pl") and account.created_at

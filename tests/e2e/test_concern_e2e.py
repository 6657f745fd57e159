"""Concerns through the real bot and the Bot API emulator: to staff, acknowledged, discreet."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.harness import running_bot, school_codes, staff_code, two_open_schools
from tests.e2e.test_telegram_e2e import (
    REPLY_SECONDS,
    Emulator,
    _missing,
    _press_labelled,
    _wait_for,
)

pytestmark = pytest.mark.skipif(_missing() is not None, reason=_missing() or "")

NOOR, DSL, CHILD_DEVICE, OLA = 6001, 6009, 6002, 6003
ROSTER = (
    "pupil_id,forename,surname,year,class,contact_id,contact_name,relationship,"
    "parental_responsibility\n"
    "P1,Ava,Khan,3,3B,C1,Noor Khan,Mother,yes\n"
    "P2,Leo,Lee,4,4C,C2,Ann Lee,Mother,yes\n"
)


def _report_bullying(emulator: Emulator) -> None:
    """Noor reports bullying of Ava through /concern, and is given a reference."""
    emulator.say("/concern", user=NOOR)
    [who] = emulator.replies(user=NOOR)
    [what] = _press_labelled(emulator, who, "Ava", user=NOOR)
    [ask] = _press_labelled(emulator, what, "bullying", user=NOOR)
    assert "own words" in ask["message"]["text"]
    emulator.say("Some children keep sending Ava mean messages in a group chat.", user=NOOR)
    [summary] = emulator.replies(user=NOOR)
    [sent] = _press_labelled(emulator, summary, "Send", user=NOOR)
    assert "your reference is" in sent["message"]["text"]


def test_bullying_concern_reaches_the_dsl_and_the_parent_hears_it_was_read(
    live: tuple[Emulator, Path], tmp_path: Path
) -> None:
    emulator, schools = live
    codes = school_codes(emulator, schools, tmp_path, ROSTER)
    dsl = staff_code(emulator, schools, "Mrs Safe", "--role", "dsl")
    for user, code in ((NOOR, codes["Noor Khan"]), (CHILD_DEVICE, codes["Ann Lee"]),
                       (DSL, dsl)):
        emulator.say(f"/start {code}", user=user)
        emulator.replies(user=user)

    # A parent reports bullying: the message is stored and its reference given.
    _report_bullying(emulator)

    # The outbox job puts it in front of the DSL, with the buttons to act on it.
    [concern] = emulator.replies(user=DSL)
    assert "Ava Khan (3B)" in concern["message"]["text"]
    assert "mean messages" in concern["message"]["text"]
    [acknowledged] = _press_labelled(emulator, concern, "Acknowledge", user=DSL)
    assert "Acknowledged" in acknowledged["message"]["text"]
    [told] = emulator.replies(user=NOOR)
    assert "has read your message" in told["message"]["text"]

    # Words that suggest danger get 999, Childline and CEOP before anything else.
    emulator.say("a man online asked her for pictures of her body", user=NOOR)
    first, *_rest = emulator.replies(user=NOOR)
    text = first["message"]["text"]
    assert "999" in text and "0800 1111" in text and "ceop.police.uk" in text


def test_childs_worry_is_tidied_away_from_the_shared_device(
    live: tuple[Emulator, Path], tmp_path: Path
) -> None:
    emulator, schools = live
    codes = school_codes(emulator, schools, tmp_path, ROSTER)
    emulator.say(f"/start {codes['Ann Lee']}", user=CHILD_DEVICE)
    emulator.replies(user=CHILD_DEVICE)

    emulator.say("/worry", user=CHILD_DEVICE)
    [what] = emulator.replies(user=CHILD_DEVICE)
    [ask] = _press_labelled(emulator, what, "unkind", user=CHILD_DEVICE)
    assert "what happened" in ask["message"]["text"]
    emulator.say("some kids are being mean to me in the game", user=CHILD_DEVICE)
    [done] = emulator.replies(user=CHILD_DEVICE)
    assert "You did the right thing" in done["message"]["text"]
    assert "Childline" in done["message"]["text"] and "0800 1111" in done["message"]["text"]
    emulator.press(done, next(b["callback_data"] for row in
                              done["message"]["reply_markup"]["inline_keyboard"] for b in row
                              if "Tidy" in b["text"]), user=CHILD_DEVICE)
    deleted = _wait_for(lambda: emulator.bot_calls("deleteMessages"), REPLY_SECONDS,
                        "the chat to be tidied away")
    assert str(deleted[0]["chat_id"]) == str(CHILD_DEVICE)


@pytest.fixture
def trust(tmp_path: Path) -> Iterator[tuple[Emulator, Path]]:
    """The bot on two schools of one install (demo and Stoke Bishop), both open now."""
    yield from running_bot(tmp_path, two_open_schools)


def test_a_dsl_at_two_schools_acknowledges_each_schools_concern_from_one_chat(
    trust: tuple[Emulator, Path], tmp_path: Path
) -> None:
    emulator, schools = trust
    demo = school_codes(emulator, schools, tmp_path, ROSTER)
    stoke = school_codes(emulator, schools, tmp_path, (
        "pupil_id,forename,surname,year,class,contact_id,contact_name,relationship,"
        "parental_responsibility\n"
        "S1,Zoe,Nowak,1,1A,K1,Ola Nowak,Mother,yes\n"), school="stoke-bishop")
    # One member of staff, DSL at both schools, links both roles to the same Telegram account.
    for code in (staff_code(emulator, schools, "Mrs Trust", "--role", "dsl"),
                 staff_code(emulator, schools, "Mrs Trust", "--role", "dsl",
                            school="stoke-bishop")):
        emulator.say(f"/start {code}", user=DSL)
        emulator.replies(user=DSL)
    for user, code in ((NOOR, demo["Noor Khan"]), (OLA, stoke["Ola Nowak"])):
        emulator.say(f"/start {code}", user=user)
        emulator.replies(user=user)

    # A demo parent reports bullying through /concern.
    _report_bullying(emulator)
    [first] = emulator.replies(user=DSL)
    assert "Ava Khan (3B)" in first["message"]["text"]

    # A Stoke Bishop parent's danger report: the help, then one tap raises it as urgent.
    emulator.say("my daughter says a man touched her", user=OLA)
    found = emulator.replies(user=OLA)
    while len(found) < 2:
        found += emulator.replies(user=OLA)
    assert "999" in found[0]["message"]["text"]
    [sent] = _press_labelled(emulator, found[1], "Tell the school now", user=OLA)
    assert "your reference is" in sent["message"]["text"]
    [second] = emulator.replies(user=DSL)
    assert "URGENT" in second["message"]["text"] and "a man touched her" in (
        second["message"]["text"])

    # Both are acted on from the one chat, and each parent hears theirs was read.
    for alert, parent in ((second, OLA), (first, NOOR)):
        [acknowledged] = _press_labelled(emulator, alert, "Acknowledge", user=DSL)
        assert "Acknowledged" in acknowledged["message"]["text"], acknowledged
        told = emulator.replies(user=parent)
        assert any("has read your message" in m["message"]["text"] for m in told), told

    # /concerns lists each under its own school.
    emulator.say("/concerns", user=DSL)
    listed = "\n".join(m["message"]["text"] for m in emulator.replies(user=DSL))
    assert "Stoke Bishop" in listed and "Demo" in listed, listed

"""Danger through the real bot: help first, then one tap puts it in front of the DSL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.e2e.harness import school_codes, staff_code
from tests.e2e.test_telegram_e2e import TOKEN, Emulator, _missing, _press_labelled, buttons

pytestmark = pytest.mark.skipif(_missing() is not None, reason=_missing() or "")

PARENT, DSL = 7001, 7009
ROSTER = (
    "pupil_id,forename,surname,year,class,contact_id,contact_name,relationship,"
    "parental_responsibility\n"
    "P1,Ava,Khan,3,3B,C1,Noor Khan,Mother,yes\n"
)
REPORTS = [
    "a teacher touched my child",
    "my husband hits my son",
    "my child is self harming, I found cuts on her arm",
    "a stranger on roblox asked my son to meet him tomorrow and not tell anyone",
    "my daughter took a load of tablets last night",
    "my daughter has been missing since this morning",
]
# A question the classifier alone raises the alarm on, and the FAQ's answer to it.
UNSURE = ("my son fell off his bike and has bruises all over his arms and legs, can he still "
          "bring his phone to school?")
UNSURE_ANSWER = "pupils' phones are handed in to the school office"


def _replies(emulator: Emulator, at_least: int, user: int) -> list[dict[str, Any]]:
    found = emulator.replies(user=user)
    while len(found) < at_least:
        found += emulator.replies(user=user)
    return found


def _parent_and_dsl_linked(live: tuple[Emulator, Path], tmp_path: Path) -> Emulator:
    """The school loads its class list; the parent and the DSL link their chats."""
    emulator, schools = live
    codes = school_codes(emulator, schools, tmp_path, ROSTER)
    dsl = staff_code(emulator, schools, "Mrs Safe", "--role", "dsl")
    for user, code in ((PARENT, codes["Noor Khan"]), (DSL, dsl)):
        emulator.say(f"/start {code}", user=user)
        emulator.replies(user=user)
    return emulator


def _help_then_one_tap(emulator: Emulator, report: str, *, in_a_flow: bool = False) -> None:
    """Sends a report, checks the help comes first, taps once, and sees it reach the DSL."""
    emulator.say(report, user=PARENT)
    first, offer = _replies(emulator, 2, PARENT)
    text = first["message"]["text"]
    assert "999" in text and "0800 1111" in text and "0808 800 5000" in text
    assert "safeguarding lead" in offer["message"]["text"]
    found = [b for b in buttons(offer) if "Tell the school now" in b["text"]]
    emulator.press(offer, found[0]["callback_data"], user=PARENT)
    sent, *back = _replies(emulator, 2 if in_a_flow else 1, PARENT)
    if in_a_flow:
        assert "send /agreement to carry on" in back[0]["message"]["text"]
    assert "your reference is" in sent["message"]["text"]
    [alert] = emulator.replies(user=DSL)
    assert "URGENT" in alert["message"]["text"] and report in alert["message"]["text"]


def test_each_report_gets_help_first_and_one_tap_reaches_the_dsl(
    live: tuple[Emulator, Path], tmp_path: Path
) -> None:
    emulator = _parent_and_dsl_linked(live, tmp_path)

    for report in REPORTS:
        # As a plain message.
        _help_then_one_tap(emulator, report)
        # And in the middle of an agreement, at a step that wants a button.
        emulator.say("/agreement", user=PARENT)
        [menu] = emulator.replies(user=PARENT)
        if not any("Read and sign" in b["text"] for b in buttons(menu)):
            [menu] = _press_labelled(emulator, menu, "Ava", user=PARENT)
        _press_labelled(emulator, menu, "Read and sign", user=PARENT)
        _help_then_one_tap(emulator, report, in_a_flow=True)
        # The agreement was kept: its own command carries on where it was.
        emulator.say("/agreement", user=PARENT)
        back = _replies(emulator, 2, PARENT)
        assert "Welcome back" in back[0]["message"]["text"]
        emulator.say("/cancel", user=PARENT)
        emulator.replies(user=PARENT)


def test_a_question_the_check_is_unsure_of_is_answered_once_the_parent_asks(
    live: tuple[Emulator, Path], tmp_path: Path
) -> None:
    emulator = _parent_and_dsl_linked(live, tmp_path)

    emulator.say(UNSURE, user=PARENT)
    first, offer, last = _replies(emulator, 3, PARENT)
    assert "999" in first["message"]["text"] and "0800 1111" in first["message"]["text"]
    assert any("Tell the school now" in b["text"] for b in buttons(offer))
    [answer_button] = buttons(last)
    assert answer_button["text"] == "Answer it as a question"
    emulator.press(last, answer_button["callback_data"], user=PARENT)
    [answer] = _replies(emulator, 1, PARENT)
    assert UNSURE_ANSWER in answer["message"]["text"]
    history = emulator.post("/getUpdatesHistory", {"token": TOKEN})
    to_dsl = [str(u["message"].get("text", "")) for u in history
              if "message" in u and str(u["message"].get("chat_id")) == str(DSL)]
    assert not any(UNSURE in text for text in to_dsl), "the parent's question reached no one"

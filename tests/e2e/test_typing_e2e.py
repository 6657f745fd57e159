"""Typing in the middle of a conversation, through the real bot and the Bot API emulator: the
buttons on screen keep working, questions are answered with a way back, codes are codes."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.harness import school_codes, staff_code
from tests.e2e.test_telegram_e2e import (
    Emulator,
    _missing,
    _press_labelled,
    buttons,
)

pytestmark = pytest.mark.skipif(_missing() is not None, reason=_missing() or "")

NOOR, TEACHER, DSL = 9001, 9009, 9008
ROSTER = (
    "pupil_id,forename,surname,year,class,contact_id,contact_name,relationship,"
    "parental_responsibility\n"
    "P1,Ava,Khan,3,3B,C1,Noor Khan,Mother,yes\n"
)
QUESTION = "can my child use the chat in a live lesson?"
CARRY_ON = "Carry on where we were"

Update = dict[str, Any]


def _text(update: Update) -> str:
    return str(update["message"].get("text", ""))


def _labels(update: Update) -> list[str]:
    return [b["text"] for b in buttons(update)]


def _replies(emulator: Emulator, at_least: int, user: int) -> list[Update]:
    found = emulator.replies(user=user)
    while len(found) < at_least:
        found += emulator.replies(user=user)
    return found


def _replies_within(emulator: Emulator, at_least: int, user: int,
                    seconds: float = 5) -> list[Update]:
    """The bot's next messages to a chat: waits for `at_least`, but returns what came."""
    found = emulator.replies(user=user)
    try:
        while len(found) < at_least:
            found += emulator.replies(seconds=seconds, user=user)
    except AssertionError:  # nothing more came in time
        pass
    return found


def test_yes_erase_still_erases_after_typing_maybe(
    live: tuple[Emulator, Path], tmp_path: Path
) -> None:
    emulator, schools = live
    codes = school_codes(emulator, schools, tmp_path, ROSTER)
    emulator.say(f"/start {codes['Noor Khan']}", user=NOOR)
    emulator.replies(user=NOOR)

    emulator.say("/forget", user=NOOR)
    [ask] = emulator.replies(user=NOOR)
    emulator.say("maybe", user=NOOR)
    again = _replies_within(emulator, 2, NOOR)  # "can't use that here", the question again

    [done] = _press_labelled(emulator, ask, "Yes, erase", user=NOOR)  # the first message's
    assert "I've erased what I kept about you" in _text(done)
    assert "Erase it?" in _text(again[-1]) and "Yes, erase" in _labels(again[-1]), (
        "the question was not shown again with its buttons")
    emulator.say("/mydata", user=NOOR)
    [kept] = emulator.replies(user=NOOR)
    assert "not linked" in _text(kept)


def test_questions_after_a_bare_start_never_lock_out_the_real_code(
    live: tuple[Emulator, Path], tmp_path: Path
) -> None:
    emulator, schools = live
    code = school_codes(emulator, schools, tmp_path, ROSTER)["Noor Khan"]
    for _ in range(5):
        emulator.say("/start", user=NOOR)
        emulator.replies(user=NOOR)  # how to link: the link, or type the code here
        emulator.say(QUESTION, user=NOOR)
        [answer] = emulator.replies(user=NOOR)
        assert "chat" in _text(answer).lower() and "code" not in _text(answer).lower()
    # Typed as printed, in groups, with no /start: taken as the code it is.
    emulator.say(f"{code[:4]}-{code[4:8]}-{code[8:]}", user=NOOR)
    [welcome] = emulator.replies(user=NOOR)
    assert "Welcome, Noor Khan" in _text(welcome)


def _weekday_days_ahead(days: int) -> str:
    """The name of the first school day at least this many days from today ("mon"): far
    enough that the summary carries no notice warning, whose "only N minutes" would change
    between the step and the step shown again."""
    names = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    today = datetime.now(ZoneInfo("Europe/London")).weekday()
    return next(names[(today + k) % 7] for k in range(days, days + 7) if (today + k) % 7 < 5)


def _ask_and_come_back(emulator: Emulator, step: Update, user: int) -> Update:
    """Types a question at a step; checks it is answered with a way back to that very step,
    and returns the step as shown again."""
    emulator.say(QUESTION, user=user)
    [answer] = emulator.replies(user=user)
    assert "chat" in _text(answer).lower(), _text(answer)
    assert _labels(answer)[-1] == CARRY_ON
    [back] = _press_labelled(emulator, answer, CARRY_ON, user=user)
    assert _text(back) == _text(step) and _labels(back) == _labels(step)
    return back


def test_question_on_every_button_step_is_answered_with_a_way_back(
    live: tuple[Emulator, Path], tmp_path: Path
) -> None:
    emulator, schools = live
    codes = school_codes(emulator, schools, tmp_path, ROSTER)
    teacher = staff_code(emulator, schools, "Ms Teacher", "--role", "teacher", "--class", "3B")
    dsl = staff_code(emulator, schools, "Mrs Safe", "--role", "dsl")
    for user, code in ((NOOR, codes["Noor Khan"]), (TEACHER, teacher), (DSL, dsl)):
        emulator.say(f"/start {code}", user=user)
        emulator.replies(user=user)

    # /agreement: the child's list, every page, the name, the summary.
    emulator.say("/agreement", user=NOOR)
    [menu] = emulator.replies(user=NOOR)
    emulator.say(QUESTION, user=NOOR)
    [answer] = emulator.replies(user=NOOR)
    assert "chat" in _text(answer).lower()
    [page] = _press_labelled(emulator, menu, "Read and sign", user=NOOR)  # still works
    while "agree" not in " ".join(_labels(page)).lower():
        page = _ask_and_come_back(emulator, page, NOOR)
        [page] = _press_labelled(emulator, page, "Start reading" if "Start reading" in
                                 _labels(page) else "Next", user=NOOR)
    page = _ask_and_come_back(emulator, page, NOOR)
    [name] = _press_labelled(emulator, page, "agree", user=NOOR)
    name = _ask_and_come_back(emulator, name, NOOR)
    emulator.say("Noor Khan", user=NOOR)
    [summary] = emulator.replies(user=NOOR)
    summary = _ask_and_come_back(emulator, summary, NOOR)
    [receipt] = _press_labelled(emulator, summary, "Sign", user=NOOR)
    assert "Signed - thank you" in _text(receipt)

    # /concern: who, what, and the summary (bullying goes to the DSL, so nothing arrives in
    # the teacher's chat in the middle of the next part).
    emulator.say("/concern", user=NOOR)
    [who] = emulator.replies(user=NOOR)
    who = _ask_and_come_back(emulator, who, NOOR)
    [what] = _press_labelled(emulator, who, "Ava", user=NOOR)
    what = _ask_and_come_back(emulator, what, NOOR)
    _press_labelled(emulator, what, "bullying", user=NOOR)
    emulator.say("Some children keep leaving Ava out of games at break.", user=NOOR)
    [summary] = emulator.replies(user=NOOR)
    summary = _ask_and_come_back(emulator, summary, NOOR)
    [sent] = _press_labelled(emulator, summary, "Send", user=NOOR)
    assert "your reference is" in _text(sent)

    # /newsession: class, 1-to-1 pupil, parent present, length, recording, extra line, summary
    # (last: its invitation goes to Noor's chat).
    emulator.say("/newsession", user=TEACHER)
    [step] = emulator.replies(user=TEACHER)
    step = _ask_and_come_back(emulator, step, TEACHER)
    [step] = _press_labelled(emulator, step, "3B", user=TEACHER)
    step = _ask_and_come_back(emulator, step, TEACHER)
    [step] = _press_labelled(emulator, step, "1-to-1", user=TEACHER)
    step = _ask_and_come_back(emulator, step, TEACHER)
    [step] = _press_labelled(emulator, step, "Ava Khan", user=TEACHER)
    step = _ask_and_come_back(emulator, step, TEACHER)
    [step] = _press_labelled(emulator, step, "Yes, a parent", user=TEACHER)
    emulator.say(f"{_weekday_days_ahead(3)} 10:00", user=TEACHER)
    [step] = emulator.replies(user=TEACHER)
    step = _ask_and_come_back(emulator, step, TEACHER)
    [step] = _press_labelled(emulator, step, "30 minutes", user=TEACHER)
    emulator.say("https://meet.google.com/e2e-live-link", user=TEACHER)
    [step] = emulator.replies(user=TEACHER)
    step = _ask_and_come_back(emulator, step, TEACHER)
    [step] = _press_labelled(emulator, step, "Not recorded", user=TEACHER)
    step = _ask_and_come_back(emulator, step, TEACHER)
    [step] = _press_labelled(emulator, step, "No extra line", user=TEACHER)
    step = _ask_and_come_back(emulator, step, TEACHER)
    [done] = _press_labelled(emulator, step, "Send the invitations", user=TEACHER)
    assert "is arranged" in _text(done)

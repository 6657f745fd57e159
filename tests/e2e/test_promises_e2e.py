"""Promises to families kept, through the real bot and the Bot API emulator: the reference in
"read", nothing after a child tidies the chat away, and word of a concern closed unread."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.harness import school_codes, staff_code
from tests.e2e.test_telegram_e2e import (
    REPLY_SECONDS,
    TOKEN,
    Emulator,
    _missing,
    _press_labelled,
    _wait_for,
)

pytestmark = pytest.mark.skipif(_missing() is not None, reason=_missing() or "")

NOOR, CHILD_DEVICE, TEACHER, DSL = 8001, 8002, 8009, 8008
ROSTER = (
    "pupil_id,forename,surname,year,class,contact_id,contact_name,relationship,"
    "parental_responsibility\n"
    "P1,Ava,Khan,3,3B,C1,Noor Khan,Mother,yes\n"
    "P2,Leo,Lee,4,4C,C2,Ann Lee,Mother,yes\n"
)
# Two ticks of the outbox job and then some: anything queued would have been sent by now.
QUIET_SECONDS = 12


def _everyone_linked(emulator: Emulator, schools: Path, folder: Path) -> None:
    codes = school_codes(emulator, schools, folder, ROSTER)
    teacher = staff_code(emulator, schools, "Ms Teacher", "--role", "teacher", "--class", "3B")
    dsl = staff_code(emulator, schools, "Mrs Safe", "--role", "dsl")
    for user, code in ((NOOR, codes["Noor Khan"]), (CHILD_DEVICE, codes["Ann Lee"]),
                       (TEACHER, teacher), (DSL, dsl)):
        emulator.say(f"/start {code}", user=user)
        emulator.replies(user=user)


def _raise_concern(emulator: Emulator, text: str) -> str:
    """Noor sends a concern about Ava ("something else": it goes to the class teacher);
    returns its reference."""
    emulator.say("/concern", user=NOOR)
    [who] = emulator.replies(user=NOOR)
    [what] = _press_labelled(emulator, who, "Ava", user=NOOR)
    _press_labelled(emulator, what, "Something else", user=NOOR)
    emulator.say(text, user=NOOR)
    [summary] = emulator.replies(user=NOOR)
    [sent] = _press_labelled(emulator, summary, "Send", user=NOOR)
    found = re.search(r"your reference is ([A-Z0-9]+)", sent["message"]["text"])
    assert found is not None, sent["message"]["text"]
    return found.group(1)


def _bot_texts_to(emulator: Emulator, user: int) -> list[str]:
    history: list[dict[str, Any]] = emulator.post("/getUpdatesHistory", {"token": TOKEN})
    return [str(u["message"].get("text", "")) for u in history
            if "message" in u and str(u["message"].get("chat_id")) == str(user)]


def test_parent_told_it_was_read_sees_their_own_reference(
    live: tuple[Emulator, Path], tmp_path: Path
) -> None:
    emulator, schools = live
    _everyone_linked(emulator, schools, tmp_path)
    reference = _raise_concern(emulator, "Please can Ava's teacher call me about her reading "
                                         "book.")
    [concern] = emulator.replies(user=TEACHER)
    _press_labelled(emulator, concern, "Acknowledge", user=TEACHER)
    [told] = emulator.replies(user=NOOR)
    assert told["message"]["text"] == (
        f"A member of staff has read your message (reference {reference}).")


def test_tidied_away_worry_gets_no_follow_up_in_the_shared_chat(
    live: tuple[Emulator, Path], tmp_path: Path
) -> None:
    emulator, schools = live
    _everyone_linked(emulator, schools, tmp_path)
    emulator.say("/worry", user=CHILD_DEVICE)
    [what] = emulator.replies(user=CHILD_DEVICE)
    _press_labelled(emulator, what, "unkind", user=CHILD_DEVICE)
    emulator.say("my friend was unkind to me at lunch", user=CHILD_DEVICE)
    [done] = emulator.replies(user=CHILD_DEVICE)
    assert "You did the right thing" in done["message"]["text"]
    emulator.press(done, next(b["callback_data"] for row in
                              done["message"]["reply_markup"]["inline_keyboard"] for b in row
                              if "Tidy" in b["text"]), user=CHILD_DEVICE)
    _wait_for(lambda: emulator.bot_calls("deleteMessages"), REPLY_SECONDS,
              "the chat to be tidied away")

    # The DSL reads it; nothing about it comes back to the shared chat.
    [concern] = emulator.replies(user=DSL)
    [acknowledged] = _press_labelled(emulator, concern, "Acknowledge", user=DSL)
    time.sleep(QUIET_SECONDS)
    assert not [text for text in _bot_texts_to(emulator, CHILD_DEVICE)
                if "read your message" in text]
    # And the DSL is told why, so the child is followed up in person.
    assert "follow it up in person" in acknowledged["message"]["text"]


def test_concern_resolved_without_acknowledging_still_tells_the_parent(
    live: tuple[Emulator, Path], tmp_path: Path
) -> None:
    emulator, schools = live
    _everyone_linked(emulator, schools, tmp_path)
    reference = _raise_concern(emulator, "A question for the teacher about homework.")
    [concern] = emulator.replies(user=TEACHER)
    [passed] = _press_labelled(emulator, concern, "Pass to DSL", user=TEACHER)
    assert "Passed to the" in passed["message"]["text"]
    emulator.replies(user=DSL)  # the DSL's copy

    emulator.say("/concerns", user=TEACHER)
    [listing] = emulator.replies(user=TEACHER)
    [opened] = _press_labelled(emulator, listing, f"Open {reference}", user=TEACHER)
    [ask] = _press_labelled(emulator, opened, "Resolve", user=TEACHER)
    assert "short outcome" in ask["message"]["text"]
    emulator.say("Spoke to Mrs Khan on the phone; sorted.", user=TEACHER)
    [resolved] = emulator.replies(user=TEACHER)
    assert "Resolved and recorded" in resolved["message"]["text"]
    [told] = emulator.replies(user=NOOR)
    assert told["message"]["text"] == (
        f"A member of staff has read your message (reference {reference}).")

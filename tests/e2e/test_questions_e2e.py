"""Ask the school, through the real bot and the Bot API emulator: a question the FAQ lacks
reaches the class teacher, whose typed reply comes back to the parent with its reference;
outside contact hours nothing reaches staff, and the parent is told when it will."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.harness import closed_today_demo, running_bot, school_codes, staff_code
from tests.e2e.test_promises_e2e import _bot_texts_to
from tests.e2e.test_telegram_e2e import Emulator, _missing, _press_labelled

pytestmark = pytest.mark.skipif(_missing() is not None, reason=_missing() or "")

NOOR, TEACHER = 8101, 8109
ROSTER = (
    "pupil_id,forename,surname,year,class,contact_id,contact_name,relationship,"
    "parental_responsibility\n"
    "P1,Ava,Khan,3,3B,C1,Noor Khan,Mother,yes\n"
)
QUESTION = "how much is dinner money this term"
# Two ticks of the outbox job and then some: anything due would have been sent by now.
QUIET_SECONDS = 12


@pytest.fixture
def closed(tmp_path: Path) -> Iterator[tuple[Emulator, Path]]:
    """The bot on a demo school that is closed all of today."""
    yield from running_bot(tmp_path, closed_today_demo)


def _linked(emulator: Emulator, schools: Path, folder: Path) -> None:
    codes = school_codes(emulator, schools, folder, ROSTER)
    teacher = staff_code(emulator, schools, "Ms Teacher", "--role", "teacher", "--class", "3B")
    for user, code in ((NOOR, codes["Noor Khan"]), (TEACHER, teacher)):
        emulator.say(f"/start {code}", user=user)
        emulator.replies(user=user)


def _ask(emulator: Emulator) -> tuple[str, str]:
    """Noor asks what the FAQ lacks and sends it to Ava's teacher; returns (told, reference)."""
    emulator.say(QUESTION, user=NOOR)
    [offer] = emulator.replies(user=NOOR)
    [about] = _press_labelled(emulator, offer, "Yes, ask the school", user=NOOR)
    [sent] = _press_labelled(emulator, about, "About Ava", user=NOOR)
    text = sent["message"]["text"]
    found = re.search(r"\(reference ([A-Z0-9]+)\)", text)
    assert found is not None, text
    return text, found.group(1)


def test_class_teacher_replies_and_the_parent_gets_it_with_the_reference(
    live: tuple[Emulator, Path], tmp_path: Path
) -> None:
    emulator, schools = live
    _linked(emulator, schools, tmp_path)
    told, reference = _ask(emulator)
    assert "Ava's class teacher" in told and "answer will come to you here" in told

    [question] = emulator.replies(user=TEACHER)
    assert QUESTION in question["message"]["text"]
    assert "Ava Khan (3B)" in question["message"]["text"]
    [prompt] = _press_labelled(emulator, question, "Reply", user=TEACHER)
    assert reference in prompt["message"]["text"]
    emulator.say("It's £2.50 a day; you can pay it on ParentPay.", user=TEACHER)
    [done] = emulator.replies(user=TEACHER)
    assert f"Sent to the family with reference {reference}" in done["message"]["text"]

    [answer] = emulator.replies(user=NOOR)
    text = answer["message"]["text"]
    assert reference in text and "£2.50 a day" in text and QUESTION in text


def test_outside_hours_nothing_reaches_staff_and_the_parent_is_told_when(
    closed: tuple[Emulator, Path], tmp_path: Path
) -> None:
    emulator, schools = closed
    _linked(emulator, schools, tmp_path)
    told, _reference = _ask(emulator)
    assert "The school is closed now; they'll get it from" in told
    assert "00:00" in told  # the next opening: tomorrow (or the next open day) at midnight
    time.sleep(QUIET_SECONDS)
    assert not [t for t in _bot_texts_to(emulator, TEACHER) if QUESTION in t]

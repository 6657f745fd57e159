"""Families in their own language, through the real bot and the Bot API emulator: a parent
whose Telegram is in Ukrainian links, asks, signs and raises a concern in Ukrainian, and the
English-speaking teacher gets the concern as written, marked "uk"; an Arabic-speaking parent's
invitation reads right to left, with its date, time and link intact."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from assistant.bidi import LRI, PDI, RLM
from assistant.i18n import gettext_for
from tests.e2e.harness import LINK, school_codes, staff_code
from tests.e2e.test_telegram_e2e import Emulator, _missing, _press_labelled, buttons

pytestmark = pytest.mark.skipif(_missing() is not None, reason=_missing() or "")

OKSANA, LAYLA, TEACHER = 8201, 8202, 8209
ROSTER = (
    "pupil_id,forename,surname,year,class,contact_id,contact_name,relationship,"
    "parental_responsibility\n"
    "P1,Ava,Khan,3,3B,C1,Oksana Koval,Mother,yes\n"
    "P2,Sami,Haddad,3,3B,C2,Layla Haddad,Mother,yes\n"
)
UK = gettext_for("uk")
AR = gettext_for("ar")
CYRILLIC = re.compile(r"[\u0400-\u04ff]")
ARABIC = re.compile(r"[\u0600-\u06ff]")


def _press(emulator: Emulator, update: dict[str, Any], action: str, user: int,
           payload: str | None = None) -> list[dict[str, Any]]:
    """Presses the button for an action (and payload), whatever language its label is in."""
    found = [b for b in buttons(update) if b["callback_data"].split("|")[0] == action
             and (payload is None or b["callback_data"].split("|")[2] == payload)]
    assert found, f"no {action} among {[b['callback_data'] for b in buttons(update)]}"
    emulator.press(update, found[0]["callback_data"], user=user)
    return emulator.replies(user=user)


def _sign_for(emulator: Emulator, forename: str) -> None:
    from assistant.db import make_engine
    from assistant.models import utcnow
    from assistant.schools import load_profiles
    from tests.live_helpers import sign_all

    db = make_engine(f"sqlite:///{emulator.data_dir / 'assistant.sqlite3'}")
    try:
        sign_all(db, load_profiles(emulator.data_dir.parent / "schools")["demo"], forename,
                 utcnow())
    finally:
        db.dispose()


def _text(update: dict[str, Any]) -> str:
    return str(update["message"]["text"])


def test_ukrainian_parent_links_asks_signs_and_raises_a_concern_in_ukrainian(
    live: tuple[Emulator, Path], tmp_path: Path
) -> None:
    emulator, schools = live
    emulator.languages[OKSANA] = "uk"
    codes = school_codes(emulator, schools, tmp_path, ROSTER)
    teacher = staff_code(emulator, schools, "Ms Teacher", "--role", "teacher", "--class", "3B")
    emulator.say(f"/start {teacher}", user=TEACHER)
    emulator.replies(user=TEACHER)

    emulator.say(f"/start {codes['Oksana Koval']}", user=OKSANA)
    [welcome] = emulator.replies(user=OKSANA)
    assert CYRILLIC.search(_text(welcome)) and "Ava" in _text(welcome)

    # A question, answered from the Ukrainian FAQ.
    emulator.say("чи можна дитині вимкнути камеру під час онлайн-уроку?", user=OKSANA)
    [answer] = emulator.replies(user=OKSANA)
    assert CYRILLIC.search(_text(answer))
    # The answer itself, or "did you mean" offering it: never another language's entry.
    offered = [b["callback_data"].split("|")[2] for b in buttons(answer)]
    assert len(_text(answer)) > 100 or "live-camera-mic" in offered

    # The agreement, in Ukrainian, signed.
    [choose] = _press(emulator, welcome, "agreements_family.start", OKSANA)
    pages = [choose]
    if not any(b["callback_data"].startswith("agreements_family.open") for b in buttons(choose)):
        pages = _press(emulator, choose, "agreements_family.child", OKSANA)
    [page] = _press(emulator, pages[-1], "agreements_family.open", OKSANA)
    while any(b["callback_data"].startswith("agreements_family.next") for b in buttons(page)):
        [page] = _press(emulator, page, "agreements_family.next", OKSANA)
    assert CYRILLIC.search(_text(page))
    _press(emulator, page, "agreements_family.agree", OKSANA)
    emulator.say("Оксана Коваль", user=OKSANA)
    [summary] = emulator.replies(user=OKSANA)
    [receipt] = _press(emulator, summary, "agreements_family.sign", OKSANA)
    assert CYRILLIC.search(_text(receipt)) and "Ava" in _text(receipt)

    # A concern, in Ukrainian, reaches the English-speaking teacher as written, marked "uk".
    worry = "Ава не може зайти на онлайн-урок у Teams, пише що пароль неправильний."
    emulator.say("/concern", user=OKSANA)
    [who] = emulator.replies(user=OKSANA)
    [what] = _press(emulator, who, "concerns_family.who", OKSANA)
    _press(emulator, what, "concerns_family.what", OKSANA, payload="live")
    emulator.say(worry, user=OKSANA)
    [check] = emulator.replies(user=OKSANA)
    [sent] = _press(emulator, check, "concerns_family.send", OKSANA)
    assert CYRILLIC.search(_text(sent))
    [concern] = emulator.replies(user=TEACHER)
    assert worry in _text(concern) and "Written in: uk" in _text(concern)
    assert "A new concern for you" in _text(concern)


def test_arabic_parents_invitation_reads_right_to_left_with_its_time_and_link_intact(
    live: tuple[Emulator, Path], tmp_path: Path
) -> None:
    emulator, schools = live
    emulator.languages[LAYLA] = "ar"
    codes = school_codes(emulator, schools, tmp_path, ROSTER)
    teacher = staff_code(emulator, schools, "Ms Teacher", "--role", "teacher", "--class", "3B")
    for user, code in ((LAYLA, codes["Layla Haddad"]), (TEACHER, teacher)):
        emulator.say(f"/start {code}", user=user)
        emulator.replies(user=user)
    _sign_for(emulator, "Sami")

    # The teacher (in English) arranges tomorrow's lesson for 3B.
    emulator.say("/newsession", user=TEACHER)
    [ask] = emulator.replies(user=TEACHER)
    [ask] = _press_labelled(emulator, ask, "3B", user=TEACHER)
    [ask] = _press_labelled(emulator, ask, "That's all", user=TEACHER)
    emulator.say("tomorrow 10:00", user=TEACHER)
    [ask] = emulator.replies(user=TEACHER)
    [ask] = _press_labelled(emulator, ask, "30 minutes", user=TEACHER)
    emulator.say(LINK, user=TEACHER)
    [ask] = emulator.replies(user=TEACHER)
    [ask] = _press_labelled(emulator, ask, "Not recorded", user=TEACHER)
    [summary] = _press_labelled(emulator, ask, "No extra line", user=TEACHER)
    _press_labelled(emulator, summary, "Send the invitations", user=TEACHER)

    [invite] = emulator.replies(user=LAYLA)
    text = _text(invite)
    assert ARABIC.search(text) and "Sami" in text
    lines = [line for line in text.split("\n") if line.strip()]
    assert all(line.startswith(RLM) for line in lines), lines
    assert f"{LRI}10:00{PDI}" in text  # the time, isolated so it reads left to right
    _press(emulator, invite, "live_rsvp.accept", LAYLA)
    [link] = emulator.replies(user=LAYLA)
    assert LINK in _text(link)  # every character of the link, so it still opens
    assert _text(link).startswith(RLM) and ARABIC.search(_text(link))

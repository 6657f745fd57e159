"""A live lesson arranged, accepted and cancelled through the real bot and the Bot API emulator.

The school's profile here is open at every hour, so the outbox sends whenever the test runs.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.harness import LINK, admin, school_codes, staff_code
from tests.e2e.test_telegram_e2e import (
    TOKEN,
    Emulator,
    _missing,
    _press_labelled,
    _wait_for,
    buttons,
)

pytestmark = pytest.mark.skipif(_missing() is not None, reason=_missing() or "")

NOOR, TOM, ANN, TEACHER = 5001, 5002, 5003, 5009
ROSTER = (
    "pupil_id,forename,surname,year,class,contact_id,contact_name,relationship,"
    "parental_responsibility\n"
    "P1,Ava,Khan,3,3B,C1,Noor Khan,Mother,yes\n"
    "P2,Mia,Jones,3,3B,C2,Tom Jones,Father,yes\n"
    "P3,Leo,Lee,4,4C,C3,Ann Lee,Mother,yes\n"
)


def _sign_for_ava(emulator: Emulator, schools: Path) -> None:
    from assistant.db import make_engine
    from assistant.models import utcnow
    from assistant.schools import load_profiles
    from tests.live_helpers import sign_all

    db = make_engine(f"sqlite:///{emulator.data_dir / 'assistant.sqlite3'}")
    try:
        sign_all(db, load_profiles(schools)["demo"], "Ava", utcnow())
    finally:
        db.dispose()


def _history(emulator: Emulator) -> list[dict[str, Any]]:
    return list(emulator.post("/getUpdatesHistory", {"token": TOKEN}))


def _bot_texts_to(emulator: Emulator, *users: int) -> list[str]:
    """The texts the bot sent to these chats that are still there (not deleted)."""
    chats = {str(user) for user in users}
    return [str(u["message"].get("text", "")) for u in _history(emulator)
            if "message" in u and str(u["message"].get("chat_id")) in chats]


def test_live_lesson_invitation_accept_and_cancel_through_telegram(
    live: tuple[Emulator, Path], tmp_path: Path
) -> None:
    emulator, schools = live
    codes = school_codes(emulator, schools, tmp_path, ROSTER)
    teacher = staff_code(emulator, schools, "Ms Teacher", "--role", "teacher", "--class", "3B")
    for user, code in ((NOOR, codes["Noor Khan"]), (TOM, codes["Tom Jones"]),
                       (ANN, codes["Ann Lee"]), (TEACHER, teacher)):
        emulator.say(f"/start {code}", user=user)
        emulator.replies(user=user)
    _sign_for_ava(emulator, schools)

    # The teacher arranges tomorrow's lesson for 3B.
    emulator.say("/newsession", user=TEACHER)
    [ask] = emulator.replies(user=TEACHER)
    [ask] = _press_labelled(emulator, ask, "3B", user=TEACHER)
    [ask] = _press_labelled(emulator, ask, "That's all", user=TEACHER)
    emulator.say("tomorrow 10:00", user=TEACHER)
    [ask] = emulator.replies(user=TEACHER)
    assert "at 10:00. How long" in ask["message"]["text"]
    [ask] = _press_labelled(emulator, ask, "30 minutes", user=TEACHER)
    emulator.say(LINK, user=TEACHER)
    [ask] = emulator.replies(user=TEACHER)
    [ask] = _press_labelled(emulator, ask, "Not recorded", user=TEACHER)
    [summary] = _press_labelled(emulator, ask, "No extra line", user=TEACHER)
    assert summary["message"]["protect_content"] == "true"
    [done] = _press_labelled(emulator, summary, "Send the invitations", user=TEACHER)
    assert "session 1 is arranged" in done["message"]["text"]

    # Only 3B's families are invited; Tom's child has no signed agreement yet.
    [noor_invite] = emulator.replies(user=NOOR)
    [tom_invite] = emulator.replies(user=TOM)
    assert "invites Ava (3B) to a live lesson" in noor_invite["message"]["text"]
    assert [b["text"] for b in buttons(noor_invite)] == [
        "We'll follow these - show me the link", "We can't attend"]
    assert [b["text"] for b in buttons(tom_invite)] == [
        "Sign the agreement first", "We can't attend"]
    gated = _press_labelled(emulator, tom_invite, "Sign the agreement first", user=TOM)
    assert "needs signing" in gated[0]["message"]["text"]
    if len(gated) == 1:  # the agreement's own menu follows as a second message
        gated += emulator.replies(user=TOM)
    assert "Agreements for Mia Jones (3B)" in gated[-1]["message"]["text"]
    assert not [text for text in _bot_texts_to(emulator, NOOR, TOM, ANN) if LINK in text]

    # Noor accepts: the link comes in its own protected message.
    [thanks] = _press_labelled(emulator, noor_invite, "We'll follow these", user=NOOR)
    assert "The link comes next" in thanks["message"]["text"]
    [link] = emulator.replies(user=NOOR)
    assert LINK in link["message"]["text"] and link["message"]["protect_content"] == "true"
    assert not buttons(link)

    # The teacher sees the answers, then cancels: both families hear, the link is deleted.
    emulator.say("/sessions", user=TEACHER)
    [card] = emulator.replies(user=TEACHER)
    assert "✓ Ava Khan (3B): accepted" in card["message"]["text"]
    assert "… Mia Jones (3B): no answer" in card["message"]["text"]
    [confirm] = _press_labelled(emulator, card, "Cancel it", user=TEACHER)
    [cancelled] = _press_labelled(emulator, confirm, "Cancel the session", user=TEACHER)
    assert "Cancelled. 2 families will be told" in cancelled["message"]["text"]
    [news] = emulator.replies(user=NOOR)
    assert "has cancelled the live lesson for Ava (3B)" in news["message"]["text"]
    assert "has cancelled" in emulator.replies(user=TOM)[0]["message"]["text"]
    _wait_for(lambda: not [text for text in _bot_texts_to(emulator, NOOR) if LINK in text], 30,
              "the link message to be deleted")
    to_ann = _bot_texts_to(emulator, ANN)
    assert to_ann and not [text for text in to_ann if "invites" in text or "cancelled" in text]

    out = tmp_path / "register.csv"
    admin(emulator, schools, "export", "register", "--session", "1", "--out", str(out))
    with out.open(encoding="utf-8-sig") as handle:
        rows = {r["pupil"]: r for r in csv.DictReader(handle)}
    assert rows["Ava Khan"]["answer"] == "accepted" and rows["Ava Khan"]["status"] == "cancelled"
    assert set(rows) == {"Ava Khan", "Mia Jones"}

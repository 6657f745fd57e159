"""Test helpers for live lessons: sign a child's agreements, arrange a session as staff."""

from __future__ import annotations

import asyncio
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from assistant.agreements.templates import load_templates, required_for, templates_for
from assistant.db import transaction
from assistant.engine import Engine
from assistant.models import AgreementRecord, Guardian, GuardianPupil, Pupil
from assistant.outbox import Claimed, Dispatcher
from assistant.schools import School
from tests.family import Person

LINK = "https://meet.google.com/abc-defg-hij"


def sign_all(db: sa.Engine, school: School, forename: str, now: datetime) -> None:
    """Records every agreement a child needs as signed by their first guardian."""
    with transaction(db) as session:
        pupil = session.exec(select(Pupil).where(Pupil.forename == forename)).one()
        guardian = session.exec(
            select(Guardian).join(GuardianPupil, GuardianPupil.guardian_id == Guardian.id)  # type: ignore[arg-type]
            .where(GuardianPupil.pupil_id == pupil.id)).first()
        assert pupil.id is not None and guardian is not None and guardian.id is not None
        for template in required_for(pupil.year, templates_for(school, load_templates("en"))):
            session.add(AgreementRecord(
                school_id=school.id, pupil_id=pupil.id, guardian_id=guardian.id, event="signed",
                template_id=template.id, version=template.version, text_hash="0" * 64,
                typed_name=guardian.name, locale="en", at=now))


def arrange(staff: Person, *, classes: tuple[str, ...] = ("3B",), when: str = "wed 10:00",
            length: str = "30 minutes", link: str = LINK, extra: str | None = None) -> None:
    """Walks /newsession through to the invitations being sent."""
    staff.say("/newsession")
    for code in classes:
        staff.press(code)
    staff.press("That's all")
    staff.say(when)
    staff.press(length)
    staff.say(link)
    staff.press("Not recorded")
    if extra is None:
        staff.press("No extra line")
    else:
        staff.say(extra)
    staff.press("Send the invitations")
    assert "is arranged" in staff.text(), staff.text()


def deliver(engine: Engine, clock: object, when: datetime) -> list[Claimed]:
    """Runs the outbox at `when` and returns what it sent (no transport involved)."""
    sent: list[Claimed] = []

    async def send(item: Claimed) -> None:
        sent.append(item)

    clock.now = when  # type: ignore[attr-defined]
    asyncio.run(Dispatcher(db=engine.db, schools=engine.schools, send=send,
                           clock=clock).run_once())  # type: ignore[arg-type]
    return sent


def outbox_texts(db: sa.Engine) -> list[str]:
    """Every text queued in the outbox so far, sent or not."""
    from assistant.models import OutboxMessage

    with Session(db) as session:
        return [str(row.payload.get("text", "")) for row in session.exec(select(OutboxMessage))]

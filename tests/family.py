"""Test helpers: put families and staff on a school's roster, and talk as them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import select

from assistant.db import transaction
from assistant.engine import Engine, Response
from assistant.events import Button, Event
from assistant.models import Guardian, GuardianPupil, Pupil, SchoolClass, Staff, StaffRole
from assistant.people.identity import issue_code


def school_class(session, school: str, code: str, year: str) -> SchoolClass:  # type: ignore[no-untyped-def]
    room = session.exec(select(SchoolClass).where(SchoolClass.school_id == school,
                                                  SchoolClass.code == code)).first()
    if room is None:
        room = SchoolClass(school_id=school, code=code, year=year)
        session.add(room)
        session.flush()
    return room


def add_family(db: sa.Engine, now: datetime, *, parent: str,
               children: list[tuple[str, str, str]], school: str = "demo",
               responsibility: bool = True) -> str:
    """Adds a parent and their children (forename, class, year); returns the parent's code."""
    with transaction(db) as session:
        guardian = Guardian(school_id=school, mis_id=f"C-{parent}", name=parent)
        session.add(guardian)
        session.flush()
        for forename, code, year in children:
            room = school_class(session, school, code, year)
            pupil = session.exec(select(Pupil).where(Pupil.school_id == school,
                                                     Pupil.mis_id == f"P-{forename}")).first()
            if pupil is None:
                pupil = Pupil(school_id=school, mis_id=f"P-{forename}", forename=forename,
                              surname="Khan", year=year, class_id=room.id)
                session.add(pupil)
                session.flush()
            assert pupil.id and guardian.id
            session.add(GuardianPupil(guardian_id=guardian.id, pupil_id=pupil.id,
                                      relationship="Parent",
                                      parental_responsibility=responsibility))
        assert guardian.id
        return issue_code(session=session, school_id=school, now=now, guardian_id=guardian.id)


def add_staff(db: sa.Engine, now: datetime, *, name: str, role: str, class_code: str = "",
              school: str = "demo") -> str:
    """Adds a member of staff with one role; returns their code."""
    with transaction(db) as session:
        member = Staff(school_id=school, name=name)
        session.add(member)
        session.flush()
        room = school_class(session, school, class_code, class_code[:1]) if class_code else None
        assert member.id
        session.add(StaffRole(staff_id=member.id, role=role, class_id=room.id if room else None))
        return issue_code(session=session, school_id=school, now=now, staff_id=member.id)


@dataclass
class Person:
    """Someone talking to the engine: sends text, presses buttons on the last reply."""

    engine: Engine
    user: str
    last: Response | None = None
    taps: int = 0
    messages: int = 0
    history: list[Response] = field(default_factory=list)

    def say(self, text: str) -> Response:
        self.messages += 1
        return self._got(self.engine.handle(Event("telegram", self.user, self.user, text=text)))

    def buttons(self) -> list[Button]:
        assert self.last is not None
        return [b for reply in self.last.replies for row in reply.buttons for b in row]

    def press(self, label: str, response: Response | None = None) -> Response:
        source = response or self.last
        assert source is not None
        found = [b for reply in source.replies for row in reply.buttons for b in row
                 if label.lower() in b.label.lower()]
        assert found, f"no button {label!r} in {[b.label for b in self.buttons()]}"
        self.taps += 1
        button = found[0]
        return self._got(self.engine.handle(Event("telegram", self.user, self.user,
                                                  action=button.action,
                                                  payload=button.payload,
                                                  nonce=source.nonce)))

    def text(self) -> str:
        assert self.last is not None
        return "\n".join(reply.text for reply in self.last.replies)

    def _got(self, response: Response) -> Response:
        self.last = response
        self.history.append(response)
        return response

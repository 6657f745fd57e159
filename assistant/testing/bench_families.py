"""Linked families for the benchmarks: one child each, in classes of 30, each parent's
Telegram account linked, all in one transaction."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from assistant.models import Account, Guardian, GuardianPupil, Pupil, SchoolClass

CLASS_SIZE = 30


@dataclass
class Seeded:
    """What was added: the classes, and each family's pupil and guardian, in order."""

    rooms: list[SchoolClass]
    pupils: list[Pupil]
    guardians: list[Guardian]


def add_families(session: Session, *, school_id: str, families: int, first_chat: int,
                 year: str, tag: str, linked_at: datetime) -> Seeded:
    """Adds N families whose parents' chats are first_chat, first_chat + 1, ..."""
    rooms = [SchoolClass(school_id=school_id, code=f"Y{year}-{n:03d}", year=year)
             for n in range(math.ceil(families / CLASS_SIZE))]
    accounts = [Account(transport="telegram", external_id=str(first_chat + i))
                for i in range(families)]
    session.add_all([*rooms, *accounts])
    session.flush()
    pupils = [Pupil(school_id=school_id, mis_id=f"{tag}{i}", forename=f"Child{i}",
                    surname="Bench", year=year, class_id=rooms[i // CLASS_SIZE].id)
              for i in range(families)]
    guardians = [Guardian(school_id=school_id, mis_id=f"{tag}G{i}", name=f"Parent {i}",
                          account_id=accounts[i].id, linked_at=linked_at)
                 for i in range(families)]
    session.add_all([*pupils, *guardians])
    session.flush()
    for pupil, guardian in zip(pupils, guardians, strict=True):
        session.add(GuardianPupil(guardian_id=guardian.id or 0, pupil_id=pupil.id or 0,
                                  relationship="Parent", parental_responsibility=True))
    return Seeded(rooms, pupils, guardians)

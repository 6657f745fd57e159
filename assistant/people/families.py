"""Which families have linked to the assistant, class by class, as staff see it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from assistant.models import Guardian, GuardianPupil, Pupil, SchoolClass


@dataclass(frozen=True)
class ClassLinks:
    """One class's current pupils ("Forename Surname"), each with whether a contact linked."""

    code: str
    pupils: dict[str, bool]


def families_linked(*, session: Session, school_id: str,
                    classes: list[str] | None) -> list[ClassLinks]:
    """Lists, class by class, whether any contact of each pupil has linked (None: all classes)."""
    query = (
        select(SchoolClass.code, Pupil.forename, Pupil.surname, Guardian.account_id)
        .join(Pupil, col(Pupil.class_id) == col(SchoolClass.id))
        .join(GuardianPupil, col(GuardianPupil.pupil_id) == col(Pupil.id), isouter=True)
        .join(Guardian, col(Guardian.id) == col(GuardianPupil.guardian_id), isouter=True)
        .where(SchoolClass.school_id == school_id, col(Pupil.left_at).is_(None))
        .order_by(col(SchoolClass.code), col(Pupil.surname), col(Pupil.forename))
    )
    if classes is not None:
        query = query.where(col(SchoolClass.code).in_(classes))
    linked: dict[str, dict[str, bool]] = {}
    for code, forename, surname, account_id in session.exec(query):
        pupils = linked.setdefault(code, {})
        name = f"{forename} {surname}"
        pupils[name] = pupils.get(name, False) or account_id is not None
    return [ClassLinks(code, pupils) for code, pupils in linked.items()]

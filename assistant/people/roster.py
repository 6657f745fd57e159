"""The school roster from an MIS export: read and checked first, then written in one go.

A roster file has one row per pupil and contact:

    pupil_id,forename,surname,year,class,contact_id,contact_name,relationship,
    parental_responsibility

`parse_roster` turns the text into checked rows or refuses it with every problem found;
`import_roster` brings the database in line with the rows (pupils missing from the file are
marked as left, never deleted).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from assistant.models import Guardian, GuardianPupil, LinkCode, Pupil, SchoolClass

COLUMNS = (
    "pupil_id", "forename", "surname", "year", "class",
    "contact_id", "contact_name", "relationship", "parental_responsibility",
)
REQUIRED = ("pupil_id", "forename", "surname", "class", "contact_id", "contact_name",
            "parental_responsibility")
# The longest value each column may hold: the limits of the columns they are stored in.
MAX_LENGTH = {
    "pupil_id": 40, "forename": 80, "surname": 80, "year": 10, "class": 40,
    "contact_id": 40, "contact_name": 120, "relationship": 40, "parental_responsibility": 10,
}
YES = ("yes", "y", "true", "1")
NO = ("no", "n", "false", "0")
MAX_PROBLEMS_SHOWN = 20


class RosterError(ValueError):
    """A roster file was refused; `problems` holds every `FILE:LINE: reason` found."""

    def __init__(self, source: str, problems: Sequence[str]) -> None:
        self.source, self.problems = source, list(problems)
        super().__init__(f"{source}: {len(self.problems)} problem(s), nothing imported")

    def report(self, limit: int = MAX_PROBLEMS_SHOWN) -> list[str]:
        """The problems to show, at most `limit` of them and a count of the rest."""
        shown = self.problems[:limit]
        rest = len(self.problems) - len(shown)
        return shown + ([f"... and {rest} more"] if rest else [])


@dataclass(frozen=True)
class RosterRow:
    """One checked row: a pupil, one of their contacts, and how the two are related."""

    line: int
    pupil_id: str
    forename: str
    surname: str
    year: str
    class_code: str
    contact_id: str
    contact_name: str
    relationship: str
    parental_responsibility: bool

    def pupil(self) -> tuple[str, str, str, str]:
        return (self.forename, self.surname, self.year, self.class_code)

    def key(self) -> tuple[object, ...]:
        """Everything but the line number: rows with equal keys are exact duplicates."""
        return tuple(getattr(self, f.name) for f in fields(self) if f.name != "line")


@dataclass
class ImportSummary:
    """What an import changed (or would change)."""

    classes_added: int = 0
    classes_updated: int = 0
    pupils_added: int = 0
    pupils_updated: int = 0
    pupils_unchanged: int = 0
    pupils_left: int = 0
    contacts_added: int = 0
    contacts_updated: int = 0
    links_added: int = 0
    links_updated: int = 0
    links_removed: int = 0
    rows_skipped: int = 0

    @property
    def changes(self) -> int:
        """How many records were added, updated, marked as left or removed."""
        return (self.classes_added + self.classes_updated + self.pupils_added
                + self.pupils_updated + self.pupils_left + self.contacts_added
                + self.contacts_updated + self.links_added + self.links_updated
                + self.links_removed)

    def lines(self) -> list[str]:
        """The summary as the admin reads it."""
        return [
            f"classes:  {self.classes_added} added, {self.classes_updated} updated",
            f"pupils:   {self.pupils_added} added, {self.pupils_updated} updated, "
            f"{self.pupils_unchanged} unchanged, {self.pupils_left} marked as left",
            f"contacts: {self.contacts_added} added, {self.contacts_updated} updated",
            f"links:    {self.links_added} added, {self.links_updated} updated, "
            f"{self.links_removed} removed",
            f"rows skipped (exact duplicates): {self.rows_skipped}",
        ]


def _flag(value: str) -> bool | None:
    lowered = value.lower()
    if lowered in YES:
        return True
    if lowered in NO:
        return False
    return None


def _header(cells: list[str], source: str) -> tuple[list[str], list[str]]:
    """The column names, and the problems with them."""
    names = [cell.strip().lower() for cell in cells]
    problems = []
    missing = [c for c in COLUMNS if c not in names]
    unknown = [n or "(blank)" for n in names if n not in COLUMNS]
    repeated = sorted({n for n in names if n in COLUMNS and names.count(n) > 1})
    if missing:
        problems.append(f"{source}:1: missing column(s): {', '.join(missing)}")
    if unknown:
        problems.append(f"{source}:1: unknown column(s): {', '.join(unknown)}")
    if repeated:
        problems.append(f"{source}:1: column(s) given twice: {', '.join(repeated)}")
    if problems:
        problems.append(f"{source}:1: the header must name exactly these columns, in any "
                        f"order: {','.join(COLUMNS)}")
    return names, problems


def _row(line: int, values: dict[str, str], where: str) -> tuple[RosterRow | None, list[str]]:
    problems = []
    for name in COLUMNS:
        value = values[name]
        if name in REQUIRED and not value:
            problems.append(f"{where}: {name} is blank")
        elif len(value) > MAX_LENGTH[name]:
            problems.append(f"{where}: {name} is {len(value)} characters long "
                            f"(at most {MAX_LENGTH[name]})")
        elif any(ch in value for ch in "\r\n"):
            problems.append(f"{where}: {name} has a line break in it")
    flag = _flag(values["parental_responsibility"])
    if values["parental_responsibility"] and flag is None:
        problems.append(f"{where}: parental_responsibility is "
                        f"{values['parental_responsibility'][:20]!r}; give yes or no")
    if problems or flag is None:
        return None, problems
    return RosterRow(
        line=line, pupil_id=values["pupil_id"], forename=values["forename"],
        surname=values["surname"], year=values["year"], class_code=values["class"],
        contact_id=values["contact_id"], contact_name=values["contact_name"],
        relationship=values["relationship"], parental_responsibility=flag,
    ), []


def check_rows(rows: Sequence[RosterRow], source: str) -> list[str]:
    """The problems between rows: one pupil or contact described two ways, a pair twice."""
    problems = []
    pupils: dict[str, RosterRow] = {}
    contacts: dict[str, RosterRow] = {}
    pairs: dict[tuple[str, str], RosterRow] = {}
    for row in rows:
        where = f"{source}:{row.line}"
        first = pupils.setdefault(row.pupil_id, row)
        if first.pupil() != row.pupil():
            problems.append(
                f"{where}: pupil {row.pupil_id} is {_describe(row)} here but "
                f"{_describe(first)} on line {first.line}")
        known = contacts.setdefault(row.contact_id, row)
        if known.contact_name != row.contact_name:
            problems.append(
                f"{where}: contact {row.contact_id} is {row.contact_name!r} here but "
                f"{known.contact_name!r} on line {known.line}")
        pair = pairs.setdefault((row.pupil_id, row.contact_id), row)
        if pair is not row and pair.key() != row.key():
            problems.append(
                f"{where}: pupil {row.pupil_id} and contact {row.contact_id} are already "
                f"paired on line {pair.line}, with different details")
    return problems


def _describe(row: RosterRow) -> str:
    return f"{row.forename} {row.surname}, year {row.year or '-'}, class {row.class_code}"


def parse_roster(text: str, source: str) -> list[RosterRow]:
    """Checks a roster file's text; returns its rows or raises RosterError with every problem.

    A byte-order mark, spaces around values and blank lines are ignored; columns may come in
    any order. Exact duplicate rows are kept here and skipped (and counted) on import.
    """
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    problems: list[str] = []
    rows: list[RosterRow] = []
    try:
        header = next(reader, None)
        if header is None or not any(cell.strip() for cell in header):
            raise RosterError(source, [f"{source}:1: no header; the first line must be "
                                       f"{','.join(COLUMNS)}"])
        names, header_problems = _header(header, source)
        if any("missing" in p or "twice" in p for p in header_problems):
            raise RosterError(source, header_problems)
        problems.extend(header_problems)
        index = {name: names.index(name) for name in COLUMNS}
        start = reader.line_num + 1  # the line a record starts on (a quoted value may wrap)
        for record in reader:
            line, start = start, reader.line_num + 1
            where = f"{source}:{line}"
            cells = [cell.strip() for cell in record]
            if not any(cells):
                continue
            if len(cells) != len(names):
                problems.append(f"{where}: {len(cells)} values for {len(names)} columns")
                continue
            row, row_problems = _row(line, {n: cells[i] for n, i in index.items()}, where)
            problems.extend(row_problems)
            if row is not None:
                rows.append(row)
    except csv.Error as error:
        problems.append(f"{source}:{reader.line_num}: cannot read as CSV: {error}")
    problems.extend(check_rows(rows, source))
    if not problems and not rows:
        problems.append(f"{source}:2: no rows after the header; nothing to import")
    if problems:
        raise RosterError(source, sorted(problems, key=_line_of))
    return rows


def _line_of(problem: str) -> int:
    """The line number in a `FILE:LINE: reason` problem, for listing them in file order."""
    head = problem.split(": ", 1)[0]
    number = head.rsplit(":", 1)[-1]
    return int(number) if number.isdigit() else 0


def _class_years(rows: Sequence[RosterRow]) -> dict[str, str]:
    """Each class's year group; blank for a mixed-age class."""
    years: dict[str, set[str]] = {}
    for row in rows:
        years.setdefault(row.class_code, set()).add(row.year)
    return {code: next(iter(ys)) if len(ys) == 1 else "" for code, ys in years.items()}


def import_roster(
    session: Session, school_id: str, rows: Sequence[RosterRow], now: datetime
) -> ImportSummary:
    """Brings a school's classes, pupils, contacts and links in line with checked rows.

    Pupils are matched by MIS id and updated in place; pupils of the school missing from the
    rows are marked as left (a pupil who comes back has the mark cleared). Contacts are
    matched by MIS id; links missing from the rows are removed. Nothing is committed here.
    """
    problems = check_rows(rows, school_id)
    if problems:
        raise RosterError(school_id, problems)
    summary = ImportSummary()
    unique: dict[tuple[object, ...], RosterRow] = {}
    for row in rows:
        if row.key() in unique:
            summary.rows_skipped += 1
        else:
            unique[row.key()] = row
    rows = list(unique.values())

    # Classes first: pupils need their ids.
    classes = {c.code: c for c in session.exec(
        select(SchoolClass).where(SchoolClass.school_id == school_id))}
    for code, year in _class_years(rows).items():
        klass = classes.get(code)
        if klass is None:
            classes[code] = SchoolClass(school_id=school_id, code=code, year=year)
            session.add(classes[code])
            summary.classes_added += 1
        elif klass.year != year:
            klass.year = year
            session.add(klass)
            summary.classes_updated += 1
    session.flush()

    pupils = {p.mis_id: p for p in session.exec(
        select(Pupil).where(Pupil.school_id == school_id))}
    in_file: dict[str, RosterRow] = {}
    for row in rows:
        in_file.setdefault(row.pupil_id, row)
    for mis_id, row in in_file.items():
        class_id = classes[row.class_code].id
        pupil = pupils.get(mis_id)
        if pupil is None:
            pupils[mis_id] = Pupil(school_id=school_id, mis_id=mis_id, forename=row.forename,
                                   surname=row.surname, year=row.year, class_id=class_id)
            session.add(pupils[mis_id])
            summary.pupils_added += 1
            continue
        wanted = (row.forename, row.surname, row.year, class_id, None)
        if (pupil.forename, pupil.surname, pupil.year, pupil.class_id, pupil.left_at) == wanted:
            summary.pupils_unchanged += 1
            continue
        pupil.forename, pupil.surname, pupil.year = row.forename, row.surname, row.year
        pupil.class_id, pupil.left_at = class_id, None
        session.add(pupil)
        summary.pupils_updated += 1
    for mis_id, pupil in pupils.items():
        if mis_id not in in_file and pupil.left_at is None:
            pupil.left_at = now
            session.add(pupil)
            summary.pupils_left += 1

    guardians = {g.mis_id: g for g in session.exec(
        select(Guardian).where(Guardian.school_id == school_id))}
    for row in rows:
        guardian = guardians.get(row.contact_id)
        if guardian is None:
            guardians[row.contact_id] = Guardian(school_id=school_id, mis_id=row.contact_id,
                                                 name=row.contact_name)
            session.add(guardians[row.contact_id])
            summary.contacts_added += 1
        elif guardian.name != row.contact_name:
            guardian.name = row.contact_name
            session.add(guardian)
            summary.contacts_updated += 1
    session.flush()

    links = {(link.pupil_id, link.guardian_id): link for link in session.exec(
        select(GuardianPupil)
        .join(Pupil, col(Pupil.id) == col(GuardianPupil.pupil_id))
        .where(Pupil.school_id == school_id))}
    wanted_links: set[tuple[int, int]] = set()
    for row in rows:
        pupil_id, guardian_id = pupils[row.pupil_id].id, guardians[row.contact_id].id
        assert pupil_id is not None and guardian_id is not None
        wanted_links.add((pupil_id, guardian_id))
        link = links.get((pupil_id, guardian_id))
        if link is None:
            session.add(GuardianPupil(guardian_id=guardian_id, pupil_id=pupil_id,
                                      relationship=row.relationship,
                                      parental_responsibility=row.parental_responsibility))
            summary.links_added += 1
        elif (link.relationship, link.parental_responsibility) != (
                row.relationship, row.parental_responsibility):
            link.relationship = row.relationship
            link.parental_responsibility = row.parental_responsibility
            session.add(link)
            summary.links_updated += 1
    # Links of pupils who left stay on record with them; links of current pupils that the
    # MIS no longer lists are removed.
    current = {p.id for p in pupils.values() if p.left_at is None}
    for key, link in links.items():
        if key not in wanted_links and key[0] in current:
            session.delete(link)
            summary.links_removed += 1
    session.flush()
    # A contact with no current child at the school can no longer link with an old code.
    linked_now = {guardian_id for pupil_id, guardian_id in wanted_links}
    table = LinkCode.__table__  # type: ignore[attr-defined]
    session.execute(
        sa.update(table)
        .where(table.c.school_id == school_id, table.c.guardian_id.is_not(None),
               table.c.guardian_id.not_in(linked_now) if linked_now else sa.true(),
               table.c.used_at.is_(None), table.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return summary

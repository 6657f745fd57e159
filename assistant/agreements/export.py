"""The agreements export: one row per pupil and agreement, as CSV rows or a printable page."""

from __future__ import annotations

import html

from sqlmodel import Session, col, select

from assistant.agreements.status import latest_records, statuses
from assistant.agreements.templates import load_templates, templates_for
from assistant.models import Guardian, Pupil, SchoolClass, utcnow
from assistant.schools import School

COLUMNS = ["pupil", "class", "agreement", "status", "version", "signer", "parent_or_carer",
           "signed_at"]
STATUS_WORDS = {"signed": "signed", "not-signed": "not signed",
                "old-version": "new version not yet signed", "withdrawn": "withdrawn"}


def agreement_rows(session: Session, school: School, class_code: str | None) -> list[list[str]]:
    """The export's rows, by class and pupil; times in the school's timezone."""
    query = (
        select(Pupil, SchoolClass.code)
        .join(SchoolClass, col(SchoolClass.id) == col(Pupil.class_id))
        .where(Pupil.school_id == school.id, col(Pupil.left_at).is_(None))
        .order_by(col(SchoolClass.code), col(Pupil.surname), col(Pupil.forename))
    )
    if class_code is not None:
        query = query.where(SchoolClass.code == class_code)
    pupils = list(session.exec(query))
    templates = templates_for(school, load_templates("en"))
    latest = latest_records(session, [p.id for p, _ in pupils if p.id is not None])
    names = {g.id: g.name for g in session.exec(select(Guardian).where(
        Guardian.school_id == school.id))}
    rows: list[list[str]] = []
    for pupil, code in pupils:
        assert pupil.id is not None
        for status in statuses(pupil.id, pupil.year, templates, latest):
            record = status.record
            rows.append([
                f"{pupil.forename} {pupil.surname}", code, status.template.title,
                STATUS_WORDS[status.state],
                str(record.version) if record else "",
                record.typed_name if record else "",
                names.get(record.guardian_id, "") if record else "",
                record.at.astimezone(school.tz).strftime("%Y-%m-%d %H:%M") if record else "",
            ])
    return rows


def html_page(school: School, class_code: str | None, rows: list[list[str]]) -> str:
    """A plain, printable page of the same rows."""
    title = f"Acceptable use agreements - {school.name}" + (
        f" - class {class_code}" if class_code else "")
    head = "".join(f"<th>{html.escape(c.replace('_', ' '))}</th>" for c in COLUMNS)
    body = "\n".join(
        "<tr>" + "".join(f"<td>{html.escape(v)}</td>" for v in row) + "</tr>" for row in rows)
    made = utcnow().astimezone(school.tz).strftime("%Y-%m-%d %H:%M")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:sans-serif}}table{{border-collapse:collapse}}
td,th{{border:1px solid #999;padding:4px 8px;text-align:left}}</style></head>
<body><h1>{html.escape(title)}</h1><p>Made {made}. Confidential: pupils' names.</p>
<table><thead><tr>{head}</tr></thead><tbody>
{body}
</tbody></table></body></html>
"""


def has_class(session: Session, school: School, class_code: str) -> bool:
    """Whether the school has a class with this code."""
    return session.exec(select(SchoolClass).where(
        SchoolClass.school_id == school.id, SchoolClass.code == class_code)).first() is not None

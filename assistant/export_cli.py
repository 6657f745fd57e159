"""`export agreements`: one row per pupil and agreement, as CSV or a printable HTML page."""

from __future__ import annotations

import argparse
import html
from collections.abc import Callable
from pathlib import Path

from sqlmodel import Session, col, select

from assistant import concern_export
from assistant.agreement_status import latest_records, statuses
from assistant.agreements import load_templates, templates_for
from assistant.models import Guardian, Pupil, SchoolClass, utcnow
from assistant.private_files import FileRefused, write_private_csv, write_private_text
from assistant.register_cli import add_register
from assistant.runtime import open_school
from assistant.schools import School
from assistant.settings import Settings

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


def _agreements(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.cli import UsageError

    school, db = open_school(settings, args.school)
    with Session(db) as session:
        if args.class_code and not session.exec(select(SchoolClass).where(
                SchoolClass.school_id == school.id, SchoolClass.code == args.class_code)).first():
            raise UsageError(f"no class {args.class_code!r} at {school.id}")
        rows = agreement_rows(session, school, args.class_code)
    out = Path(args.out)
    try:
        if out.suffix.lower() in {".html", ".htm"}:
            write_private_text(out, html_page(school, args.class_code, rows),
                               overwrite=args.force)
        else:
            write_private_csv(out, COLUMNS, rows, overwrite=args.force)
    except FileRefused as refused:
        raise UsageError(str(refused)) from None
    print(f"Wrote {len(rows)} rows to {out}. It holds pupils' names: keep it safe.")
    return 0


def add_commands(
    commands: argparse._SubParsersAction,
    school_arg: Callable[[argparse.ArgumentParser], None],
) -> None:
    """Adds `export ...` to the command line."""
    export = commands.add_parser("export", help="export records for the school's files")
    sub = export.add_subparsers(dest="export_command", metavar="WHAT", required=True)
    agreements = sub.add_parser(
        "agreements", help="one row per pupil and agreement (.csv, or .html for printing)")
    school_arg(agreements)
    agreements.add_argument("--class", dest="class_code", help="only this class")
    agreements.add_argument("--out", required=True, help="FILE.csv or FILE.html")
    agreements.add_argument("--force", action="store_true", help="overwrite --out")
    agreements.set_defaults(handler=_agreements)
    add_register(sub)
    concern_export.add_command(sub, school_arg)

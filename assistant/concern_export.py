"""`export concerns`: the record a DSL transfers into CPOMS or MyConcern."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sqlmodel import Session, col, select

from assistant.concerns import summary
from assistant.models import Concern, ConcernEvent, Staff
from assistant.private_files import FileRefused, write_private_csv
from assistant.runtime import open_school
from assistant.schools import School
from assistant.settings import Settings

COLUMNS = ["reference", "raised_at", "urgent", "category", "child", "class", "raised_by",
           "account_of_concern", "pictures", "status", "acknowledged_at", "acknowledged_by",
           "resolved_at", "resolved_by", "outcome", "history"]
WARNING = ("warning: this file holds safeguarding information about children. Keep it on a "
           "school device, move it into your safeguarding system, then delete it.")


def concern_rows(session: Session, school: School) -> list[list[str]]:
    """One row per concern with its history, oldest first; times in the school's timezone."""
    def when(at: object) -> str:
        return at.astimezone(school.tz).strftime("%Y-%m-%d %H:%M")  # type: ignore[attr-defined]

    names = {s.id: s.name for s in session.exec(select(Staff).where(
        Staff.school_id == school.id))}
    rows: list[list[str]] = []
    for concern in session.exec(select(Concern).where(Concern.school_id == school.id)
                                .order_by(col(Concern.created_at))):
        s = summary(session, concern)
        history = list(session.exec(select(ConcernEvent).where(
            ConcernEvent.concern_id == concern.id).order_by(col(ConcernEvent.at),
                                                             col(ConcernEvent.id))))
        ack = next((e for e in history if e.event == "acknowledged"), None)
        done = next((e for e in history if e.event == "resolved"), None)
        steps = "; ".join(
            f"{when(e.at)} {e.event}" + (f" ({names.get(e.staff_id, '')})" if e.staff_id else "")
            for e in history)
        rows.append([
            concern.reference, when(concern.created_at), "yes" if concern.urgent else "no",
            concern.category, s.child, s.class_code, s.sender, concern.text,
            str(len(concern.photos)), concern.status,
            when(ack.at) if ack else "", names.get(ack.staff_id, "") if ack else "",
            when(done.at) if done else "", names.get(done.staff_id, "") if done else "",
            done.note if done else "", steps,
        ])
    return rows


def export_concerns(args: argparse.Namespace, settings: Settings) -> int:
    """Writes the school's concerns to a CSV only the person running it can read."""
    from assistant.cli import UsageError

    school, db = open_school(settings, args.school)
    with Session(db) as session:
        rows = concern_rows(session, school)
    try:
        write_private_csv(Path(args.out), COLUMNS, rows, overwrite=args.force)
    except FileRefused as refused:
        raise UsageError(str(refused)) from None
    print(WARNING, file=sys.stderr)
    print(f"Wrote {len(rows)} concern(s) to {args.out}.")
    return 0


def add_command(sub: argparse._SubParsersAction, school_arg: object) -> None:
    """Adds `export concerns` beside the other exports."""
    concerns = sub.add_parser("concerns", help="every concern and its history, for the DSL "
                              "(sensitive)")
    school_arg(concerns)  # type: ignore[operator]
    concerns.add_argument("--out", required=True, help="FILE.csv")
    concerns.add_argument("--force", action="store_true", help="overwrite --out")
    concerns.set_defaults(handler=export_concerns)

"""`export register`: a live session's register, one row per pupil, for the school's records."""

from __future__ import annotations

import argparse
from pathlib import Path

from sqlmodel import Session

from assistant.db import make_engine, migrate
from assistant.live_register import answers
from assistant.live_store import class_label
from assistant.models import LiveSession
from assistant.private_files import FileRefused, write_private_csv
from assistant.schools import School, load_profiles
from assistant.settings import Settings

COLUMNS = ["session", "date", "time", "minutes", "platform", "classes", "status", "pupil",
           "class", "answer", "answered_by", "answered_at"]


def register_rows(session: Session, school: School, live: LiveSession) -> list[list[str]]:
    """The register's rows: the session's facts, then each pupil and their family's answer."""
    start = live.starts_at.astimezone(school.tz)
    facts = [str(live.id), start.strftime("%Y-%m-%d"), start.strftime("%H:%M"),
             str(live.minutes), live.platform, class_label(session, live), live.status]
    return [[*facts, a.pupil, a.class_code, a.answer, a.by,
             a.at.astimezone(school.tz).strftime("%Y-%m-%d %H:%M") if a.at else ""]
            for a in answers(session, live)]


def _register(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.cli import UsageError

    if args.session <= 0:
        raise UsageError("--session must be a session number (see /sessions)")
    schools = load_profiles(settings.schools_dir)
    db = make_engine(settings.database_url)
    migrate(db)
    with Session(db) as session:
        live = session.get(LiveSession, args.session)
        if live is None:
            raise UsageError(f"no live session {args.session}")
        school = schools.get(live.school_id)
        if school is None:
            raise UsageError(f"session {args.session} belongs to {live.school_id!r}, which has "
                             "no profile")
        rows = register_rows(session, school, live)
    out = Path(args.out)
    try:
        write_private_csv(out, COLUMNS, rows, overwrite=args.force)
    except FileRefused as refused:
        raise UsageError(str(refused)) from None
    accepted = sum(1 for row in rows if row[COLUMNS.index("answer")] == "accepted")
    print(f"Wrote {len(rows)} pupils ({accepted} accepted) to {out}. It holds pupils' names: "
          "keep it safe.")
    return 0


def add_register(export: argparse._SubParsersAction) -> None:
    """Adds `export register` beside the other exports."""
    register = export.add_parser(
        "register", help="a live session's register: who was invited and who accepted (.csv)")
    register.add_argument("--session", type=int, required=True, help="the session number")
    register.add_argument("--out", required=True, help="FILE.csv")
    register.add_argument("--force", action="store_true", help="overwrite --out")
    register.set_defaults(handler=_register)

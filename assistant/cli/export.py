"""`export agreements|register|concerns|questions`: school records, in owner-only files."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sqlmodel import Session

from assistant.agreements import export as agreements
from assistant.cli.common import open_database, open_school, school_arg, write_csv, write_text
from assistant.cli.errors import UsageError
from assistant.concerns import export as concerns
from assistant.live import register
from assistant.models import LiveSession
from assistant.questions import export as questions
from assistant.settings import Settings

KEEP_SAFE = "It holds pupils' names: keep it safe."


def _agreements(args: argparse.Namespace, settings: Settings) -> int:
    school, db = open_school(settings, args.school)
    with Session(db) as session:
        if args.class_code and not agreements.has_class(session, school, args.class_code):
            raise UsageError(f"no class {args.class_code!r} at {school.id}")
        rows = agreements.agreement_rows(session, school, args.class_code)
    out = Path(args.out)
    if out.suffix.lower() in {".html", ".htm"}:
        write_text(out, agreements.html_page(school, args.class_code, rows), force=args.force)
    else:
        write_csv(out, agreements.COLUMNS, rows, force=args.force)
    print(f"Wrote {len(rows)} rows to {out}. {KEEP_SAFE}")
    return 0


def _register(args: argparse.Namespace, settings: Settings) -> int:
    if args.session <= 0 or args.session >= 2**31:
        raise UsageError("--session must be a session number (see /sessions)")
    schools, db = open_database(settings)
    with Session(db) as session:
        live = session.get(LiveSession, args.session)
        if live is None:
            raise UsageError(f"no live session {args.session}")
        school = schools.get(live.school_id)
        if school is None:
            raise UsageError(f"session {args.session} belongs to {live.school_id!r}, which has "
                             "no profile")
        rows = register.register_rows(session, school, live)
    write_csv(Path(args.out), register.REGISTER_COLUMNS, rows, force=args.force)
    answer = register.REGISTER_COLUMNS.index("answer")
    accepted = sum(1 for row in rows if row[answer] == register.ACCEPTED_ANSWER)
    print(f"Wrote {len(rows)} pupils ({accepted} accepted) to {args.out}. {KEEP_SAFE}")
    return 0


def _concerns(args: argparse.Namespace, settings: Settings) -> int:
    school, db = open_school(settings, args.school)
    with Session(db) as session:
        rows = concerns.concern_rows(session, school)
    write_csv(Path(args.out), concerns.COLUMNS, rows, force=args.force)
    print(concerns.WARNING, file=sys.stderr)
    print(f"Wrote {len(rows)} concern(s) to {args.out}.")
    return 0


def _questions(args: argparse.Namespace, settings: Settings) -> int:
    school, db = open_school(settings, args.school)
    with Session(db) as session:
        rows = questions.question_rows(session, school)
    write_csv(Path(args.out), questions.COLUMNS, rows, force=args.force)
    print(f"Wrote {len(rows)} question(s) to {args.out}. {KEEP_SAFE}")
    return 0


def _out_args(parser: argparse.ArgumentParser, help_text: str) -> None:
    parser.add_argument("--out", required=True, help=help_text)
    parser.add_argument("--force", action="store_true", help="overwrite --out")


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Adds `export agreements`, `register`, `concerns` and `questions`."""
    export = commands.add_parser("export", help="export records for the school's files")
    sub = export.add_subparsers(dest="export_command", metavar="WHAT", required=True)

    agreements_cmd = sub.add_parser(
        "agreements", help="one row per pupil and agreement (.csv, or .html for printing)")
    school_arg(agreements_cmd)
    agreements_cmd.add_argument("--class", dest="class_code", help="only this class")
    _out_args(agreements_cmd, "FILE.csv or FILE.html")
    agreements_cmd.set_defaults(handler=_agreements)

    register_cmd = sub.add_parser(
        "register", help="a live session's register: who was invited and who accepted (.csv)")
    register_cmd.add_argument("--session", type=int, required=True, help="the session number")
    _out_args(register_cmd, "FILE.csv")
    register_cmd.set_defaults(handler=_register)

    concerns_cmd = sub.add_parser(
        "concerns", help="every concern and its history, for the DSL (sensitive)")
    school_arg(concerns_cmd)
    _out_args(concerns_cmd, "FILE.csv")
    concerns_cmd.set_defaults(handler=_concerns)

    questions_cmd = sub.add_parser(
        "questions", help="families' questions to staff: routed to, answered by, and when")
    school_arg(questions_cmd)
    _out_args(questions_cmd, "FILE.csv")
    questions_cmd.set_defaults(handler=_questions)

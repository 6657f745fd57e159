"""What every command shares: the --school argument, opening the database, private files."""

from __future__ import annotations

import argparse
import logging
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

from assistant.cli.errors import UsageError
from assistant.db import make_engine, migrate
from assistant.private_files import FileRefused, write_private_csv, write_private_text
from assistant.runtime import sync_schools
from assistant.schools import School, load_profiles
from assistant.settings import Settings

# Every command module registers itself with this one shape.
Register = Callable[[argparse._SubParsersAction], None]
Handler = Callable[[argparse.Namespace, Settings], int]


def school_arg(parser: argparse.ArgumentParser) -> None:
    """Adds --school, which every per-school command takes."""
    parser.add_argument("--school", default="demo", help="school id (default: demo)")


def open_database(settings: Settings) -> tuple[dict[str, School], sa.Engine]:
    """Every school's profile and the migrated database."""
    # Alembic reports each step at INFO; an admin command only wants its own output.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    schools = load_profiles(settings.schools_dir)
    db = make_engine(settings.database_url)
    migrate(db)
    sync_schools(db, schools)
    return schools, db


def open_school(settings: Settings, school_id: str) -> tuple[School, sa.Engine]:
    """The school's profile and the migrated database, once the school is known."""
    schools = load_profiles(settings.schools_dir)
    if school_id not in schools:
        raise UsageError(f"no school {school_id!r}; known: {', '.join(sorted(schools))}")
    schools, db = open_database(settings)
    return schools[school_id], db


def write_csv(path: Path, columns: list[str], rows: list[list[str]], *, force: bool) -> None:
    """Writes rows to a file only its owner can read; refuses to clobber without --force."""
    try:
        write_private_csv(path, columns, rows, overwrite=force)
    except FileRefused as refused:
        raise UsageError(str(refused)) from None


def write_text(path: Path, text: str, *, force: bool) -> None:
    """Writes text to a file only its owner can read; refuses to clobber without --force."""
    try:
        write_private_text(path, text, overwrite=force)
    except FileRefused as refused:
        raise UsageError(str(refused)) from None

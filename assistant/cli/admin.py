"""The school admin's commands: `roster import`, `codes` for contacts, and `staff`."""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from assistant.cli.common import open_school, school_arg
from assistant.cli.errors import UsageError
from assistant.concerns.service import unreceived_concerns
from assistant.models import (
    Account,
    Guardian,
    GuardianPupil,
    Pupil,
    SchoolClass,
    Staff,
    StaffRole,
    utcnow,
)
from assistant.people.identity import DEFAULT_DAYS, ROLES, issue_code
from assistant.people.retention import FLAGGED_DAYS, OUTBOX_DAYS, UNANSWERED_DAYS, purge
from assistant.people.roster import RosterError, import_roster, parse_roster
from assistant.people.staff_leaving import Handed, hand_over, remove_roles
from assistant.private_files import FileRefused, write_private_csv
from assistant.schools import load_profiles
from assistant.settings import Settings

BOT_ENV = "TELEGRAM_BOT_USERNAME"
# Telegram bot usernames: 5-32 letters, digits or underscores, ending in "bot".
BOT_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{1,28}[Bb][Oo][Tt]")
MAX_DAYS = 365
# Share of the current pupils an import may mark as left before it asks for --allow-leavers.
LEAVERS_SHARE = 0.25
CODE_COLUMNS = ("code", "contact_id", "contact_name", "children", "parental_responsibility",
                "link")


@contextmanager
def _session(db: sa.Engine) -> Iterator[Session]:
    """A session the handler commits itself; anything not committed is rolled back."""
    with Session(db, expire_on_commit=False) as session:
        try:
            yield session
        finally:
            session.rollback()


def _bot(given: str | None, *, required: bool) -> str | None:
    """The bot's username from --bot or TELEGRAM_BOT_USERNAME, checked."""
    name = (given or os.environ.get(BOT_ENV, "")).strip().removeprefix("@")
    name = name.removeprefix("https://t.me/").removeprefix("t.me/")
    if not name:
        if required:
            raise UsageError(f"the bot's username is needed for the links: give --bot USERNAME or "
                         f"set {BOT_ENV} (the name after t.me/, e.g. ellwood_school_bot)")
        return None
    if not BOT_NAME.fullmatch(name):
        # Not echoed: someone may have pasted the bot's token by mistake.
        raise UsageError("that is not a bot username: give 5-32 letters, digits or underscores "
                     "ending in 'bot' (the name after t.me/, not the token)")
    return name


def _link(bot: str, code: str) -> str:
    return f"https://t.me/{bot}?start={code}"


def _days(days: int) -> int:
    if not 1 <= days <= MAX_DAYS:
        raise UsageError(f"--days must be from 1 to {MAX_DAYS}, got {days}")
    return days


def _find_class(session: Session, school_id: str, code: str) -> SchoolClass:
    """A class on the school's roster by code (case ignored when that is unambiguous)."""
    classes = session.exec(select(SchoolClass).where(SchoolClass.school_id == school_id)).all()
    exact = [c for c in classes if c.code == code.strip()]
    loose = [c for c in classes if c.code.lower() == code.strip().lower()]
    found = exact or loose
    if len(found) != 1:
        known = ", ".join(sorted(c.code for c in classes)) or "none: import a roster first"
        raise UsageError(f"no class {code!r} at {school_id}; classes: {known}")
    return found[0]


# roster import ------------------------------------------------------------------------------


def _roster_import(args: argparse.Namespace, settings: Settings) -> int:
    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise UsageError(f"cannot read {path}: {error.strerror or error}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UsageError(f"{path} is not UTF-8 text: save it from the MIS or a spreadsheet as "
                     f"'CSV UTF-8'") from None
    db = open_school(settings, args.school)[1]
    try:
        rows = parse_roster(text, str(path))
    except RosterError as refused:
        for line in refused.report():
            print(line, file=sys.stderr)
        raise UsageError(f"{path} refused: {len(refused.problems)} problem(s) listed above; "
                     f"nothing was imported") from None
    with _session(db) as session:
        current = session.exec(select(func.count()).select_from(Pupil).where(
            Pupil.school_id == args.school, col(Pupil.left_at).is_(None))).one()
        summary = import_roster(session, args.school, rows, utcnow())
        if (not args.allow_leavers and summary.pupils_left > 5
                and summary.pupils_left > LEAVERS_SHARE * current):
            raise UsageError(f"{path} would mark {summary.pupils_left} of {current} current "
                             f"pupils as left: is it the whole school's roster? Nothing was "
                             f"imported; "
                             f"give --allow-leavers if this is right")
        if not args.dry_run:
            session.commit()
    verb = "Would import" if args.dry_run else "Imported"
    print(f"{verb} {path} for {args.school}: {len(rows)} row(s)")
    for line in summary.lines():
        print(f"  {line}")
    if args.dry_run:
        print("Dry run: nothing was written.")
    elif not summary.changes:
        print("No changes: the stored roster already matches this file.")
    return 0


# codes --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Contact:
    guardian: Guardian
    children: list[tuple[Pupil, SchoolClass | None, GuardianPupil]]

    def children_text(self) -> str:
        return "; ".join(f"{p.forename} {p.surname} ({k.code if k else '-'})"
                         for p, k, _ in self.children)

    def responsibility(self) -> str:
        flags = {link.parental_responsibility for _, _, link in self.children}
        return "mixed" if len(flags) > 1 else "yes" if True in flags else "no"


def _contacts(session: Session, school_id: str, class_id: int | None) -> list[_Contact]:
    """Contacts with a current child at the school (in the class, if given), children sorted."""
    rows = session.exec(
        select(Guardian, Pupil, SchoolClass, GuardianPupil)
        .join(GuardianPupil, col(GuardianPupil.guardian_id) == col(Guardian.id))
        .join(Pupil, col(Pupil.id) == col(GuardianPupil.pupil_id))
        .join(SchoolClass, col(SchoolClass.id) == col(Pupil.class_id), isouter=True)
        .where(Guardian.school_id == school_id, Pupil.school_id == school_id,
               col(Pupil.left_at).is_(None))
        .order_by(col(Guardian.id), col(SchoolClass.code), col(Pupil.surname),
                  col(Pupil.forename))
    ).all()
    grouped: dict[int, _Contact] = {}
    for guardian, pupil, klass, link in rows:
        assert guardian.id is not None
        grouped.setdefault(guardian.id, _Contact(guardian, [])).children.append(
            (pupil, klass, link))
    contacts = [c for c in grouped.values()
                if class_id is None or any(p.class_id == class_id for p, _, _ in c.children)]
    return sorted(contacts, key=lambda c: (c.children_text(), c.guardian.name))


def _write_secret_csv(path: Path, rows: list[list[str]], *, overwrite: bool) -> None:
    """Writes the codes readable by this user only; refuses an existing file unless told."""
    try:
        write_private_csv(path, CODE_COLUMNS, rows, overwrite=overwrite)
    except FileRefused as refused:
        raise UsageError(str(refused)) from None


def _codes(args: argparse.Namespace, settings: Settings) -> int:
    bot = _bot(args.bot, required=True)
    assert bot is not None
    days = _days(args.days)
    out = Path(args.out)
    if out.exists() and not args.force:
        raise UsageError(f"{out} already exists; give --force to overwrite it")
    db = open_school(settings, args.school)[1]
    now = utcnow()
    with _session(db) as session:
        klass = _find_class(session, args.school, args.klass) if args.klass else None
        contacts = _contacts(session, args.school, klass.id if klass else None)
        if not contacts:
            where = f"class {klass.code} at {args.school}" if klass else args.school
            raise UsageError(f"no contacts with a current child in {where}: import a roster first "
                         f"(python -m assistant roster import --school {args.school} FILE.csv)")
        rows: list[list[str]] = []
        for contact in contacts:
            assert contact.guardian.id is not None
            code = issue_code(session=session, school_id=args.school, now=now,
                              guardian_id=contact.guardian.id, days=days)
            rows.append([code, contact.guardian.mis_id, contact.guardian.name,
                         contact.children_text(), contact.responsibility(),
                         _link(bot, code)])
        session.flush()
        _write_secret_csv(out, rows, overwrite=args.force)
        try:
            session.commit()
        except BaseException:
            out.unlink(missing_ok=True)
            raise
    until = (now + timedelta(days=days)).date().isoformat()
    print(f"Wrote {len(rows)} code(s) to {out} (valid {days} days, until {until}); each "
          f"contact's older unused codes no longer work.")
    print(f"{out} holds secrets: hand each code to its contact only, then delete the file.")
    return 0


# staff --------------------------------------------------------------------------------------


def _roles_text(session: Session, staff_id: int) -> str:
    rows = session.exec(
        select(StaffRole.role, SchoolClass.code)
        .join(SchoolClass, col(SchoolClass.id) == col(StaffRole.class_id), isouter=True)
        .where(StaffRole.staff_id == staff_id)
        .order_by(col(StaffRole.role), col(SchoolClass.code))
    ).all()
    return ", ".join(f"{role} {code}" if code else role for role, code in rows) or "-"


def _print_code(name: str, staff_id: int, code: str, bot: str | None, days: int) -> None:
    print(f"Staff code for {name} (staff id {staff_id}): {code}  (valid {days} days, one use)")
    if bot:
        print(f"Link: {_link(bot, code)}")
    else:
        print(f"No link printed: give --bot USERNAME or set {BOT_ENV} for one; they can also "
              f"send /start {code} to the bot.")
    print("Hand it to them in person; any older unused code of theirs no longer works.")


def _staff_add(args: argparse.Namespace, settings: Settings) -> int:
    name = " ".join(args.name.split())
    if not name or len(name) > 120:
        raise UsageError("--name must be 1 to 120 characters")
    roles = list(dict.fromkeys(role.strip().lower() for role in args.roles))
    unknown = [role for role in roles if role not in ROLES]
    if unknown:
        raise UsageError(f"unknown role {unknown[0]!r}; roles: {', '.join(ROLES)}")
    class_codes = list(dict.fromkeys(args.classes or []))
    if "teacher" in roles and not class_codes:
        raise UsageError("the teacher role needs --class (a class on the roster, e.g. --class 3B)")
    if class_codes and "teacher" not in roles:
        raise UsageError("--class is only for the teacher role; add --role teacher")
    bot = _bot(args.bot, required=False)
    days = _days(args.days)
    db = open_school(settings, args.school)[1]
    with _session(db) as session:
        classes = [_find_class(session, args.school, code) for code in class_codes]
        same = session.exec(select(Staff).where(
            Staff.school_id == args.school, func.lower(Staff.name) == name.lower())).first()
        if same is not None:
            raise UsageError(f"{same.name} is already staff at {args.school} "
                             f"(staff id {same.id}); to give them a new code: "
                             f"staff code --staff-id {same.id}")
        member = Staff(school_id=args.school, name=name)
        session.add(member)
        session.flush()
        assert member.id is not None
        for role in roles:
            for klass in classes if role == "teacher" else [None]:
                session.add(StaffRole(staff_id=member.id, role=role,
                                      class_id=klass.id if klass else None))
        session.flush()
        code = issue_code(session=session, school_id=args.school, now=utcnow(),
                          staff_id=member.id, days=days)
        roles_text = _roles_text(session, member.id)
        session.commit()
    print(f"Added {name} at {args.school}: {roles_text}.")
    _print_code(name, member.id, code, bot, days)
    return 0


def _staff_list(args: argparse.Namespace, settings: Settings) -> int:
    db = open_school(settings, args.school)[1]
    with _session(db) as session:
        members = session.exec(select(Staff).where(Staff.school_id == args.school)
                               .order_by(col(Staff.name))).all()
        if not members:
            print(f"No staff at {args.school} yet: add them with "
                  f"python -m assistant staff add --school {args.school} ...")
        else:
            print(f"{'id':>4}  {'name':<30} {'linked':<6}  roles")
        for member in members:
            assert member.id is not None
            linked = "yes" if member.account_id is not None else "no"
            away = " (absent)" if member.absent else ""
            print(f"{member.id:>4}  {member.name:<30} {linked:<6}  "
                  f"{_roles_text(session, member.id)}{away}")
        _print_unreceived(session, args.school)
    return 0


def _print_unreceived(session: Session, school_id: str) -> None:
    """Warns about concerns families sent that no member of staff could receive."""
    waiting = unreceived_concerns(session, school_id)
    if not waiting:
        return
    print(f"\nWarning: {len(waiting)} concern(s) with nobody to receive them (no staff linked "
          f"when they were sent):")
    for concern in waiting:
        print(f"  {concern.reference}  sent {concern.created_at:%Y-%m-%d %H:%M} UTC  "
              f"{concern.category}{'  URGENT' if concern.urgent else ''}")
    print(f"Link the DSL (staff code --school {school_id} --staff-id N): the DSL sees them "
          f"with /concerns. export concerns --school {school_id} writes them out.")


def _staff_member(session: Session, school_id: str, staff_id: int) -> Staff:
    """The member of staff with this id at this school, or a one-line refusal."""
    member = session.get(Staff, staff_id)
    if member is None or member.school_id != school_id:
        raise UsageError(f"no staff id {staff_id} at {school_id}; see "
                     f"python -m assistant staff list --school {school_id}")
    return member


def _staff_code(args: argparse.Namespace, settings: Settings) -> int:
    bot = _bot(args.bot, required=False)
    days = _days(args.days)
    db = open_school(settings, args.school)[1]
    with _session(db) as session:
        member = _staff_member(session, args.school, args.staff_id)
        assert member.id is not None
        code = issue_code(session=session, school_id=args.school, now=utcnow(),
                          staff_id=member.id, days=days)
        session.commit()
    _print_code(member.name, member.id, code, bot, days)
    return 0


def _hand_over(session: Session, settings: Settings, member: Staff) -> Handed:
    """Sends a member of staff's open concerns and questions to colleagues."""
    from assistant.runtime import CONCERN_ACTIONS, QUESTION_ACTIONS

    account = session.get(Account, member.account_id) if member.account_id else None
    return hand_over(session=session, schools=load_profiles(settings.schools_dir),
                     staff=member, address=account.address if account else None,
                     now=utcnow(), concern_actions=CONCERN_ACTIONS,
                     question_actions=QUESTION_ACTIONS)


def _handed_line(handed: Handed) -> str:
    return (f"{handed.concerns} open concern(s) and {handed.questions} question(s) sent on to "
            f"colleagues; {handed.withdrawn} queued message(s) to them withdrawn.")


def _staff_absent(args: argparse.Namespace, settings: Settings) -> int:
    db = open_school(settings, args.school)[1]
    with _session(db) as session:
        member = _staff_member(session, args.school, args.staff_id)
        member.absent = not args.back
        session.add(member)
        handed = None if args.back else _hand_over(session, settings, member)
        session.commit()
        state = "back: concerns reach them again" if args.back else (
            "absent: they see no concerns or questions, and those for their roles go to "
            "deputies and fallbacks")
        print(f"{member.name} is {state}.")
        if handed is not None:
            print(_handed_line(handed))
    return 0


def _staff_remove(args: argparse.Namespace, settings: Settings) -> int:
    """A leaver: their work goes to colleagues, their chat is unlinked, their roles end."""
    db = open_school(settings, args.school)[1]
    with _session(db) as session:
        member = _staff_member(session, args.school, args.staff_id)
        handed = _hand_over(session, settings, member)
        member.account_id, member.linked_at = None, None
        member.absent = True
        session.add(member)
        remove_roles(session, member)
        session.commit()
        print(f"{member.name} is removed: unlinked, with no roles; their past actions stay in "
              "the records.")
        print(_handed_line(handed))
    return 0


def _purge(args: argparse.Namespace, settings: Settings) -> int:
    """Applies the retention: old outbox history, unanswered questions and flagged messages
    never sent to the school go."""
    if args.outbox_days < 1 or args.unanswered_days < 1 or args.flagged_days < 1:
        raise UsageError("--outbox-days, --unanswered-days and --flagged-days must be at least 1")
    db = open_school(settings, args.school)[1]
    with _session(db) as session:
        done = purge(session=session, school_id=args.school, now=utcnow(),
                     outbox_days=args.outbox_days, unanswered_days=args.unanswered_days,
                     flagged_days=args.flagged_days)
        session.commit()
    print(f"Removed {done.outbox} outbox message(s) older than {args.outbox_days} days, "
          f"{done.unanswered} unanswered question(s) older than {args.unanswered_days} days "
          f"and {done.flagged} flagged message(s) never sent to the school older than "
          f"{args.flagged_days} days at {args.school}. Concerns, signatures and registers are "
          "kept.")
    return 0


# wiring -------------------------------------------------------------------------------------


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Adds `roster import`, `codes` and `staff add|list|code` to the command line."""
    roster = commands.add_parser("roster", help="import the pupils and contacts from the MIS")
    roster_sub = roster.add_subparsers(dest="roster_command", metavar="ACTION", required=True)
    imp = roster_sub.add_parser(
        "import", help="bring the stored roster in line with an MIS export (CSV)",
        description="Columns, in any order: pupil_id, forename, surname, year, class, "
                    "contact_id, contact_name, relationship, parental_responsibility. The whole "
                    "file is checked first; pupils missing from it are marked as left.")
    school_arg(imp)
    imp.add_argument("file", help="the CSV file (UTF-8)")
    imp.add_argument("--dry-run", action="store_true", help="show the changes, write nothing")
    imp.add_argument("--allow-leavers", action="store_true",
                     help="accept a file that marks more than a quarter of pupils as left")
    imp.set_defaults(handler=_roster_import)

    codes = commands.add_parser(
        "codes", help="issue link codes for contacts and write them to a CSV file",
        description="Issues one new code per contact with a current child (older unused codes "
                    "stop working) and writes code, contact, children and t.me link.")
    school_arg(codes)
    codes.add_argument("--class", dest="klass", metavar="CLASS",
                       help="only contacts with a current child in this class")
    codes.add_argument("--days", type=int, default=DEFAULT_DAYS,
                       help=f"days the codes work (default {DEFAULT_DAYS})")
    codes.add_argument("--bot", metavar="USERNAME", help=f"the bot's username (or {BOT_ENV})")
    codes.add_argument("--out", required=True, metavar="FILE.csv", help="the CSV file to write")
    codes.add_argument("--force", action="store_true", help="overwrite --out if it exists")
    codes.set_defaults(handler=_codes)

    staff = commands.add_parser("staff", help="add staff, list them, issue staff codes")
    staff_sub = staff.add_subparsers(dest="staff_command", metavar="ACTION", required=True)
    add = staff_sub.add_parser("add", help="add a member of staff and print their code")
    school_arg(add)
    add.add_argument("--name", required=True)
    add.add_argument("--role", dest="roles", action="append", required=True, metavar="ROLE",
                     help=f"one of {', '.join(ROLES)}; repeat for several")
    add.add_argument("--class", dest="classes", action="append", metavar="CLASS",
                     help="the class a teacher teaches; repeat for several")
    add.add_argument("--days", type=int, default=DEFAULT_DAYS,
                     help=f"days the code works (default {DEFAULT_DAYS})")
    add.add_argument("--bot", metavar="USERNAME", help=f"the bot's username (or {BOT_ENV})")
    add.set_defaults(handler=_staff_add)

    listing = staff_sub.add_parser("list", help="staff, their roles, and whether they linked")
    school_arg(listing)
    listing.set_defaults(handler=_staff_list)

    code = staff_sub.add_parser("code", help="issue a new code for a member of staff")
    school_arg(code)
    code.add_argument("--staff-id", type=int, required=True, metavar="N")
    code.add_argument("--days", type=int, default=DEFAULT_DAYS,
                      help=f"days the code works (default {DEFAULT_DAYS})")
    code.add_argument("--bot", metavar="USERNAME", help=f"the bot's username (or {BOT_ENV})")
    code.set_defaults(handler=_staff_code)

    absent = staff_sub.add_parser(
        "absent", help="mark a member of staff absent (the DSL's deputies take their concerns)")
    school_arg(absent)
    absent.add_argument("--staff-id", type=int, required=True, metavar="N")
    absent.add_argument("--back", action="store_true", help="mark them back instead")
    absent.set_defaults(handler=_staff_absent)

    remove = staff_sub.add_parser(
        "remove", help="a leaver or a suspension: unlink them, end their roles, and send their "
                       "open concerns and questions to colleagues")
    school_arg(remove)
    remove.add_argument("--staff-id", type=int, required=True, metavar="N")
    remove.set_defaults(handler=_staff_remove)

    purger = commands.add_parser(
        "purge", help="apply the retention: remove old outbox history, unanswered questions and "
                      "flagged messages never sent to the school")
    school_arg(purger)
    purger.add_argument("--outbox-days", type=int, default=OUTBOX_DAYS,
                        help=f"keep what was sent for this many days (default {OUTBOX_DAYS})")
    purger.add_argument("--unanswered-days", type=int, default=UNANSWERED_DAYS,
                        help="keep unanswered questions for this many days (default "
                             f"{UNANSWERED_DAYS})")
    purger.add_argument("--flagged-days", type=int, default=FLAGGED_DAYS,
                        help="keep messages the danger check flagged, and nobody sent to the "
                             f"school, for this many days (default {FLAGGED_DAYS})")
    purger.set_defaults(handler=_purge)

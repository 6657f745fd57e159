"""The school admin's side: roster import from the MIS, link codes for contacts, staff codes."""

from __future__ import annotations

import csv
import dataclasses
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import Session, col, select

from assistant.db import make_engine, transaction
from assistant.models import (
    Account,
    Guardian,
    GuardianPupil,
    LinkCode,
    Pupil,
    SchoolClass,
    Staff,
    StaffRole,
    utcnow,
)
from assistant.people.identity import ALPHABET, CodeRefused, hash_code, redeem_code
from assistant.people.roster import (
    ImportSummary,
    RosterError,
    RosterRow,
    import_roster,
    parse_roster,
)
from tests.conftest import Clock
from tests.support import cli as support_cli

DATA = Path(__file__).parent / "data"
TWO_CLASSES = DATA / "roster-two-classes.csv"
CHANGED = DATA / "roster-two-classes-changed.csv"
MALFORMED = DATA / "roster-malformed.csv"
BOT = "demo_school_bot"


def rows_of(path: Path) -> list[RosterRow]:
    return parse_roster(path.read_text(encoding="utf-8"), path.name)


def import_file(db: sa.Engine, path: Path, clock: Clock) -> ImportSummary:
    with transaction(db) as session:
        return import_roster(session, "demo", rows_of(path), clock())


def counts(summary: ImportSummary) -> dict[str, int]:
    return {k: v for k, v in dataclasses.asdict(summary).items() if v}


def stored_roster(db: sa.Engine) -> dict[str, Any]:
    """Everything the roster import may touch, in a comparable form."""
    with Session(db) as session:
        return {
            "classes": sorted((c.code, c.year) for c in session.exec(select(SchoolClass))),
            "pupils": sorted((p.mis_id, p.forename, p.surname, p.year, p.class_id, p.left_at)
                             for p in session.exec(select(Pupil))),
            "contacts": sorted((g.mis_id, g.name) for g in session.exec(select(Guardian))),
            "links": sorted((link.guardian_id, link.pupil_id, link.relationship,
                             link.parental_responsibility)
                            for link in session.exec(select(GuardianPupil))),
        }


# Importing the roster straight through roster.py ---------------------------------------------


def test_two_class_roster_imports_with_the_right_summary(db: sa.Engine, clock: Clock) -> None:
    summary = import_file(db, TWO_CLASSES, clock)
    assert counts(summary) == {"classes_added": 2, "pupils_added": 6, "contacts_added": 8,
                               "links_added": 9}
    with Session(db) as session:
        classes = {c.code: c for c in session.exec(select(SchoolClass))}
        assert {code: c.year for code, c in classes.items()} == {"3B": "3", "4C": "4"}
        noor = session.exec(select(Guardian).where(Guardian.mis_id == "C001")).one()
        children = session.exec(
            select(Pupil).join(GuardianPupil, col(GuardianPupil.pupil_id) == col(Pupil.id))
            .where(GuardianPupil.guardian_id == noor.id).order_by(col(Pupil.mis_id))).all()
        assert [(p.forename, p.class_id) for p in children] == [
            ("Ava", classes["3B"].id), ("Sam", classes["4C"].id)]
        gary = session.exec(select(Guardian).where(Guardian.mis_id == "C004")).one()
        link = session.exec(select(GuardianPupil)
                            .where(GuardianPupil.guardian_id == gary.id)).one()
        assert (link.relationship, link.parental_responsibility) == ("Grandfather", False)


def test_importing_the_same_roster_again_changes_nothing(db: sa.Engine, clock: Clock) -> None:
    import_file(db, TWO_CLASSES, clock)
    before = stored_roster(db)
    clock.advance(days=1)
    again = import_file(db, TWO_CLASSES, clock)
    assert again.changes == 0
    assert counts(again) == {"pupils_unchanged": 6}
    assert stored_roster(db) == before


def test_changed_roster_updates_in_place_and_marks_a_leaver_without_deleting(
    db: sa.Engine, clock: Clock
) -> None:
    import_file(db, TWO_CLASSES, clock)
    with Session(db) as session:
        ids_before = {p.mis_id: p.id for p in session.exec(select(Pupil))}
    clock.advance(days=30)
    summary = import_file(db, CHANGED, clock)
    assert counts(summary) == {
        "pupils_added": 1, "pupils_updated": 1, "pupils_unchanged": 4, "pupils_left": 1,
        "contacts_added": 1, "contacts_updated": 1,
        "links_added": 1, "links_updated": 1, "links_removed": 1,  # the leaver keeps theirs
    }
    with Session(db) as session:
        pupils = {p.mis_id: p for p in session.exec(select(Pupil))}
        classes = {c.code: c.id for c in session.exec(select(SchoolClass))}
        assert {m: p.id for m, p in pupils.items() if m in ids_before} == ids_before
        assert pupils["P005"].left_at == clock.now  # Mia left: kept, marked
        assert all(p.left_at is None for m, p in pupils.items() if m != "P005")
        assert (pupils["P004"].year, pupils["P004"].class_id) == ("4", classes["4C"])
        assert pupils["P007"].forename == "Zoë"
        sarah = session.exec(select(Guardian).where(Guardian.mis_id == "C007")).one()
        assert sarah.name == "Sarah Wright-Hughes"
        ruth = session.exec(select(Guardian).where(Guardian.mis_id == "C008")).one()
        assert session.exec(select(GuardianPupil)
                            .where(GuardianPupil.guardian_id == ruth.id)).all() == []


def test_a_pupil_who_comes_back_is_no_longer_marked_as_left(
    db: sa.Engine, clock: Clock
) -> None:
    import_file(db, TWO_CLASSES, clock)
    import_file(db, CHANGED, clock)
    back = import_file(db, TWO_CLASSES, clock)
    assert back.pupils_left == 1 and back.pupils_updated == 2  # Zoë out; Mia back, Leo moved
    with Session(db) as session:
        mia = session.exec(select(Pupil).where(Pupil.mis_id == "P005")).one()
        assert mia.left_at is None


def test_header_may_have_a_bom_spaces_and_any_column_order() -> None:
    text = ("\ufeff contact_id , Pupil_ID,forename,surname,year,class,contact_name,"
            "parental_responsibility,relationship\r\n"
            " C1 , P1 , Ava ,Khan,3,3B,Noor Khan,Y,Mother\r\n"
            "\r\n"
            "C2,P1,Ava,Khan,3,3B,Imran Khan,FALSE,\r\n")
    rows = parse_roster(text, "export.csv")
    assert [(r.line, r.pupil_id, r.forename, r.contact_id, r.parental_responsibility)
            for r in rows] == [(2, "P1", "Ava", "C1", True), (4, "P1", "Ava", "C2", False)]


def test_exact_duplicate_rows_are_skipped_and_counted_not_refused(
    db: sa.Engine, clock: Clock
) -> None:
    lines = TWO_CLASSES.read_text(encoding="utf-8").splitlines()
    text = "\n".join([*lines, lines[1], lines[1].replace(",yes", ",Y")]) + "\n"
    rows = parse_roster(text, "export.csv")
    with transaction(db) as session:
        summary = import_roster(session, "demo", rows, clock())
    assert summary.rows_skipped == 2 and summary.links_added == 9


def test_missing_and_unknown_columns_are_refused_with_their_names() -> None:
    with pytest.raises(RosterError) as refused:
        parse_roster("pupil_id,forename,surname,class,contact_id,contact_name,relation,"
                     "parental_responsibility\nP1,Ava,Khan,3B,C1,Noor,Mother,yes\n", "x.csv")
    text = "\n".join(refused.value.problems)
    assert "x.csv:1: missing column(s): year, relationship" in text
    assert "x.csv:1: unknown column(s): relation" in text


def test_a_long_list_of_problems_is_cut_short_with_a_count() -> None:
    header = TWO_CLASSES.read_text(encoding="utf-8").splitlines()[0]
    body = "".join(f"P{n},Ava,Khan,3,3B,C{n},Noor,Mother,perhaps\n" for n in range(30))
    with pytest.raises(RosterError) as refused:
        parse_roster(f"{header}\n{body}", "big.csv")
    shown = refused.value.report()
    assert len(shown) == 21 and shown[0].startswith("big.csv:2: ")
    assert shown[-1] == "... and 10 more"


# The command line -----------------------------------------------------------------------------


def run_cli(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "DATA_DIR": str(tmp_path), "DATABASE_URL": "", "SCHOOLS_DIR": "",
                "TELEGRAM_BOT_USERNAME": "", **env}
    return support_cli.run_cli(*args, env=full_env)


def cli_db(tmp_path: Path) -> sa.Engine:
    return make_engine(f"sqlite:///{tmp_path / 'assistant.sqlite3'}")


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0, result.stderr
    return result.stderr


def imported(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "roster", "import", "--school", "demo", str(TWO_CLASSES))
    assert result.returncode == 0, result.stderr


def test_roster_import_prints_the_summary_and_a_rerun_reports_no_changes(
    tmp_path: Path,
) -> None:
    first = run_cli(tmp_path, "roster", "import", "--school", "demo", str(TWO_CLASSES))
    assert first.returncode == 0, first.stderr
    assert "classes:  2 added" in first.stdout
    assert "pupils:   6 added, 0 updated, 0 unchanged, 0 marked as left" in first.stdout
    assert "contacts: 8 added, 0 updated" in first.stdout
    assert "links:    9 added, 0 updated, 0 removed" in first.stdout
    again = run_cli(tmp_path, "roster", "import", "--school", "demo", str(TWO_CLASSES))
    assert again.returncode == 0 and "No changes" in again.stdout
    assert "6 unchanged" in again.stdout and again.stderr == ""


def test_malformed_roster_is_refused_with_line_numbers_and_nothing_changes(
    tmp_path: Path,
) -> None:
    imported(tmp_path)
    before = stored_roster(cli_db(tmp_path))
    result = run_cli(tmp_path, "roster", "import", "--school", "demo", str(MALFORMED))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    problems = result.stderr.splitlines()
    name = str(MALFORMED)
    assert problems[0] == f"{name}:3: contact_name is blank"
    assert problems[1].startswith(f"{name}:4: parental_responsibility is 'maybe'")
    assert problems[2].startswith(f"{name}:5: pupil P001 is Ava Khan, year 4, class 4C here")
    assert "on line 2" in problems[2]
    assert "3 problem(s)" in problems[-1] and "nothing was imported" in problems[-1]
    assert stored_roster(cli_db(tmp_path)) == before


def test_roster_with_a_bad_header_is_refused_and_nothing_changes(tmp_path: Path) -> None:
    imported(tmp_path)
    before = stored_roster(cli_db(tmp_path))
    bad = tmp_path / "bad.csv"
    text = TWO_CLASSES.read_text(encoding="utf-8").replace("contact_name", "parent", 1)
    bad.write_text(text, encoding="utf-8")
    result = run_cli(tmp_path, "roster", "import", "--school", "demo", str(bad))
    assert result.returncode == 2
    assert f"{bad}:1: missing column(s): contact_name" in result.stderr
    assert f"{bad}:1: unknown column(s): parent" in result.stderr
    assert stored_roster(cli_db(tmp_path)) == before


def test_roster_import_for_an_unknown_school_or_missing_file_exits_2_with_one_line(
    tmp_path: Path,
) -> None:
    assert "nowhere" in one_line_error(
        run_cli(tmp_path, "roster", "import", "--school", "nowhere", str(TWO_CLASSES)))
    missing = tmp_path / "no-such.csv"
    assert str(missing) in one_line_error(
        run_cli(tmp_path, "roster", "import", "--school", "demo", str(missing)))
    latin = tmp_path / "latin1.csv"
    latin.write_bytes(CHANGED.read_text(encoding="utf-8").encode("latin-1"))
    assert "UTF-8" in one_line_error(
        run_cli(tmp_path, "roster", "import", "--school", "demo", str(latin)))


def test_a_file_that_would_empty_most_of_the_school_asks_first(tmp_path: Path) -> None:
    header = TWO_CLASSES.read_text(encoding="utf-8").splitlines()[0]
    school = tmp_path / "school.csv"
    school.write_text(header + "\n" + "".join(
        f"X{n},Kid,Number{n},3,3B,K{n},Carer {n},Mother,yes\n" for n in range(12)),
        encoding="utf-8")
    assert run_cli(tmp_path, "roster", "import", "--school", "demo", str(school)).returncode == 0
    one_family = tmp_path / "one-family.csv"
    one_family.write_text(header + "\nX0,Kid,Number0,3,3B,K0,Carer 0,Mother,yes\n",
                          encoding="utf-8")
    before = stored_roster(cli_db(tmp_path))
    refused = run_cli(tmp_path, "roster", "import", "--school", "demo", str(one_family))
    assert "11 of 12" in one_line_error(refused) and "--allow-leavers" in refused.stderr
    assert stored_roster(cli_db(tmp_path)) == before
    allowed = run_cli(tmp_path, "roster", "import", "--school", "demo", "--allow-leavers",
                      str(one_family))
    assert allowed.returncode == 0 and "11 marked as left" in allowed.stdout


def read_codes(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_codes_csv_has_one_row_per_contact_with_their_children_and_link(
    tmp_path: Path,
) -> None:
    imported(tmp_path)
    out = tmp_path / "codes.csv"
    result = run_cli(tmp_path, "codes", "--school", "demo", "--bot", BOT, "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "Wrote 8 code(s)" in result.stdout and "delete" in result.stdout
    rows = read_codes(out)
    assert list(rows[0]) == ["code", "contact_id", "contact_name", "children",
                             "parental_responsibility", "link"]
    by_contact = {row["contact_id"]: row for row in rows}
    assert sorted(by_contact) == [f"C00{n}" for n in range(1, 9)]
    assert by_contact["C001"]["children"] == "Ava Khan (3B); Sam Khan (4C)"
    assert by_contact["C004"]["parental_responsibility"] == "no"
    assert by_contact["C001"]["parental_responsibility"] == "yes"
    for row in rows:
        assert row["link"] == f"https://t.me/{BOT}?start={row['code']}"
    assert out.stat().st_mode & 0o077 == 0  # only the admin can read it


def test_codes_are_readable_long_and_stored_only_as_hashes(tmp_path: Path) -> None:
    imported(tmp_path)
    out = tmp_path / "codes.csv"
    result = run_cli(tmp_path, "codes", "--school", "demo", "--out", str(out),
                     TELEGRAM_BOT_USERNAME=BOT)
    assert result.returncode == 0, result.stderr
    codes = [row["code"] for row in read_codes(out)]
    assert len(set(codes)) == 8
    assert all(len(code) >= 10 and set(code) <= set(ALPHABET) for code in codes)
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("assistant.sqlite3*"))
    with Session(cli_db(tmp_path)) as session:
        stored = session.exec(select(LinkCode)).all()
        every_value = " ".join(str(v) for code in stored for v in code.model_dump().values())
    assert {c.code_hash for c in stored} == {hash_code(code) for code in codes}
    for code in codes:
        assert code.encode() not in raw and code not in every_value


def test_reissuing_codes_revokes_the_old_ones(tmp_path: Path) -> None:
    imported(tmp_path)
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    for out in (first, second):
        result = run_cli(tmp_path, "codes", "--school", "demo", "--bot", BOT, "--out", str(out))
        assert result.returncode == 0, result.stderr
    old = {row["contact_id"]: row["code"] for row in read_codes(first)}
    new = {row["contact_id"]: row["code"] for row in read_codes(second)}
    db = cli_db(tmp_path)
    with transaction(db) as session:
        account = Account(transport="telegram", external_id="1001")
        session.add(account)
        session.flush()
        with pytest.raises(CodeRefused) as refused:
            redeem_code(session=session, account=account, typed=old["C001"],
                        now=utcnow())
        assert refused.value.reason in ("replaced", "used")
    with transaction(db) as session:
        account = session.exec(select(Account)).one()
        link = redeem_code(session=session, account=account, typed=new["C001"],
                           now=utcnow())
        assert link.guardian_id is not None
        assert session.get(Guardian, link.guardian_id).mis_id == "C001"  # type: ignore[union-attr]


def test_codes_for_one_class_go_to_its_contacts_with_all_their_children(
    tmp_path: Path,
) -> None:
    imported(tmp_path)
    out = tmp_path / "3b.csv"
    result = run_cli(tmp_path, "codes", "--school", "demo", "--class", "3B", "--bot", BOT,
                     "--out", str(out))
    assert result.returncode == 0, result.stderr
    rows = read_codes(out)
    assert sorted(row["contact_id"] for row in rows) == ["C001", "C002", "C003", "C004", "C005"]
    assert {row["contact_id"]: row["children"] for row in rows}["C001"] == (
        "Ava Khan (3B); Sam Khan (4C)")


def test_codes_refuse_without_a_bot_name_an_unknown_class_or_an_existing_file(
    tmp_path: Path,
) -> None:
    imported(tmp_path)
    out = tmp_path / "codes.csv"
    message = one_line_error(run_cli(tmp_path, "codes", "--school", "demo", "--out", str(out)))
    assert "--bot" in message and "TELEGRAM_BOT_USERNAME" in message
    assert not out.exists()
    assert "5Z" in one_line_error(run_cli(tmp_path, "codes", "--school", "demo", "--class", "5Z",
                                          "--bot", BOT, "--out", str(out)))
    out.write_text("handed out yesterday\n", encoding="utf-8")
    assert "--force" in one_line_error(
        run_cli(tmp_path, "codes", "--school", "demo", "--bot", BOT, "--out", str(out)))
    assert out.read_text(encoding="utf-8") == "handed out yesterday\n"
    with Session(cli_db(tmp_path)) as session:
        assert session.exec(select(LinkCode)).all() == []
    forced = run_cli(tmp_path, "codes", "--school", "demo", "--bot", BOT, "--out", str(out),
                     "--force")
    assert forced.returncode == 0 and len(read_codes(out)) == 8


def test_staff_add_prints_a_code_and_its_link(tmp_path: Path) -> None:
    imported(tmp_path)
    result = run_cli(tmp_path, "staff", "add", "--school", "demo", "--name", "Ms Patel",
                     "--role", "teacher", "--class", "3B", "--role", "dsl", "--bot", BOT)
    assert result.returncode == 0, result.stderr
    assert "Added Ms Patel at demo: dsl, teacher 3B." in result.stdout
    code = result.stdout.split("Staff code for Ms Patel (staff id 1): ", 1)[1].split()[0]
    assert len(code) >= 10 and set(code) <= set(ALPHABET)
    assert f"https://t.me/{BOT}?start={code}" in result.stdout
    with Session(cli_db(tmp_path)) as session:
        member = session.exec(select(Staff)).one()
        roles = session.exec(select(StaffRole).where(StaffRole.staff_id == member.id)).all()
        assert sorted(r.role for r in roles) == ["dsl", "teacher"]
        assert session.exec(select(LinkCode.code_hash)).one() == hash_code(code)


def test_staff_add_refuses_a_teacher_without_a_class_and_an_unknown_role(
    tmp_path: Path,
) -> None:
    imported(tmp_path)
    assert "--class" in one_line_error(run_cli(
        tmp_path, "staff", "add", "--school", "demo", "--name", "Mr Lee", "--role", "teacher"))
    assert "janitor" in one_line_error(run_cli(
        tmp_path, "staff", "add", "--school", "demo", "--name", "Mr Lee", "--role", "janitor"))
    assert "9Q" in one_line_error(run_cli(
        tmp_path, "staff", "add", "--school", "demo", "--name", "Mr Lee", "--role", "teacher",
        "--class", "9Q"))
    with Session(cli_db(tmp_path)) as session:
        assert session.exec(select(Staff)).all() == []


def test_staff_list_shows_roles_and_linking_and_a_new_code_replaces_the_old(
    tmp_path: Path,
) -> None:
    imported(tmp_path)
    added = run_cli(tmp_path, "staff", "add", "--school", "demo", "--name", "Mrs Hall",
                    "--role", "head")
    assert added.returncode == 0 and "No link printed" in added.stdout
    twice = run_cli(tmp_path, "staff", "add", "--school", "demo", "--name", "mrs hall",
                    "--role", "office")
    assert "staff id 1" in one_line_error(twice)
    listing = run_cli(tmp_path, "staff", "list", "--school", "demo")
    assert listing.returncode == 0
    assert any("Mrs Hall" in line and " no " in line and line.endswith("head")
               for line in listing.stdout.splitlines())
    again = run_cli(tmp_path, "staff", "code", "--school", "demo", "--staff-id", "1",
                    "--bot", BOT)
    assert again.returncode == 0 and f"https://t.me/{BOT}?start=" in again.stdout
    with Session(cli_db(tmp_path)) as session:
        codes = session.exec(select(LinkCode).order_by(col(LinkCode.id))).all()
        assert [c.revoked_at is not None for c in codes] == [True, False]
    assert "staff id 7" in one_line_error(
        run_cli(tmp_path, "staff", "code", "--school", "demo", "--staff-id", "7"))


def test_contact_dropped_from_the_roster_can_no_longer_link(db: sa.Engine, clock: Clock) -> None:
    from assistant.people.identity import issue_code

    import_file(db, TWO_CLASSES, clock)
    with transaction(db) as session:
        codes = {
            g.name: issue_code(session=session, school_id="demo", now=clock(), guardian_id=g.id)
            for g in session.exec(select(Guardian))
        }
    import_file(db, CHANGED, clock)  # Mia left (Tom Jones); Ruth Bell no longer listed
    with transaction(db) as session:
        account = Account(transport="telegram", external_id="555")
        session.add(account)
        session.flush()
        for name in ("Tom Jones", "Ruth Bell"):
            with pytest.raises(CodeRefused):
                redeem_code(session=session, account=account, typed=codes[name], now=clock())
        redeem_code(session=session, account=account, typed=codes["Noor Khan"], now=clock())

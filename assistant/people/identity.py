"""Who someone is: link codes issued and redeemed, and the people an account stands for."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from assistant.models import (
    Account,
    Guardian,
    GuardianPupil,
    LinkAttempt,
    LinkCode,
    Pupil,
    SchoolClass,
    Staff,
    StaffRole,
)
from assistant.schools import School

# Readable: no 0/O, 1/l/I. 31 symbols x 10 = 49.5 bits, past the 40 the school asked for.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10
DEFAULT_DAYS = 30
MAX_WRONG_PER_HOUR = 5
ROLES = ("teacher", "dsl", "deputy-dsl", "head", "office")


def new_code() -> str:
    """A fresh random link code."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def clean_code(typed: str) -> str:
    """The code as stored, from what someone typed: case, spaces and dashes ignored."""
    return "".join(ch for ch in typed.upper() if ch.isalnum())[:40]


# At most four groups of letters and digits, split by spaces or dashes: "ABCD-EFGH-JK".
_CODE_GROUPS = re.compile(r"^[A-Za-z0-9]+(?:[\s-]+[A-Za-z0-9]+){0,3}$")


def shaped_like_code(typed: str) -> bool:
    """Tells whether text could be a link code: its ten symbols, grouped any way, any case."""
    text = typed.strip()
    if not _CODE_GROUPS.match(text):
        return False
    code = clean_code(text)
    return len(code) == CODE_LENGTH and set(code) <= set(ALPHABET)


def surely_a_code(typed: str) -> bool:
    """Tells whether a message typed in any conversation is a link code, not words: shaped
    like one and holding a digit, or typed as one block in capitals ("ABCDEFGHJK").

    Everyday words and names fail one or the other ("Sarah James", "statements"), so they
    stay questions, names and concerns.
    """
    text = typed.strip()
    if not shaped_like_code(text):
        return False
    return any(ch.isdigit() for ch in text) or (
        not any(ch.isspace() for ch in text) and text.upper() == text)


def hash_code(code: str) -> str:
    """The only form of a code the database keeps."""
    return hashlib.sha256(clean_code(code).encode()).hexdigest()


def issue_code(
    *,
    session: Session,
    school_id: str,
    now: datetime,
    guardian_id: int | None = None,
    staff_id: int | None = None,
    days: int = DEFAULT_DAYS,
) -> str:
    """Issues a code for a contact or a member of staff; their older unused codes stop working."""
    if (guardian_id is None) == (staff_id is None):
        raise ValueError("a code is for exactly one guardian or one member of staff")
    table = LinkCode.__table__  # type: ignore[attr-defined]
    owner = table.c.guardian_id == guardian_id if guardian_id else table.c.staff_id == staff_id
    session.execute(
        sa.update(table)
        .where(owner, table.c.used_at.is_(None), table.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    code = new_code()
    session.add(LinkCode(school_id=school_id, code_hash=hash_code(code), guardian_id=guardian_id,
                         staff_id=staff_id, created_at=now, expires_at=now + timedelta(days=days)))
    return code


class CodeRefused(Exception):  # noqa: N818 - reads as the outcome it is
    """A code did not link; `reason` is not-a-code, wrong, used, replaced, expired or
    too-many-tries."""

    def __init__(self, reason: str, retry_at: datetime | None = None) -> None:
        super().__init__(reason)
        self.reason, self.retry_at = reason, retry_at


def redeem_code(*, session: Session, account: Account, typed: str, now: datetime) -> LinkCode:
    """Links the account to the code's contact or staff member, once; or says why not.

    Only something shaped like a code is tried, and only such tries count towards the
    limit of wrong codes an hour: words typed by mistake never lock anyone out.
    """
    assert account.id is not None
    if not shaped_like_code(typed):
        raise CodeRefused("not-a-code")
    since = now - timedelta(hours=1)
    wrong = session.exec(
        select(LinkAttempt.at)
        .where(LinkAttempt.account_id == account.id, col(LinkAttempt.at) > since)
        .order_by(col(LinkAttempt.at))
    ).all()
    if len(wrong) >= MAX_WRONG_PER_HOUR:
        raise CodeRefused("too-many-tries", wrong[0] + timedelta(hours=1))
    found = session.exec(select(LinkCode).where(LinkCode.code_hash == hash_code(typed))).first()
    reason = None
    if found is None:
        reason = "wrong"
    elif found.used_at is not None:
        reason = "used"
    elif found.revoked_at is not None:
        reason = "replaced"
    elif found.expires_at <= now:
        reason = "expired"
    if reason is not None or found is None:
        session.add(LinkAttempt(account_id=account.id, at=now))
        raise CodeRefused(reason or "wrong")
    # Single use even when two taps race: only one conditional update can win.
    table = LinkCode.__table__  # type: ignore[attr-defined]
    won = session.execute(
        sa.update(table)
        .where(table.c.id == found.id, table.c.used_at.is_(None))
        .values(used_at=now)
    )
    if won.rowcount != 1:  # type: ignore[attr-defined]
        raise CodeRefused("used")
    model: type[Guardian] | type[Staff] = Guardian if found.guardian_id else Staff
    person = session.get(model, found.guardian_id or found.staff_id)
    assert person is not None
    person.account_id = account.id
    session.info.pop(LINKS, None)
    person.linked_at = now
    session.add(person)
    session.flush()
    return found


@dataclass(frozen=True)
class Child:
    """A pupil as their guardian sees them."""

    pupil_id: int
    name: str
    forename: str
    class_code: str
    year: str
    parental_responsibility: bool


@dataclass(frozen=True)
class FamilyLink:
    """A roster contact this account speaks for, at one school."""

    guardian_id: int
    school_id: str
    name: str
    children: tuple[Child, ...]


@dataclass(frozen=True)
class StaffLink:
    """A member of staff this account is, at one school, with their roles."""

    staff_id: int
    school_id: str
    name: str
    roles: tuple[tuple[str, str | None], ...]  # (role, class code or None)

    def has(self, *roles: str) -> bool:
        """Tells whether this member of staff holds any of these roles."""
        return any(role in roles for role, _ in self.roles)

    def classes(self) -> list[str]:
        """The classes this member of staff teaches."""
        return [code for role, code in self.roles if role == "teacher" and code]


@dataclass(frozen=True)
class Identity:
    """Everyone an account stands for: family contacts and staff posts, across schools."""

    families: tuple[FamilyLink, ...]
    staff: tuple[StaffLink, ...]

    @property
    def linked(self) -> bool:
        return bool(self.families or self.staff)

    def staff_at(self, school_id: str) -> StaffLink | None:
        """The staff post at this school, if the account has one."""
        return next((s for s in self.staff if s.school_id == school_id), None)


# Read on most updates (most accounts are linked to nothing), so built once and bound.
# A family contact with each of their children still at the school, by name (one row each; a
# contact with none has one row without a child).
_FAMILIES = (
    select(Guardian, Pupil, GuardianPupil.parental_responsibility, SchoolClass.code)
    .outerjoin(GuardianPupil, col(GuardianPupil.guardian_id) == col(Guardian.id))
    .outerjoin(Pupil, sa.and_(col(Pupil.id) == col(GuardianPupil.pupil_id),
                              col(Pupil.left_at).is_(None)))
    .outerjoin(SchoolClass, col(SchoolClass.id) == col(Pupil.class_id))
    .where(Guardian.account_id == sa.bindparam("account_id"))
    .order_by(col(Guardian.id), col(Pupil.forename), col(Pupil.id))
)
# A staff post with each of its roles (and the role's class), by role name.
_STAFF = (
    select(Staff, StaffRole.role, SchoolClass.code)
    .outerjoin(StaffRole, col(StaffRole.staff_id) == col(Staff.id))
    .outerjoin(SchoolClass, col(SchoolClass.id) == col(StaffRole.class_id))
    .where(Staff.account_id == sa.bindparam("account_id"))
    .order_by(col(Staff.id), col(StaffRole.role), col(StaffRole.id))
)
_FAMILY_SCHOOLS = select(Guardian.school_id).where(
    Guardian.account_id == sa.bindparam("account_id"))


# What an update's lookup read of the account's links (staff posts, family contacts): the
# reads below skip a query for a kind of link the account has none of (most accounts have
# neither), until redeem_code links someone in the same session.
LINKS = "assistant.account_links"


def note_links(session: Session, account_id: int, *, staff: bool, family: bool) -> None:
    """Records whether this session's account, as it has read, has staff posts and family
    contacts."""
    session.info[LINKS] = (account_id, staff, family)


STAFF_POSTS, FAMILY_CONTACTS = 1, 2  # places in the note


def known_links(session: Session, account_id: int, kind: int) -> bool | None:
    """Whether the account has links of this kind (STAFF_POSTS or FAMILY_CONTACTS), as this
    session's lookup read it; None where it has not read it."""
    noted = session.info.get(LINKS)
    return None if noted is None or noted[0] != account_id else bool(noted[kind])


def may_have(session: Session, account_id: int, kind: int) -> bool:
    """Whether the account may have links of this kind: False only where this session has
    read that it has none."""
    return known_links(session, account_id, kind) is not False


def identity_of(session: Session, account_id: int) -> Identity:
    """Looks up every contact and staff post linked to an account."""
    families: list[FamilyLink] = []
    bound = {"account_id": account_id}
    if may_have(session, account_id, FAMILY_CONTACTS):
        rows: dict[int, tuple[Guardian, list[Child]]] = {}
        for guardian, pupil, responsible, class_code in session.exec(_FAMILIES,
                                                                     params=bound):
            _contact, children = rows.setdefault(guardian.id or 0, (guardian, []))
            if pupil is not None:
                children.append(Child(pupil.id or 0, f"{pupil.forename} {pupil.surname}",
                                      pupil.forename, class_code or "", pupil.year,
                                      bool(responsible)))
        families = [FamilyLink(key, guardian.school_id, guardian.name, tuple(children))
                    for key, (guardian, children) in rows.items()]
    if not may_have(session, account_id, STAFF_POSTS):
        return Identity(tuple(families), ())
    posts: dict[int, tuple[Staff, list[tuple[str, str | None]]]] = {}
    for member, role, class_code in session.exec(_STAFF, params=bound):
        _post, roles = posts.setdefault(member.id or 0, (member, []))
        if role is not None:
            roles.append((role, class_code))
    staff = [StaffLink(key, member.school_id, member.name, tuple(roles))
             for key, (member, roles) in posts.items()]
    return Identity(tuple(families), tuple(staff))


@dataclass(frozen=True)
class LinkedChild:
    """A child linked to an account: the guardian who links them, the child, their school."""

    guardian_id: int
    guardian_name: str
    child: Child
    school: School


def family_schools(session: Session, account_id: int) -> list[str]:
    """The schools at which this account speaks for a family (one query)."""
    if not may_have(session, account_id, FAMILY_CONTACTS):
        return []
    return sorted(set(session.exec(_FAMILY_SCHOOLS, params={"account_id": account_id}).all()))


def linked_children(session: Session, account_id: int,
                    schools: dict[str, School]) -> list[LinkedChild]:
    """Every child linked to this account, at every school of the trust it belongs to."""
    found = []
    for family in identity_of(session, account_id).families:
        school = schools.get(family.school_id)
        if school is not None:
            found += [LinkedChild(family.guardian_id, family.name, c, school)
                      for c in family.children]
    return found


def set_locale(*, session: Session, account: Account, locale: str) -> None:
    """Stores the language an account has chosen."""
    account.locale = locale
    session.add(account)


def staff_member(*, session: Session, staff_id: int) -> Staff | None:
    """Looks up a member of staff by id."""
    return session.get(Staff, staff_id)

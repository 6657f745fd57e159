"""Concerns: raised, routed to the right staff, acknowledged, passed on, escalated, resolved."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import partial

import sqlalchemy as sa
from sqlmodel import Session, col, select

from assistant.db import transaction
from assistant.hours import add_open_hours
from assistant.i18n import Gettext, choose_locale, gettext_for
from assistant.models import (
    Account,
    Concern,
    ConcernEvent,
    ConcernStatus,
    ConcernStep,
    Guardian,
    OutboxMessage,
    OutboxStatus,
    Pupil,
    SchoolClass,
    Staff,
    StaffRole,
    utcnow,
)
from assistant.outbox import Claimed, enqueue
from assistant.people.identity import ALPHABET
from assistant.schools import School

log = logging.getLogger(__name__)

# What families choose -> the category the school's routing table knows.
CATEGORIES = {
    "upsetting": "upsetting-content",
    "bullying": "bullying",
    "stranger": "stranger-contact",
    "live": "live-lesson",
    "staff": "staff",
    "access": "access",
    "other": "other",
}
SAFEGUARDING = ("dsl", "deputy-dsl")
# If nobody holding the routed role can be reached, the concern goes on down this list.
FALLBACK = ("dsl", "deputy-dsl", "head", "office")
URGENT_PRIORITY = 10
# A staff message's first line, in the reader's language: given their gettext, the text.
Heading = Callable[[Gettext], str]
REFERENCE_LENGTH = 8


@dataclass(frozen=True)
class StaffActions:
    """The actions on a concern's buttons for staff, named by the flow that answers them."""

    acknowledge: str
    pass_on: str
    resolve: str


@dataclass(frozen=True)
class Raised:
    """A concern just stored, and how many members of staff it was queued for (0: nobody
    linked can receive it, so the sender must be told)."""

    concern: Concern
    reached: int


def new_reference() -> str:
    """A short, unguessable reference the sender can quote (8 readable symbols, ~40 bits)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(REFERENCE_LENGTH))


def holders(session: Session, school_id: str, role: str, class_id: int | None) -> list[Staff]:
    """Staff holding a role (teachers: of that class), leaving out anyone marked absent."""
    query = (
        select(Staff)
        .join(StaffRole, col(StaffRole.staff_id) == col(Staff.id))
        .where(Staff.school_id == school_id, StaffRole.role == role,
               col(Staff.absent).is_(False))
        .order_by(col(Staff.id))
    )
    if role == "teacher":
        if class_id is None:
            return []
        query = query.where(StaffRole.class_id == class_id)
    unique: dict[int | None, Staff] = {}
    for member in session.exec(query):
        unique.setdefault(member.id, member)
    return list(unique.values())


def first_reachable(session: Session, school_id: str, roles: Iterable[str],
                    class_id: int | None = None, *,
                    leaving: int | None = None) -> tuple[str, list[Staff]] | None:
    """The first of these roles, in order, with linked holders who are not away (a class's
    own teacher for "teacher"), leaving out one member of staff if asked; None if none has."""
    for role in dict.fromkeys(roles):
        found = [s for s in holders(session, school_id, role, class_id)
                 if s.account_id and s.id != leaving]
        if found:
            return role, found
    return None


def chain_for(school: School, category: str, urgent: bool) -> list[str]:
    """The roles a concern goes to, in order: the profile's, the deputies, then the fallbacks."""
    role = school.routing["urgent" if urgent else category]
    return [role] + (["deputy-dsl"] if role == "dsl" else []) + list(FALLBACK)


def route(session: Session, school: School, category: str, urgent: bool,
          class_id: int | None) -> tuple[str, list[Staff]]:
    """Decides who gets a concern: the profile's role for it, then the fallbacks."""
    found = first_reachable(session, school.id, chain_for(school, category, urgent), class_id)
    if found is not None:
        return found
    role = school.routing["urgent" if urgent else category]
    log.warning("concern at %s: no linked staff for %s or any fallback role", school.id, role)
    return role, holders(session, school.id, role, class_id)


def can_receive_urgent(session: Session, school: School) -> bool:
    """Whether an urgent concern would reach someone: a linked holder of its role or a fallback."""
    return first_reachable(session, school.id, chain_for(school, "urgent", True)) is not None


def staff_locale(session: Session, member: Staff) -> str:
    """The language a member of staff reads the assistant in (their account's)."""
    account = session.get(Account, member.account_id) if member.account_id else None
    return choose_locale(account.locale) if account else "en"


def recipient(session: Session, account_id: int | None) -> str | None:
    """The outbox address of an account ("telegram:123")."""
    account = session.get(Account, account_id) if account_id else None
    return account.address if account else None


@dataclass(frozen=True)
class Summary:
    """What staff are shown about a concern."""

    reference: str
    child: str
    class_code: str
    category: str
    urgent: bool
    text: str
    sender: str


def summary(session: Session, concern: Concern) -> Summary:
    """Gathers the child, class and sender for a concern."""
    pupil = session.get(Pupil, concern.pupil_id) if concern.pupil_id else None
    klass = session.get(SchoolClass, pupil.class_id) if pupil and pupil.class_id else None
    guardian = session.get(Guardian, concern.sender_guardian_id) if (
        concern.sender_guardian_id) else None
    sender = "the child" if concern.from_pupil else (guardian.name if guardian else "a parent")
    return Summary(concern.reference, f"{pupil.forename} {pupil.surname}" if pupil else "",
                   klass.code if klass else "", concern.category, concern.urgent, concern.text,
                   sender)


def can_pass_on(session: Session, staff_id: int) -> bool:
    """Whether a member of staff has someone to pass a concern to: everyone but the DSL."""
    return "dsl" not in roles_of(session, staff_id)


def staff_message(session: Session, concern: Concern, locale: str, heading: str, *,
                  actions: StaffActions, can_pass: bool = True) -> dict[str, object]:
    """The outbox payload that puts a concern in front of a member of staff (the DSL's copy
    has no "Pass to DSL")."""
    _ = gettext_for(locale)
    s = summary(session, concern)
    lines = [heading, ""]
    if s.urgent:
        lines.append(_("URGENT: the message suggests a child may be in danger."))
    lines += [
        _("Reference: {ref}").format(ref=s.reference),
        _("Child: {child}").format(child=f"{s.child} ({s.class_code})" if s.child else
                                   _("not about a particular child")),
        _("From: {sender}").format(sender=s.sender),
        _("About: {category}").format(category=s.category.replace("-", " ")),
        _("Written in: {locale}").format(locale=concern.locale),
        "",
        s.text,
    ]
    first = [{"label": _("Acknowledge"), "action": actions.acknowledge, "payload": s.reference}]
    if can_pass:
        first.append({"label": _("Pass to DSL"), "action": actions.pass_on,
                      "payload": s.reference})
    buttons = [first,
               [{"label": _("Resolve"), "action": actions.resolve, "payload": s.reference}]]
    return {"text": "\n".join(lines), "buttons": buttons, "photos": list(concern.photos),
            "protect": True}


def deliver_to(session: Session, school: School, concern: Concern, staff: Iterable[Staff], *,
               event: str, actor: str, now: datetime, heading: Heading,
               actions: StaffActions) -> int:
    """Records who the concern now belongs to and queues it for each of them; returns how
    many it was queued for (none linked: a no-recipient event says so for the admins)."""
    queued = 0
    for member in staff:
        session.add(ConcernEvent(concern_id=concern.id or 0, event=event, actor=actor,
                                 staff_id=member.id, at=now))
        address = recipient(session, member.account_id)
        if address is None:
            continue
        out_of_hours = concern.urgent and school.alert_dsl_out_of_hours and any(
            r == "dsl" or r == "deputy-dsl" for r in roles_of(session, member.id or 0))
        locale = staff_locale(session, member)
        message = staff_message(session, concern, locale, heading(gettext_for(locale)),
                                actions=actions,
                                can_pass=can_pass_on(session, member.id or 0))
        enqueue(session=session, school=school, recipient=address, kind="concern",
                payload={**message, "concern": concern.reference},
                dedupe_key=f"concern:{concern.reference}:{event}:{member.id}",
                in_hours=not out_of_hours, now=now,
                priority=URGENT_PRIORITY if concern.urgent else 0)
        queued += 1
    if not queued:
        log.warning("concern at %s: nobody linked to receive it", school.id)
        session.add(ConcernEvent(concern_id=concern.id or 0, event=ConcernStep.NO_RECIPIENT,
                                 actor="system", at=now))
    return queued


def roles_of(session: Session, staff_id: int) -> list[str]:
    """Every role a member of staff holds."""
    return list(session.exec(select(StaffRole.role).where(StaffRole.staff_id == staff_id)))


def raise_concern(*, session: Session, school: School, sender_account_id: int | None,
                  guardian_id: int | None, pupil_id: int | None, from_pupil: bool,
                  category: str, text: str, photos: list[str], urgent: bool, locale: str,
                  now: datetime, actions: StaffActions) -> Raised:
    """Stores a concern and routes it, in the caller's transaction."""
    pupil = session.get(Pupil, pupil_id) if pupil_id else None
    concern = Concern(
        school_id=school.id, reference=new_reference(), sender_account_id=sender_account_id,
        sender_guardian_id=guardian_id, pupil_id=pupil_id, from_pupil=from_pupil,
        category=category, urgent=urgent, text=text[:4096], photos=photos[:10], locale=locale,
        escalate_at=add_open_hours(school, now, school.ack_working_hours), created_at=now,
    )
    session.add(concern)
    session.flush()
    session.add(ConcernEvent(concern_id=concern.id or 0, event=ConcernStep.CREATED,
                             actor="pupil" if from_pupil else "sender", at=now))
    _role, staff = route(session, school, category, urgent,
                         pupil.class_id if pupil else None)
    reached = deliver_to(session, school, concern, staff, event=ConcernStep.ROUTED,
                         actor="system", now=now,
                         heading=lambda _: _("A new concern for you"), actions=actions)
    return Raised(concern, reached)


def unreceived_concerns(session: Session, school_id: str) -> list[Concern]:
    """Open concerns that nobody linked could be sent, and that no member of staff has had
    in front of them since (a school whose staff have not linked yet)."""
    unsent = select(ConcernEvent.concern_id).where(
        ConcernEvent.event == ConcernStep.NO_RECIPIENT)
    delivered = select(ConcernEvent.concern_id).where(
        ConcernEvent.event == ConcernStep.DELIVERED)
    return list(session.exec(select(Concern).where(
        Concern.school_id == school_id, Concern.status == ConcernStatus.OPEN,
        col(Concern.id).in_(unsent), col(Concern.id).not_in(delivered))
        .order_by(col(Concern.created_at))))


def visible_to(session: Session, concern: Concern, staff: Staff) -> bool:
    """Only staff it was routed, passed or escalated to, and the DSL and deputies, see it."""
    if staff.school_id != concern.school_id:
        return False
    if staff.absent:  # away or suspended: the school has handed their work to others
        return False
    if set(roles_of(session, staff.id or 0)) & set(SAFEGUARDING):
        return True
    return session.exec(
        select(ConcernEvent.id).where(
            ConcernEvent.concern_id == concern.id, ConcernEvent.staff_id == staff.id,
            col(ConcernEvent.event).in_(
                [ConcernStep.ROUTED, ConcernStep.PASSED, ConcernStep.ESCALATED]))
    ).first() is not None


def warn_unreceived(db: sa.Engine, schools: dict[str, School]) -> int:
    """Logs, for the operator at start-up, each school's concerns that nobody could receive;
    returns how many there are in all."""
    total = 0
    with transaction(db) as session:
        for school_id in sorted(schools):
            found = len(unreceived_concerns(session, school_id))
            if found:
                total += found
                log.warning("concerns with nobody to receive them at %s: %s - link staff "
                            "(python -m assistant staff list --school %s shows them)",
                            school_id, found, school_id)
    return total


def tell_sender(session: Session, school: School, concern: Concern, text: str, key: str,
                now: datetime) -> None:
    """Queues a message to whoever raised the concern, inside contact hours; nothing for a
    child who tidied the chat away without asking for a reply there."""
    address = recipient(session, concern.sender_account_id)
    if address is not None and concern.reply_here is not False:
        enqueue(session=session, school=school, recipient=address, kind="concern-update",
                payload={"text": text}, dedupe_key=f"concern:{concern.reference}:{key}",
                now=now)


def concern_by_reference(*, session: Session, reference: str,
                         school_id: str | None = None) -> Concern | None:
    """Looks up a concern by the reference staff and senders quote (references are unique
    across the install), at one school if given."""
    query = select(Concern).where(Concern.reference == reference)
    if school_id is not None:
        query = query.where(Concern.school_id == school_id)
    return session.exec(query).first()


def open_concerns_for(*, session: Session, staff: Staff) -> list[Concern]:
    """Lists the unresolved concerns a member of staff may see, urgent first, then oldest."""
    return [c for c in session.exec(
        select(Concern).where(Concern.school_id == staff.school_id,
                              col(Concern.status) != ConcernStatus.RESOLVED)
        .order_by(col(Concern.urgent).desc(), col(Concern.created_at)))
        if visible_to(session, c, staff)]


def acknowledged_by(*, session: Session, concern: Concern) -> Staff | None:
    """Finds the member of staff who first acknowledged a concern, if anyone did."""
    done = session.exec(select(ConcernEvent).where(
        ConcernEvent.concern_id == concern.id, ConcernEvent.event == ConcernStep.ACKNOWLEDGED)
        .order_by(col(ConcernEvent.at))).first()
    return session.get(Staff, done.staff_id) if done and done.staff_id else None


def acknowledge_concern(*, session: Session, school: School, concern: Concern, staff: Staff,
                        now: datetime) -> None:
    """Records that staff have read a concern, stops its escalation, and tells the sender."""
    concern.status = ConcernStatus.ACKNOWLEDGED
    concern.escalate_at = None
    session.add(concern)
    session.add(ConcernEvent(concern_id=concern.id or 0, event=ConcernStep.ACKNOWLEDGED,
                             actor=f"staff:{staff.id}", staff_id=staff.id, at=now))
    tell_read(session, school, concern, now)


def tell_read(session: Session, school: School, concern: Concern, now: datetime) -> None:
    """Tells the sender, once, that staff have read their concern (a child in words for a
    child; nothing to a child who tidied the chat away)."""
    _ = gettext_for(concern.locale)
    message = _("A member of staff has read your message (reference {ref}).").format(
        ref=concern.reference) if not concern.from_pupil else _(
        "A grown-up at school has read your message. Thank you for telling us.")
    tell_sender(session, school, concern, message, "acknowledged", now)


def reply_in_chat(*, session: Session, concern: Concern) -> None:
    """Records that the child asked to hear in this chat, even if they tidy it away later."""
    concern.reply_here = True
    session.add(concern)


def tidied_away(*, session: Session, concern: Concern) -> None:
    """A child tidied the chat away: unless they asked for a reply there, nothing more about
    the concern goes to that chat, and what was waiting to go there is withdrawn."""
    if concern.reply_here:
        return
    concern.reply_here = False
    session.add(concern)
    session.execute(sa.delete(OutboxMessage.__table__).where(  # type: ignore[attr-defined]
        col(OutboxMessage.kind) == "concern-update",
        col(OutboxMessage.dedupe_key).startswith(f"concern:{concern.reference}:"),
        col(OutboxMessage.status).in_([OutboxStatus.PENDING, OutboxStatus.FAILED])))


def concern_for_sender(*, session: Session, reference: str,
                       account_id: int) -> Concern | None:
    """The concern this account raised, by its reference."""
    return session.exec(select(Concern).where(
        Concern.reference == reference, Concern.sender_account_id == account_id)).first()


def pass_concern(*, session: Session, school: School, concern: Concern, staff: Staff,
                 heading: Heading, actions: StaffActions, now: datetime) -> list[Staff]:
    """Passes a concern on to the DSL (or else the deputies); returns who it went to."""
    targets = [s for s in holders(session, school.id, "dsl", None) if s.id != staff.id] or [
        s for s in holders(session, school.id, "deputy-dsl", None) if s.id != staff.id]
    for member in targets:
        session.add(ConcernEvent(concern_id=concern.id or 0, event=ConcernStep.PASSED,
                                 actor=f"staff:{staff.id}", staff_id=member.id, at=now))
        address = recipient(session, member.account_id)
        if address:
            locale = staff_locale(session, member)
            payload = staff_message(session, concern, locale, heading(gettext_for(locale)),
                                    actions=actions,
                                    can_pass=can_pass_on(session, member.id or 0))
            enqueue(session=session, school=school, recipient=address, kind="concern",
                    payload={**payload, "concern": concern.reference}, now=now,
                    dedupe_key=f"concern:{concern.reference}:passed:{member.id}",
                    in_hours=True, priority=URGENT_PRIORITY if concern.urgent else 0)
    return targets


def resolve_concern(*, session: Session, school: School, concern: Concern, staff: Staff,
                    outcome: str, now: datetime) -> None:
    """Records a concern as resolved, with the outcome staff typed; a sender who was never
    told it was read is told now (the promise made when it was sent)."""
    if concern.status == ConcernStatus.OPEN:
        tell_read(session, school, concern, now)
    concern.status = ConcernStatus.RESOLVED
    concern.escalate_at = None
    session.add(concern)
    session.add(ConcernEvent(concern_id=concern.id or 0, event=ConcernStep.RESOLVED,
                             actor=f"staff:{staff.id}", staff_id=staff.id, note=outcome, at=now))


def _escalated_heading(hours: int, _: Gettext) -> str:
    return _("Escalated: nobody has acknowledged this concern within {hours} school "
             "hours").format(hours=hours)


def escalate_due(session: Session, schools: dict[str, School], now: datetime,
                 actions: StaffActions) -> int:
    """Escalates concerns not acknowledged in time: to the DSL, or from the DSL to the head."""
    due = session.exec(select(Concern).where(
        Concern.status == ConcernStatus.OPEN, col(Concern.escalate_at).is_not(None),
        col(Concern.escalate_at) <= now)).all()
    count = 0
    for concern in due:
        school = schools.get(concern.school_id)
        if school is None:
            continue
        routed = session.exec(select(ConcernEvent.staff_id).where(
            ConcernEvent.concern_id == concern.id, ConcernEvent.event == ConcernStep.ROUTED)).all()
        was_dsl = any(set(roles_of(session, sid or 0)) & set(SAFEGUARDING) for sid in routed)
        target = "head" if was_dsl else "dsl"
        staff = [s for s in holders(session, school.id, target, None)
                 if s.id not in routed] or holders(session, school.id, "head", None)
        hours = school.ack_working_hours
        deliver_to(session, school, concern, staff, event=ConcernStep.ESCALATED, actor="system",
                   now=now,
                   heading=partial(_escalated_heading, hours),
                   actions=actions)
        concern.escalate_at = None
        session.add(concern)
        count += 1
    return count


def record_delivery(session: Session, item: Claimed) -> None:
    """Notes on a concern that the outbox has put it in front of a member of staff."""
    reference = item.payload.get("concern")
    if item.kind != "concern" or not isinstance(reference, str):
        return
    concern = session.exec(select(Concern).where(Concern.reference == reference)).first()
    if concern is None:
        return
    transport, _sep, external = item.recipient.partition(":")
    member = session.exec(
        select(Staff).join(Account, col(Account.id) == col(Staff.account_id))
        .where(Account.transport == transport, Account.external_id == external,
               Staff.school_id == concern.school_id)).first()
    session.add(ConcernEvent(concern_id=concern.id or 0, event=ConcernStep.DELIVERED,
                             actor="system",
                             staff_id=member.id if member else None, at=utcnow()))


def escalate_all(db: sa.Engine, schools: dict[str, School], now: datetime,
                 actions: StaffActions) -> int:
    """Runs escalation in a transaction of its own (the bot's job calls this)."""
    with transaction(db) as session:
        return escalate_due(session, schools, now, actions)

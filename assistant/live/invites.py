"""Live-session invitations: creating a session, what each family is sent, and their answers.

Every message goes through the outbox in the caller's transaction. Dedupe keys name the
invitation and the session's version, so a moved session's old messages can be found and
withdrawn: live-invite:<inv>:<version>, live-link:<inv>:<version>:<when accepted>,
live-reminder:<inv>:<version>:<when accepted>, live-cancel:<inv>.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, select

from assistant.events import Button, row_id
from assistant.i18n import gettext_for, ngettext_for, when_text
from assistant.live.expiry import (
    DELETE_AFTER,
    REPLACEMENT,
    sent_with_prefix,
    withdraw_prefix,
)
from assistant.live.rules import expectations_for
from assistant.live.store import (
    CANCELLED,
    SCHEDULED,
    Invited,
    guardian_of,
    invited,
    linked_guardians,
    pupils_for,
    pupils_of,
    signed_pupils,
    still_in_session,
)
from assistant.live.text import (
    SessionFacts,
    cancelled_text,
    invitation_text,
    link_removed_text,
    link_text,
    moved_text,
    reminder_text,
)
from assistant.models import (
    Guardian,
    InvitationStatus,
    LiveInvitation,
    LiveSession,
    LiveSessionClass,
    Pupil,
    SchoolClass,
)
from assistant.outbox import enqueue
from assistant.schools import School

INVITED, ACCEPTED, DECLINED = InvitationStatus
REMIND_BEFORE = timedelta(minutes=15)
LINK_PRIORITY = 10  # a family who just accepted goes ahead of a year group's invitations
ACCEPT, DECLINE = "live_rsvp.accept", "live_rsvp.decline"
SIGN, VIEW = "live_rsvp.sign", "live_rsvp.view"
_TOKEN = re.compile(r"^(\d{1,10}):(\d{1,6})$")


@dataclass(frozen=True)
class Draft:
    """A session as staff described it, checked, before anything is stored."""

    class_ids: tuple[int, ...]
    starts_at: datetime
    minutes: int
    platform: str
    link: str
    recorded: bool
    extra: str = ""
    pupil_id: int | None = None  # a 1-to-1 with this pupil
    parent_present: bool = False


@dataclass(frozen=True)
class Tally:
    """Who a session's invitations reach."""

    signed: int = 0  # families sent the invitation with the link button
    unsigned: int = 0  # families asked to sign the agreement first
    not_linked: int = 0  # pupils with no family linked to the assistant


def token(invitation_id: int, version: int) -> str:
    """The payload of an invitation's buttons: which invitation, at which version."""
    return f"{invitation_id}:{version}"


def read_token(payload: str) -> tuple[int, int] | None:
    """The invitation id and version a button carries, or None for anything else."""
    found = _TOKEN.match(payload)
    if not found:
        return None
    invitation, version = row_id(found.group(1)), row_id(found.group(2))
    return (invitation, version) if invitation is not None and version is not None else None


def facts_for(school: School, live: LiveSession, pupil: Pupil, class_code: str) -> SessionFacts:
    """The session as one family sees it."""
    return SessionFacts(
        school=school.name, timezone=school.timezone, child=pupil.forename,
        class_code=class_code, starts_at=live.starts_at, minutes=live.minutes,
        platform=live.platform, recorded=live.recorded, one_to_one=live.pupil_id is not None,
        expectations=tuple(live.expectations), school_lines=tuple(live.school_lines),
        extra=live.extra)


def invitation_buttons(locale: str, invitation_id: int, version: int, *,
                       signed: bool) -> list[list[Button]]:
    """Accept or decline for a signed family; sign first, or decline, for the others."""
    _ = gettext_for(locale)
    payload = token(invitation_id, version)
    first = (Button(_("We'll follow these - show me the link"), ACCEPT, payload) if signed
             else Button(_("Sign the agreement first"), SIGN, payload))
    return [[first], [Button(_("We can't attend"), DECLINE, payload)]]


def _wire(rows: list[list[Button]]) -> list[list[dict[str, str]]]:
    return [[{"label": b.label, "action": b.action, "payload": b.payload} for b in row]
            for row in rows]


def _invitation_payload(school: School, live: LiveSession, item: Invited, *, signed: bool,
                        moved: bool) -> dict[str, Any]:
    locale = item.locale
    _, ngettext = gettext_for(locale), ngettext_for(locale)
    facts = facts_for(school, live, item.pupil, item.class_code)
    write = moved_text if moved else invitation_text
    assert item.invitation.id is not None
    return {"text": write(facts, locale, _, ngettext, signed=signed),
            "buttons": _wire(invitation_buttons(locale, item.invitation.id, live.version,
                                                signed=signed))}


def _send_invitation(session: Session, school: School, live: LiveSession, item: Invited, *,
                     signed: bool, moved: bool, now: datetime) -> None:
    recipient = item.recipient
    if recipient is None:
        return
    enqueue(session=session, school=school, recipient=recipient, kind="live-invitation",
            payload=_invitation_payload(school, live, item, signed=signed, moved=moved),
            dedupe_key=f"live-invite:{item.invitation.id}:{live.version}", now=now)


def create_session(*, session: Session, school: School, staff_id: int, draft: Draft,
                   now: datetime) -> tuple[LiveSession, Tally]:
    """Stores a session and queues an invitation to every linked family of its pupils."""
    one_to_one = draft.pupil_id is not None
    live = LiveSession(
        school_id=school.id, created_by=staff_id, starts_at=draft.starts_at,
        minutes=draft.minutes, platform=draft.platform, link=draft.link.strip(),
        recorded=draft.recorded, pupil_id=draft.pupil_id, parent_present=draft.parent_present,
        expectations=list(expectations_for(school, one_to_one=one_to_one)),
        school_lines=list(school.live.extra_expectations), extra=draft.extra.strip(),
        created_at=now)
    session.add(live)
    session.flush()
    assert live.id is not None
    for class_id in sorted(set(draft.class_ids)):
        session.add(LiveSessionClass(session_id=live.id, class_id=class_id))
    session.flush()
    pupils = pupils_of(session, live)
    signed = signed_pupils(session, school, (p for p, _ in pupils))
    codes = {p.id: code for p, code in pupils}
    by_id = {p.id: p for p, _ in pupils}
    families = linked_guardians(session, [i for i in by_id if i is not None])
    reached = {pupil_id for pupil_id, _, _ in families}
    counts = {"signed": 0, "unsigned": 0}
    for pupil_id, guardian, account in families:
        assert guardian.id is not None
        invitation = LiveInvitation(session_id=live.id, pupil_id=pupil_id,
                                    guardian_id=guardian.id, created_at=now)
        session.add(invitation)
        session.flush()
        item = Invited(invitation, by_id[pupil_id], codes[pupil_id], guardian, account)
        is_signed = pupil_id in signed
        counts["signed" if is_signed else "unsigned"] += 1
        _send_invitation(session, school, live, item, signed=is_signed, moved=False, now=now)
    return live, Tally(counts["signed"], counts["unsigned"], len(by_id) - len(reached))


def preview(session: Session, school: School, class_ids: list[int],
            pupil_id: int | None) -> Tally:
    """Who the invitations would reach, before the session is stored."""
    pupils = pupils_for(session, class_ids, pupil_id)
    signed = signed_pupils(session, school, (p for p, _ in pupils))
    families = linked_guardians(session, [p.id for p, _ in pupils if p.id is not None])
    reached = {pupil_id for pupil_id, _, _ in families}
    ready = sum(1 for pupil_id, _, _ in families if pupil_id in signed)
    return Tally(ready, len(families) - ready, len(pupils) - len(reached))


@dataclass(frozen=True)
class Found:
    """An invitation someone pressed a button of, with its session and child."""

    live: LiveSession
    invitation: LiveInvitation
    pupil: Pupil
    class_code: str
    school: School

    @property
    def facts(self) -> SessionFacts:
        return facts_for(self.school, self.live, self.pupil, self.class_code)

    @property
    def ends_at(self) -> datetime:
        return self.live.ends_at


def find(session: Session, schools: dict[str, School], payload: str, account_id: int,
         now: datetime) -> tuple[Found | None, str]:
    """Finds the invitation a button names, for this account only; or says what is wrong.

    The problem is "" (none), "unknown" (not theirs, forged, or no longer their child),
    "cancelled", "changed" (an older version), or "ended".
    """
    parsed = read_token(payload)
    invitation = session.get(LiveInvitation, parsed[0]) if parsed else None
    if parsed is None or invitation is None:
        return None, "unknown"
    guardian = session.get(Guardian, invitation.guardian_id)
    live = session.get(LiveSession, invitation.session_id)
    pupil = session.get(Pupil, invitation.pupil_id)
    if (guardian is None or guardian.account_id != account_id or live is None or pupil is None
            or live.school_id not in schools
            or not guardian_of(session, invitation.guardian_id, invitation.pupil_id)
            or not still_in_session(session, live, pupil)):
        return None, "unknown"
    klass = session.get(SchoolClass, pupil.class_id) if pupil.class_id else None
    found = Found(live, invitation, pupil, klass.code if klass else "", schools[live.school_id])
    if live.status == CANCELLED:
        return found, "cancelled"
    if parsed[1] != live.version:
        return found, "changed"
    if now >= found.ends_at:
        return found, "ended"
    return found, ""


def is_signed(session: Session, found: Found) -> bool:
    """Tells whether every agreement the child needs is signed."""
    return found.pupil.id in signed_pupils(session, found.school, [found.pupil])


def accept(session: Session, found: Found, *, recipient: str, locale: str,
           now: datetime) -> str:
    """Records acceptance and queues the link and the reminder: "accepted" or "already"."""
    invitation, live = found.invitation, found.live
    if invitation.status == ACCEPTED:
        return "already"
    invitation.status, invitation.responded_at = ACCEPTED, now
    session.add(invitation)
    _ = gettext_for(locale)
    stamp = int(now.timestamp())
    facts = found.facts
    enqueue(session=session, school=found.school, recipient=recipient, kind="live-link",
            payload={"text": link_text(facts, locale, _, live.link), "protect": True,
                     DELETE_AFTER: found.ends_at.isoformat(),
                     REPLACEMENT: link_removed_text(_)},
            dedupe_key=f"live-link:{invitation.id}:{live.version}:{stamp}", in_hours=False,
            priority=LINK_PRIORITY, now=now)
    remind_at = live.starts_at - REMIND_BEFORE
    if remind_at > now:
        enqueue(session=session, school=found.school, recipient=recipient,
                kind="live-reminder", payload={"text": reminder_text(facts, locale, _)},
                dedupe_key=f"live-reminder:{invitation.id}:{live.version}:{stamp}",
                not_before=remind_at, in_hours=False, now=now)
    return "accepted"


def _withdraw_answer(session: Session, invitation_id: int | None, now: datetime) -> None:
    """Stops an unsent link and reminder, and deletes a sent link now."""
    withdraw_prefix(session, f"live-link:{invitation_id}:", now)
    withdraw_prefix(session, f"live-reminder:{invitation_id}:", now)


def decline(session: Session, found: Found, *, now: datetime) -> None:
    """Records that the child can't attend; a link already sent is taken back."""
    invitation = found.invitation
    invitation.status, invitation.responded_at = DECLINED, now
    session.add(invitation)
    _withdraw_answer(session, invitation.id, now)


def move_session(*, session: Session, school: School, live: LiveSession, starts_at: datetime,
                 now: datetime) -> int:
    """Moves a session: old links and buttons stop working and every family is asked again."""
    assert live.id is not None
    live.version += 1
    live.starts_at, live.changed_at = starts_at, now
    session.add(live)
    items = invited(session, live.id)
    signed = signed_pupils(session, school, (item.pupil for item in items))
    told = 0
    for item in items:
        invitation = item.invitation
        heard = sent_with_prefix(session, f"live-invite:{invitation.id}:")
        withdraw_prefix(session, f"live-invite:{invitation.id}:", now)
        _withdraw_answer(session, invitation.id, now)
        invitation.status, invitation.responded_at = INVITED, None
        session.add(invitation)
        if still_in_session(session, live, item.pupil):
            _send_invitation(session, school, live, item, signed=item.pupil.id in signed,
                             moved=heard, now=now)
            told += item.recipient is not None
    return told


def cancel_session(*, session: Session, school: School, live: LiveSession,
                   now: datetime) -> int:
    """Cancels a session: families who heard of it are told, links go, nothing else is sent."""
    assert live.id is not None
    live.version += 1
    live.status, live.changed_at = CANCELLED, now
    session.add(live)
    told = 0
    for item in invited(session, live.id):
        invitation = item.invitation
        heard = sent_with_prefix(session, f"live-invite:{invitation.id}:")
        withdraw_prefix(session, f"live-invite:{invitation.id}:", now)
        _withdraw_answer(session, invitation.id, now)
        if heard and item.recipient is not None:
            _ = gettext_for(item.locale)
            text = cancelled_text(facts_for(school, live, item.pupil, item.class_code),
                                  item.locale, _)
            enqueue(session=session, school=school, recipient=item.recipient,
                    kind="live-cancelled", payload={"text": text},
                    dedupe_key=f"live-cancel:{invitation.id}", now=now)
            told += 1
    return told


def open_invitations(session: Session, *, guardian_ids: list[int], pupil_id: int,
                     now: datetime) -> list[tuple[LiveInvitation, LiveSession]]:
    """A child's invitations still waiting for an answer from these guardians."""
    rows = session.exec(
        select(LiveInvitation, LiveSession)
        .join(LiveSession, LiveSession.id == LiveInvitation.session_id)  # type: ignore[arg-type]
        .where(LiveInvitation.pupil_id == pupil_id, LiveInvitation.status == INVITED,
               LiveSession.status == SCHEDULED)
    ).all()
    return [(inv, live) for inv, live in rows if inv.guardian_id in guardian_ids
            and live.ends_at > now]


def after_signing_buttons(session: Session, *, guardian_id: int, pupil_id: int, locale: str,
                          timezone: str, now: datetime) -> list[Button]:
    """Buttons back to the child's unanswered invitations, for the receipt of a signature."""
    _ = gettext_for(locale)
    found = open_invitations(session, guardian_ids=[guardian_id], pupil_id=pupil_id, now=now)
    return [Button(_("Live lesson invitation: {when}").format(
                when=when_text(live.starts_at, locale, timezone)),
                   VIEW, token(inv.id or 0, live.version))
            for inv, live in sorted(found, key=lambda pair: pair[1].starts_at)[:3]]

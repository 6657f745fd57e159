"""Staff see who has signed the agreements, and remind families who have not."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import col, select

from assistant.agreements.status import SIGNED, latest_records, statuses
from assistant.agreements.templates import load_templates, templates_for
from assistant.engine import Context, Outcome, State
from assistant.events import Button, Event, Reply
from assistant.models import Account, Guardian, GuardianPupil, OutboxMessage, Pupil, SchoolClass
from assistant.outbox import enqueue
from flows.staff import not_staff_reply, staff_post

WHOLE_SCHOOL = ("head", "office")
REMINDER_KIND = "agreement-reminder"
REMIND_EVERY = timedelta(days=7)


@dataclass(frozen=True)
class PupilRow:
    pupil_id: int
    name: str
    class_code: str
    year: str


def pupils_in_scope(ctx: Context, classes: list[str] | None) -> list[PupilRow]:
    """Current pupils of these classes (all classes for None), by class and name."""
    query = (
        select(Pupil, SchoolClass.code)
        .join(SchoolClass, col(SchoolClass.id) == col(Pupil.class_id))
        .where(Pupil.school_id == ctx.school.id, col(Pupil.left_at).is_(None))
        .order_by(col(SchoolClass.code), col(Pupil.surname), col(Pupil.forename))
    )
    if classes is not None:
        query = query.where(col(SchoolClass.code).in_(classes))
    return [PupilRow(pupil.id or 0, f"{pupil.forename} {pupil.surname}", code, pupil.year)
            for pupil, code in ctx.session.exec(query)]


class AgreementStaffFlow:
    """/agreements for staff: a class's (or the school's) signatures, and a reminder button."""

    name = "agreements"
    commands = frozenset({"agreements"})
    entry_actions = frozenset({"agreements.show", "agreements.remind"})

    def handle(self, ctx: Context, event: Event, state: State | None) -> Outcome:
        """Shows the status list, or queues reminders to families who have not signed."""
        post = staff_post(ctx)
        if post is None:
            return Outcome([not_staff_reply(ctx)])
        classes = None if post.has(*WHOLE_SCHOOL) else post.classes()
        if classes == []:
            return Outcome([Reply(ctx._("You have no class on the roster, so there is no "
                                        "agreement list to show."))])
        if event.action == "agreements.remind":
            return Outcome([self._remind(ctx, classes)])
        return Outcome([self._status(ctx, classes)])

    def _status(self, ctx: Context, classes: list[str] | None) -> Reply:
        _ = ctx._
        pupils = pupils_in_scope(ctx, classes)
        if not pupils:
            return Reply(_("There are no pupils on the roster for your classes yet."))
        templates = templates_for(ctx.school, load_templates(ctx.locale))
        latest = latest_records(ctx.session, [p.pupil_id for p in pupils])
        lines: list[str] = []
        current = ""
        missing = 0
        for pupil in pupils:
            if pupil.class_code != current:
                current = pupil.class_code
                lines.append(_("Class {code}:").format(code=current))
            found = statuses(pupil.pupil_id, pupil.year, templates, latest)
            parts = []
            for status in found:
                short = status.template.id
                if status.state == SIGNED and status.record is not None:
                    parts.append(_("{id} signed v{version}").format(
                        id=short, version=status.record.version))
                else:
                    parts.append(_("{id} {state}").format(id=short,
                                                          state=status.state.replace("-", " ")))
            done = all(s.done for s in found)
            missing += not done
            lines.append(f"{'✓' if done else '✗'} {pupil.name}: {'; '.join(parts)}")
        lines.append("")
        lines.append(_("{missing} of {total} pupils still need an agreement signed.").format(
            missing=missing, total=len(pupils)))
        buttons = ((Button(_("Remind unsigned families"), "agreements.remind"),),) if (
            missing) else ()
        return Reply("\n".join(lines), buttons)

    def _remind(self, ctx: Context, classes: list[str] | None) -> Reply:
        _ = ctx._
        pupils = pupils_in_scope(ctx, classes)
        templates = templates_for(ctx.school, load_templates(ctx.locale))
        latest = latest_records(ctx.session, [p.pupil_id for p in pupils])
        unsigned = {p.pupil_id: p for p in pupils
                    if not all(s.done for s in statuses(p.pupil_id, p.year, templates, latest))}
        families: dict[str, list[str]] = {}
        not_linked: set[int | None] = set()
        rows = ctx.session.exec(
            select(GuardianPupil.pupil_id, Guardian.id, Account.transport, Account.external_id)
            .join(Guardian, col(Guardian.id) == col(GuardianPupil.guardian_id))
            .join(Account, col(Account.id) == col(Guardian.account_id), isouter=True)
            .where(col(GuardianPupil.pupil_id).in_(list(unsigned)),
                   col(GuardianPupil.parental_responsibility).is_(True))
        )
        for pupil_id, guardian_id, transport, external in rows:
            if transport is None:
                not_linked.add(guardian_id)
                continue
            names = families.setdefault(f"{transport}:{external}", [])
            names.append(unsigned[pupil_id].name.split()[0])
        since = ctx.now - REMIND_EVERY
        recent = set(ctx.session.exec(
            select(OutboxMessage.recipient).where(
                OutboxMessage.kind == REMINDER_KIND, col(OutboxMessage.created_at) > since,
                col(OutboxMessage.recipient).in_(list(families)))
        ).all())
        queued = 0
        for recipient, names in families.items():
            if recipient in recent:
                continue
            text = _("Hello from {school}. Please read and sign the online safety agreement "
                     "for {children} - it takes a few minutes here in the chat.").format(
                school=ctx.school.name, children=" & ".join(sorted(set(names))))
            enqueue(session=ctx.session, school=ctx.school, recipient=recipient,
                    kind=REMINDER_KIND, now=ctx.now,
                    payload={"text": text, "buttons": [[{"label": _("Sign now"),
                                                         "action": "agreement.start",
                                                         "payload": ""}]]},
                    dedupe_key=f"{REMINDER_KIND}:{recipient}:{ctx.now:%Y-%m-%d}")
            queued += 1
        lines = [ctx.ngettext("{n} family will get a reminder", "{n} families will get a reminder",
                              queued).format(n=queued) + " " + _("during contact hours.")]
        if recent:
            lines.append(ctx.ngettext(
                "{n} family was already reminded in the last week.",
                "{n} families were already reminded in the last week.", len(recent)
            ).format(n=len(recent)))
        if not_linked:
            lines.append(ctx.ngettext(
                "{n} parent or carer hasn't linked yet: they need their code from the office.",
                "{n} parents or carers haven't linked yet: they need their code from the office.",
                len(not_linked)).format(n=len(not_linked)))
        return Reply("\n".join(lines))

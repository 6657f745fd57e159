"""Staff see who has signed the agreements, and remind families who have not."""

from __future__ import annotations

from assistant.agreements.service import pupils_in_scope, queue_reminder, who_to_remind
from assistant.agreements.status import SIGNED, latest_records, statuses
from assistant.agreements.templates import load_templates, templates_for
from assistant.engine import Context, Outcome, State
from assistant.events import Button, Event, Reply
from assistant.flowkit import staff_only
from assistant.i18n import N_
from flows.agreements.family import state_words
from flows.staff import WHOLE_SCHOOL_ROLES, staff_post

# The DSL leads on online safety (KCSIE), so sees the whole school's agreements too.
WHOLE_SCHOOL = WHOLE_SCHOOL_ROLES
# Each agreement as a class list names it, short, by its kind.
KIND_WORDS = {"learner": N_("learner agreement"), "remote-learning": N_("remote learning"),
              "parent": N_("parent/carer agreement")}

# The reminder's button opens the family's agreement walk-through (flows/agreements/family.py).
SIGN_NOW = "agreements_family.start"


class AgreementStaffFlow:
    """/agreements for staff: a class's (or the school's) signatures, and a reminder button."""

    name = "agreements_staff"
    commands = frozenset({"agreements"})
    entry_actions = frozenset({"agreements_staff.show", "agreements_staff.remind"})

    def handle(self, ctx: Context, event: Event, state: State | None) -> Outcome:
        """Shows the status list, or queues reminders to families who have not signed."""
        post = staff_post(ctx)
        if post is None:
            return Outcome([staff_only(ctx._)])
        classes = None if post.has(*WHOLE_SCHOOL) else post.classes()
        if classes == []:
            return Outcome([Reply(ctx._("You have no class on the roster, so there is no "
                                        "agreement list to show."))])
        if event.action == "agreements_staff.remind":
            return Outcome([self._remind(ctx, classes)])
        return Outcome([self._status(ctx, classes)])

    def _status(self, ctx: Context, classes: list[str] | None) -> Reply:
        _ = ctx._
        pupils = pupils_in_scope(session=ctx.session, school_id=ctx.school.id,
                                 classes=classes)
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
                short = _(KIND_WORDS.get(status.template.kind, status.template.kind))
                if status.state == SIGNED and status.record is not None:
                    parts.append(_("{agreement} signed (version {version})").format(
                        agreement=short, version=status.record.version))
                else:
                    parts.append(_("{agreement} {state}").format(
                        agreement=short, state=state_words(ctx, status)))
            done = all(s.done for s in found)
            missing += not done
            lines.append(f"{'✓' if done else '✗'} {pupil.name}: {'; '.join(parts)}")
        lines.append("")
        lines.append(_("{missing} of {total} pupils still need an agreement signed.").format(
            missing=missing, total=len(pupils)))
        buttons = ((Button(_("Remind unsigned families"), "agreements_staff.remind"),),) if (
            missing) else ()
        return Reply("\n".join(lines), buttons)

    def _remind(self, ctx: Context, classes: list[str] | None) -> Reply:
        _ = ctx._
        pupils = pupils_in_scope(session=ctx.session, school_id=ctx.school.id,
                                 classes=classes)
        templates = templates_for(ctx.school, load_templates(ctx.locale))
        latest = latest_records(ctx.session, [p.pupil_id for p in pupils])
        unsigned = {p.pupil_id: p for p in pupils
                    if not all(s.done for s in statuses(p.pupil_id, p.year, templates, latest))}
        found = who_to_remind(session=ctx.session, unsigned=unsigned, now=ctx.now)
        recent, not_linked = found.recent, found.not_linked
        queued = 0
        for recipient, names in found.families.items():
            if recipient in recent:
                continue
            text = _("Hello from {school}. Please read and sign the online safety agreement "
                     "for {children} - it takes a few minutes here in the chat.").format(
                school=ctx.school.name, children=" & ".join(sorted(set(names))))
            queue_reminder(session=ctx.session, school=ctx.school, recipient=recipient,
                           text=text, button=Button(_("Sign now"), SIGN_NOW, ""),
                           now=ctx.now)
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

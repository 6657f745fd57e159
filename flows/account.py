"""/mydata, /forget and /unlink: what the assistant keeps about someone, and letting go of it."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from enum import StrEnum

from assistant.agreements.templates import load_templates
from assistant.engine import Context, Outcome, State
from assistant.events import Button, Event, Reply
from assistant.flowkit import StepTable, cancelled, dispatch, off_step, step_of
from assistant.i18n import N_, when_text
from assistant.models import AgreementEvent, ConcernStatus, QuestionStatus, Staff
from assistant.people.erasure import erase_account, staff_of, unlink_account
from assistant.people.records import data_record, kept_about
from assistant.people.staff_leaving import hand_over

NAME = "account"

# Entry button: what is kept about me.
MYDATA = f"{NAME}.mydata"
# Step buttons, under the question before erasing or unlinking.
CONFIRM = f"{NAME}.confirm"
CANCEL = f"{NAME}.cancel"

# A concern's status as its sender reads it.
CONCERN_STATUS: dict[str, str] = {ConcernStatus.OPEN: N_("waiting to be read"),
                  ConcernStatus.ACKNOWLEDGED: N_("read by staff"),
                  ConcernStatus.RESOLVED: N_("closed by staff")}
QUESTION_STATUS: dict[str, str] = {QuestionStatus.OPEN: N_("waiting for an answer"),
                   QuestionStatus.ANSWERED: N_("answered here"),
                   QuestionStatus.ELSEWHERE: N_("answered outside this chat")}


def session_staff(ctx: Context) -> list[Staff]:
    """The staff posts this account holds, at any school."""
    assert ctx.account.id is not None
    return staff_of(session=ctx.session, account_id=ctx.account.id)


class Step(StrEnum):
    """What the user has been asked to confirm (the step carries no other data)."""

    FORGET = "forget"  # erase what is kept about them
    UNLINK = "unlink"  # unlink from the school's records


Handler = Callable[[Context, Step | None], Outcome]


class AccountFlow:
    """Shows a user their data, and erases or unlinks it after they confirm."""

    name = NAME
    commands = frozenset({"mydata", "forget", "unlink"})
    entry_actions = frozenset({MYDATA})

    def __init__(self) -> None:
        self.steps: StepTable[Step, Handler] = StepTable(
            states={
                Step.FORGET: {CONFIRM: self._confirmed},
                Step.UNLINK: {CONFIRM: self._confirmed},
            },
            fallbacks={CANCEL: self._cancel},
        )

    def handle(self, ctx: Context, event: Event, state: State | None) -> Outcome:
        """Shows data, asks to confirm an erase or unlink, or carries it out."""
        _ = ctx._
        if event.command == "mydata" or event.action == MYDATA:
            return Outcome([self._mydata(ctx)])
        if event.command in {"forget", "unlink"}:
            return self._ask(ctx, Step(event.command))
        if state is None:
            return Outcome([cancelled(_)])
        step = step_of(Step, state.step)
        handler = dispatch(self.steps, step, event)
        if handler is None:
            return off_step(_, event, state, self.step_replies(ctx, state))
        return handler(ctx, step)

    def step_replies(self, ctx: Context, state: State) -> list[Reply]:
        """The question waiting for an answer, with its buttons."""
        step = step_of(Step, state.step)
        return self._ask(ctx, step).replies if step is not None else []

    def _ask(self, ctx: Context, step: Step) -> Outcome:
        _ = ctx._
        forget = step is Step.FORGET
        question = (
            _("This erases what I keep about you: your link to the school's records, your "
              "language and our conversation. The school keeps what it must (signed "
              "agreements and concerns), no longer tied to this Telegram account. "
              "Erase it?")
            if forget else
            _("This unlinks this Telegram account from the school's records. You can link "
              "again later with a new code from the school office. Unlink?")
        )
        return Outcome(
            [Reply(question, ((Button(_("Yes, erase") if forget else _("Yes, unlink"), CONFIRM),
                               Button(_("No, keep it"), CANCEL)),))],
            State(NAME, step),
        )

    def _confirmed(self, ctx: Context, step: Step | None) -> Outcome:
        """Unlinks the account and, for /forget, erases what is kept about it."""
        _ = ctx._
        # A member of staff's open concerns and questions go to colleagues first, and what
        # was queued for this chat is withdrawn: nothing waits for someone who has gone.
        for member in session_staff(ctx):
            hand_over(session=ctx.session, schools=ctx.schools, staff=member,
                      address=ctx.account.address, now=ctx.now,
                      concern_actions=ctx.services.concern_actions,
                      question_actions=ctx.services.question_actions)
        unlink_account(session=ctx.session, account=ctx.account)
        if step is Step.FORGET:
            erase_account(session=ctx.session, account=ctx.account, now=ctx.now)
            return Outcome([Reply(_("Done. I've erased what I kept about you. If you send "
                                    "me a message again, I'll start afresh."))])
        return Outcome([Reply(_("Done. This Telegram account is no longer linked to the "
                                "school's records."), menu="none")])

    def _cancel(self, ctx: Context, step: Step | None) -> Outcome:
        """Keeps everything as it is."""
        return Outcome([cancelled(ctx._)])

    def _mydata(self, ctx: Context) -> Reply:
        _ = ctx._
        account = ctx.account
        kept = kept_about(session=ctx.session, account=account)
        who = kept.identity
        record = data_record(account, kept)
        lines = [_("Here is what I keep about you:"),
                 _("- Your Telegram user id and your language ({language}).").format(
                     language=account.locale)]
        for family in who.families:
            children = ", ".join(f"{c.name} ({c.class_code})" for c in family.children)
            lines.append(_("- You are {name} on {school}'s records, linked to {children}.")
                         .format(name=family.name, school=self._school_name(ctx, family.school_id),
                                 children=children))
        for post in who.staff:
            lines.append(_("- You are {name}, staff at {school}.").format(
                name=post.name, school=self._school_name(ctx, post.school_id)))
        if not who.linked:
            lines.append(_("- You are not linked to any school's records."))
        if kept.signatures:
            lines.append(_("- Agreements signed or withdrawn from this account:"))
            titles = {t.id: t.title for t in load_templates(ctx.locale).values()}
            for signature in kept.signatures:
                event = _("signed") if signature.event == AgreementEvent.SIGNED else _(
                    "withdrawn")
                lines.append("    " + _("{child}: {title} (version {version}), {event} on "
                                        "{when}").format(
                    child=signature.child, title=titles.get(signature.template_id,
                                                            signature.template_id),
                    version=signature.version, event=event,
                    when=self._when(ctx, signature.at)))
        if kept.concerns:
            lines.append(_("- Concerns you raised:"))
            lines += ["    " + _("{reference}, sent {when}: {status}").format(
                reference=c.reference, when=self._when(ctx, c.created_at),
                status=_(CONCERN_STATUS.get(c.status, c.status))) for c in kept.concerns]
        if kept.questions:
            lines.append(_("- Questions you asked the school's staff:"))
            lines += ["    " + _("{reference}, asked {when}: {status}").format(
                reference=q.reference, when=self._when(ctx, q.created_at),
                status=_(QUESTION_STATUS.get(q.status, q.status))) for q in kept.questions]
        if kept.flagged:
            lines.append(ctx.ngettext(
                "- {n} message I flagged as possibly about a child in danger (its words are "
                "in the file).",
                "- {n} messages I flagged as possibly about a child in danger (their words are "
                "in the file).", len(kept.flagged)).format(n=len(kept.flagged)))
        if kept.pending_messages:
            lines.append(ctx.ngettext("- {n} message waiting to be sent to you.",
                                      "- {n} messages waiting to be sent to you.",
                                      kept.pending_messages).format(n=kept.pending_messages))
        lines.append(_("Other questions you type are kept without your name so staff can "
                       "improve my answers. The attached file has all of this. /forget erases "
                       "it."))
        document = ("my-data.json", json.dumps(record, indent=2, ensure_ascii=False).encode())
        return Reply("\n".join(lines), document=document)

    @staticmethod
    def _school_name(ctx: Context, school_id: str) -> str:
        school = ctx.schools.get(school_id)
        return school.name if school is not None else school_id

    @staticmethod
    def _when(ctx: Context, at: datetime) -> str:
        return when_text(at, ctx.locale, ctx.school.timezone, year=True)

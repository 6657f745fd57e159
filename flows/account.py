"""/mydata, /forget and /unlink: what the assistant keeps about someone, and letting go of it."""

from __future__ import annotations

import json
from collections.abc import Callable
from enum import StrEnum

from assistant.engine import Context, Outcome, State
from assistant.events import Button, Event, Reply
from assistant.flowkit import StepTable, cancelled, dispatch, step_of, use_the_buttons
from assistant.people.erasure import erase_account, unlink_account
from assistant.people.records import data_record, kept_about

NAME = "account"

# Entry button: what is kept about me.
MYDATA = f"{NAME}.mydata"
# Step buttons, under the question before erasing or unlinking.
CONFIRM = f"{NAME}.confirm"
CANCEL = f"{NAME}.cancel"


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
            return Outcome([use_the_buttons(_)], state)
        return handler(ctx, step)

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
        unlink_account(session=ctx.session, account=ctx.account)
        if step is Step.FORGET:
            erase_account(session=ctx.session, account=ctx.account)
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
                         .format(name=family.name, school=family.school_id, children=children))
        for post in who.staff:
            lines.append(_("- You are {name}, staff at {school}.").format(
                name=post.name, school=post.school_id))
        if not who.linked:
            lines.append(_("- You are not linked to any school's records."))
        lines.append(_("Questions you type are kept without your name so staff can improve my "
                       "answers. The attached file has all of this. /forget erases it."))
        document = ("my-data.json", json.dumps(record, indent=2, ensure_ascii=False).encode())
        return Reply("\n".join(lines), document=document)

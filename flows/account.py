"""/mydata, /forget and /unlink: what the assistant keeps about someone, and letting go of it."""

from __future__ import annotations

import json

from assistant.engine import Context, Outcome, State
from assistant.events import Button, Event, Reply
from assistant.people.erasure import erase_account, unlink_account
from assistant.people.records import data_record, kept_about

NAME = "account"


class AccountFlow:
    """Shows a user their data, and erases or unlinks it after they confirm."""

    name = NAME
    commands = frozenset({"mydata", "forget", "unlink"})
    entry_actions = frozenset({"account.mydata"})

    def handle(self, ctx: Context, event: Event, state: State | None) -> Outcome:
        """Shows data, asks to confirm an erase or unlink, or carries it out."""
        _ = ctx._
        if event.command == "mydata" or event.action == "account.mydata":
            return Outcome([self._mydata(ctx)])
        if event.command in {"forget", "unlink"}:
            what = event.command
            question = (
                _("This erases what I keep about you: your link to the school's records, your "
                  "language and our conversation. The school keeps what it must (signed "
                  "agreements and concerns), no longer tied to this Telegram account. "
                  "Erase it?")
                if what == "forget" else
                _("This unlinks this Telegram account from the school's records. You can link "
                  "again later with a new code from the school office. Unlink?")
            )
            return Outcome(
                [Reply(question, ((Button(_("Yes, erase") if what == "forget" else
                                          _("Yes, unlink"), "account.confirm"),
                                   Button(_("No, keep it"), "account.cancel")),))],
                State(NAME, what),
            )
        if event.action == "account.cancel" or state is None:
            return Outcome([Reply(_("Okay, nothing has changed."))])
        if event.action == "account.confirm":
            unlink_account(session=ctx.session, account=ctx.account)
            if state.step == "forget":
                erase_account(session=ctx.session, account=ctx.account)
                return Outcome([Reply(_("Done. I've erased what I kept about you. If you send "
                                        "me a message again, I'll start afresh."))])
            return Outcome([Reply(_("Done. This Telegram account is no longer linked to the "
                                    "school's records."), menu="none")])
        return Outcome([Reply(_("Please choose one of the buttons, or send /cancel."))], state)

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

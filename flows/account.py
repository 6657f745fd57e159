"""/mydata, /forget and /unlink: what the assistant keeps about someone, and letting go of it."""

from __future__ import annotations

import json

import sqlalchemy as sa
from sqlmodel import col, select

from assistant.engine import Context, Outcome, State
from assistant.events import Button, Event, Reply
from assistant.models import (
    Account,
    AgreementRecord,
    Concern,
    Guardian,
    LinkAttempt,
    OutboxMessage,
    Staff,
)
from assistant.people.identity import identity_of

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
            self._unlink(ctx)
            if state.step == "forget":
                self._erase(ctx)
                return Outcome([Reply(_("Done. I've erased what I kept about you. If you send "
                                        "me a message again, I'll start afresh."))])
            return Outcome([Reply(_("Done. This Telegram account is no longer linked to the "
                                    "school's records."), menu="none")])
        return Outcome([Reply(_("Please choose one of the buttons, or send /cancel."))], state)

    def _unlink(self, ctx: Context) -> None:
        people: list[Guardian | Staff] = [
            *ctx.session.exec(select(Guardian).where(Guardian.account_id == ctx.account.id)),
            *ctx.session.exec(select(Staff).where(Staff.account_id == ctx.account.id)),
        ]
        for person in people:
            person.account_id = None
            person.linked_at = None
            ctx.session.add(person)

    def _erase(self, ctx: Context) -> None:
        account: Account = ctx.account
        recipient = f"{account.transport}:{account.external_id}"
        ctx.session.execute(sa.delete(OutboxMessage.__table__).where(  # type: ignore[attr-defined]
            col(OutboxMessage.recipient) == recipient, col(OutboxMessage.status) != "sent"))
        ctx.session.execute(sa.delete(LinkAttempt.__table__).where(  # type: ignore[attr-defined]
            col(LinkAttempt.account_id) == account.id))
        # Concerns and signatures stay with the school, no longer tied to this account.
        ctx.session.execute(sa.update(Concern.__table__)  # type: ignore[attr-defined]
                            .where(col(Concern.sender_account_id) == account.id)
                            .values(sender_account_id=None))
        ctx.session.execute(sa.update(AgreementRecord.__table__)  # type: ignore[attr-defined]
                            .where(col(AgreementRecord.telegram_user_id) == account.external_id)
                            .values(telegram_user_id=None))
        # The conversation row itself is deleted by the engine as this flow ends it.
        account.locale = "en"
        account.external_id = f"erased-{account.id}"
        ctx.session.add(account)

    def _mydata(self, ctx: Context) -> Reply:
        _ = ctx._
        account = ctx.account
        assert account.id is not None
        who = identity_of(ctx.session, account.id)
        record = {
            "account": {"transport": account.transport, "user_id": account.external_id,
                        "language": account.locale, "first_seen": account.created_at.isoformat()},
            "family_links": [
                {"school": f.school_id, "name": f.name,
                 "children": [{"name": c.name, "class": c.class_code, "year": c.year,
                               "parental_responsibility": c.parental_responsibility}
                              for c in f.children]}
                for f in who.families
            ],
            "staff_posts": [{"school": s.school_id, "name": s.name,
                             "roles": [{"role": r, "class": c} for r, c in s.roles]}
                            for s in who.staff],
            "pending_messages": len(ctx.session.exec(select(OutboxMessage.id).where(
                OutboxMessage.recipient == f"{account.transport}:{account.external_id}",
                OutboxMessage.status != "sent")).all()),
        }
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

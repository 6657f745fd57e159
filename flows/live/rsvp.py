"""Families answer a live-lesson invitation: accept the expectations and get the link, or not."""

from __future__ import annotations

from assistant.engine import Context, Handover, Outcome, State, expired_reply
from assistant.events import Event, Reply
from assistant.live.invites import (
    ACCEPT,
    DECLINE,
    SIGN,
    VIEW,
    Found,
    accept,
    decline,
    find,
    invitation_buttons,
    is_signed,
)
from assistant.live.text import invitation_text

# The buttons of an invitation, sent through the outbox.
INVITATION_ACTIONS = frozenset({ACCEPT, DECLINE, SIGN, VIEW})
# The agreement walk-through for one child (flows/agreements/family.py), entered by handover.
AGREEMENT_FOR_CHILD = "agreements_family.child"


def invitation_reply(ctx: Context, found: Found, *, signed: bool) -> Reply:
    """The invitation as it stands now, with buttons for the current version."""
    assert found.invitation.id is not None
    text = invitation_text(found.facts, ctx.locale, ctx._, ctx.ngettext, signed=signed)
    rows = invitation_buttons(ctx.locale, found.invitation.id, found.live.version, signed=signed)
    return Reply(text, tuple(tuple(row) for row in rows))


class LiveRsvpFlow:
    """The buttons of an invitation: view it, sign first, accept, or say the child can't come."""

    name = "live_rsvp"
    commands: frozenset[str] = frozenset()
    entry_actions = INVITATION_ACTIONS

    def handle(self, ctx: Context, event: Event, state: State | None) -> Outcome:
        """Checks the button is this family's and current, then records or shows the answer."""
        _ = ctx._
        assert ctx.account.id is not None
        if event.action not in self.entry_actions:
            return Outcome([expired_reply(_)])
        found, problem = find(ctx.session, ctx.schools, event.payload, ctx.account.id, ctx.now)
        if found is None:
            return Outcome([expired_reply(_)])
        child = found.pupil.forename
        if problem == "cancelled":
            return Outcome([Reply(_("This live lesson has been cancelled, so there is nothing "
                                    "to answer."))])
        if problem == "ended":
            return Outcome([Reply(_("This live lesson has finished."))])
        signed = is_signed(ctx.session, found)
        if problem == "changed":
            note = Reply(_("This live lesson has changed since that message, so its buttons "
                           "no longer work. Here it is as it stands now:"))
            return Outcome([note, invitation_reply(ctx, found, signed=signed)])
        if event.action == VIEW:
            return Outcome([invitation_reply(ctx, found, signed=signed)])
        if event.action == DECLINE:
            decline(ctx.session, found, now=ctx.now)
            return Outcome([Reply(_("Thank you for letting us know - the class teacher will see "
                                    "that {child} can't attend. If that changes, you can still "
                                    "accept from the invitation.").format(child=child))])
        if not signed:
            return self._sign_first(ctx, event, found)
        if event.action == SIGN:
            thanks = Reply(_("The agreement for {child} is signed - thank you.").format(
                child=child))
            return Outcome([thanks, invitation_reply(ctx, found, signed=True)])
        recipient = ctx.account.address
        if accept(ctx.session, found, recipient=recipient, locale=ctx.locale,
                  now=ctx.now) == "already":
            return Outcome([Reply(_("You've already accepted - the link is in its own message "
                                    "from me, above."))])
        return Outcome([Reply(_("Thank you. The link comes next, in a message of its own: "
                                "Telegram won't let it be forwarded or saved, and I'll remove it "
                                "when the lesson ends."))])

    def _sign_first(self, ctx: Context, event: Event, found: Found) -> Outcome:
        """Opens the agreement for the child; once it is signed, the receipt leads back here."""
        _ = ctx._
        note = Reply(_("Before I can send the link, the online safety agreement for {child} "
                       "needs signing. When it is signed, I'll offer you the invitation "
                       "again.").format(child=found.pupil.forename))
        return Outcome([note], then=Handover(AGREEMENT_FOR_CHILD, str(found.pupil.id)))

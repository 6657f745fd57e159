"""Staff receive concerns: acknowledge, pass to the DSL, resolve with an outcome, list them."""

from __future__ import annotations

from sqlmodel import col, select

from assistant.concerns.service import (
    holders,
    recipient,
    staff_message,
    summary,
    tell_sender,
    visible_to,
)
from assistant.engine import Context, Outcome, State, expired_reply
from assistant.events import Button, Event, Reply
from assistant.i18n import gettext_for, when_text
from assistant.models import Concern, ConcernEvent, Staff
from assistant.outbox import enqueue
from flows.staff import not_staff_reply, staff_post

NAME = "concerns"
MAX_OUTCOME = 500


class ConcernStaffFlow:
    """What a member of staff does with a concern routed to them."""

    name = NAME
    commands = frozenset({"concerns"})
    entry_actions = frozenset({"concerns.ack", "concerns.pass", "concerns.resolve",
                               "concerns.show"})

    def handle(self, ctx: Context, event: Event, state: State | None) -> Outcome:
        """Acts on a concern button, lists open concerns, or records a resolution."""
        _ = ctx._
        post = staff_post(ctx)
        if post is None:
            return Outcome([not_staff_reply(ctx)])
        me = ctx.session.get(Staff, post.staff_id)
        assert me is not None
        if event.command == "concerns" or (event.action is None and state is None):
            return Outcome([self._list(ctx, me)])
        if event.action is None and state is not None and state.step == "outcome":
            return self._resolve(ctx, me, str(state.data["ref"]), event.text or "", state)
        concern = ctx.session.exec(select(Concern).where(
            Concern.reference == event.payload, Concern.school_id == me.school_id)).first()
        if concern is None or not visible_to(ctx.session, concern, me):
            return Outcome([Reply(_("Sorry, that concern isn't one you can see."))])
        if event.action == "concerns.show":
            payload = staff_message(ctx.session, concern, ctx.locale, _("Concern"))
            text = str(payload["text"]) + "\n\n" + _("Status: {status}").format(
                status=concern.status)
            return Outcome([Reply(text, _buttons(payload), protect=True)])
        if event.action == "concerns.ack":
            return Outcome([self._acknowledge(ctx, me, concern)])
        if event.action == "concerns.pass":
            return Outcome([self._pass(ctx, me, concern)])
        if event.action == "concerns.resolve":
            if concern.status == "resolved":
                return Outcome([Reply(_("This concern is already resolved."))])
            return Outcome([Reply(_("Please type a short outcome for the record (what was "
                                    "done), up to {n} characters.").format(n=MAX_OUTCOME))],
                           State(NAME, "outcome", {"ref": concern.reference}))
        return Outcome([expired_reply(_)])

    def _list(self, ctx: Context, me: Staff) -> Reply:
        _ = ctx._
        open_ones = [c for c in ctx.session.exec(
            select(Concern).where(Concern.school_id == me.school_id,
                                  col(Concern.status) != "resolved")
            .order_by(col(Concern.urgent).desc(), col(Concern.created_at)))
            if visible_to(ctx.session, c, me)]
        if not open_ones:
            return Reply(_("You have no open concerns."))
        lines = [_("Your open concerns:")]
        rows: list[tuple[Button, ...]] = []
        for concern in open_ones[:20]:
            s = summary(ctx.session, concern)
            flag = _("URGENT ") if concern.urgent else ""
            lines.append(f"- {flag}{s.reference}: {s.child or '-'} {s.class_code} · "
                         f"{s.category.replace('-', ' ')} · {concern.status}")
            rows.append((Button(_("Open {ref}").format(ref=s.reference), "concerns.show",
                                s.reference),))
        return Reply("\n".join(lines), tuple(rows))

    def _acknowledge(self, ctx: Context, me: Staff, concern: Concern) -> Reply:
        _ = ctx._
        if concern.status != "open":
            done = ctx.session.exec(select(ConcernEvent).where(
                ConcernEvent.concern_id == concern.id, ConcernEvent.event == "acknowledged")
                .order_by(col(ConcernEvent.at))).first()
            who = ctx.session.get(Staff, done.staff_id) if done and done.staff_id else None
            return Reply(_("Already acknowledged{by}.").format(
                by=_(" by {name}").format(name=who.name) if who else ""))
        concern.status = "acknowledged"
        concern.escalate_at = None
        ctx.session.add(concern)
        ctx.session.add(ConcernEvent(concern_id=concern.id or 0, event="acknowledged",
                                     actor=f"staff:{me.id}", staff_id=me.id, at=ctx.now))
        school = ctx.schools[concern.school_id]
        sender = gettext_for(concern.locale)
        message = sender("A member of staff has read your message (reference {ref}).") if (
            not concern.from_pupil) else sender(
            "A grown-up at school has read your message. Thank you for telling us.")
        tell_sender(ctx.session, school, concern, message, "acknowledged", ctx.now)
        return Reply(_("Acknowledged. The sender will be told that it has been read."))

    def _pass(self, ctx: Context, me: Staff, concern: Concern) -> Reply:
        _ = ctx._
        school = ctx.schools[concern.school_id]
        targets = [s for s in holders(ctx.session, school.id, "dsl", None) if s.id != me.id] or [
            s for s in holders(ctx.session, school.id, "deputy-dsl", None) if s.id != me.id]
        if not targets:
            return Reply(_("There is no {dsl} available to pass this to; please speak to the "
                           "{head}.").format(dsl=school.roles["dsl"], head=school.roles["head"]))
        for member in targets:
            ctx.session.add(ConcernEvent(concern_id=concern.id or 0, event="passed",
                                         actor=f"staff:{me.id}", staff_id=member.id, at=ctx.now))
            address = recipient(ctx.session, member.account_id)
            if address:
                payload = staff_message(ctx.session, concern, "en",
                                        _("Passed to you by {name}").format(name=me.name))
                enqueue(session=ctx.session, school=school, recipient=address, kind="concern",
                        payload={**payload, "concern": concern.reference}, now=ctx.now,
                        dedupe_key=f"concern:{concern.reference}:passed:{member.id}",
                        in_hours=True, priority=10 if concern.urgent else 0)
        return Reply(_("Passed to the {dsl}.").format(dsl=school.roles["dsl"]))

    def _resolve(self, ctx: Context, me: Staff, ref: str, typed: str, state: State) -> Outcome:
        _ = ctx._
        outcome = " ".join(typed.split())
        if not outcome or len(outcome) > MAX_OUTCOME:
            return Outcome([Reply(_("Please type a short outcome, up to {n} characters.").format(
                n=MAX_OUTCOME))], state)
        concern = ctx.session.exec(select(Concern).where(Concern.reference == ref)).first()
        if concern is None or not visible_to(ctx.session, concern, me):
            return Outcome([expired_reply(_)])
        if concern.status == "resolved":
            return Outcome([Reply(_("This concern is already resolved."))])
        concern.status = "resolved"
        concern.escalate_at = None
        ctx.session.add(concern)
        ctx.session.add(ConcernEvent(concern_id=concern.id or 0, event="resolved",
                                     actor=f"staff:{me.id}", staff_id=me.id, note=outcome,
                                     at=ctx.now))
        return Outcome([Reply(_("Resolved and recorded at {when}.").format(
            when=when_text(ctx.now, ctx.locale, ctx.schools[concern.school_id].timezone)))])


def _buttons(payload: dict[str, object]) -> tuple[tuple[Button, ...], ...]:
    rows = payload.get("buttons", [])
    assert isinstance(rows, list)
    return tuple(tuple(Button(b["label"], b["action"], b["payload"]) for b in row)
                 for row in rows)

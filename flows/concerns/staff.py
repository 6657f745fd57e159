"""Staff receive concerns: acknowledge, pass to the DSL, resolve with an outcome, list them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from assistant.concerns.service import (
    StaffActions,
    acknowledge_concern,
    acknowledged_by,
    can_pass_on,
    concern_by_reference,
    open_concerns_for,
    pass_concern,
    resolve_concern,
    staff_message,
    summary,
    visible_to,
)
from assistant.engine import Context, Outcome, State, expired_reply
from assistant.events import Button, Event, Reply
from assistant.flowkit import (
    TEXT,
    StepTable,
    dispatch,
    dump,
    load,
    off_step,
    payload_buttons,
    staff_only,
    step_of,
)
from assistant.i18n import when_text
from assistant.models import Concern, ConcernStatus, Staff
from assistant.people.identity import staff_member
from flows.staff import post_at, staff_posts

NAME = "concerns_staff"
MAX_OUTCOME = 500
# The buttons on every concern put in front of staff (new, passed on, escalated, opened).
ACTIONS = StaffActions(acknowledge=f"{NAME}.ack", pass_on=f"{NAME}.pass",
                       resolve=f"{NAME}.resolve")
SHOW = f"{NAME}.show"


class Step(StrEnum):
    """What the conversation is waiting on."""

    OUTCOME = "outcome"  # the typed outcome of a concern being resolved


@dataclass
class ResolveData:
    """The concern being resolved, by its reference."""

    ref: str = ""


Handler = Callable[[Context, Event, ResolveData, Staff], Outcome]


class ConcernStaffFlow:
    """What a member of staff does with a concern routed to them."""

    name = NAME
    commands = frozenset({"concerns"})
    entry_actions = frozenset({ACTIONS.acknowledge, ACTIONS.pass_on, ACTIONS.resolve, SHOW})

    def __init__(self) -> None:
        self.steps: StepTable[Step, Handler] = StepTable(
            states={
                Step.OUTCOME: {TEXT: self._resolve},
            },
        )

    def handle(self, ctx: Context, event: Event, state: State | None) -> Outcome:
        """Acts on a concern button, lists open concerns, or records a resolution."""
        _ = ctx._
        members = [m for m in (staff_member(session=ctx.session, staff_id=p.staff_id)
                               for p in staff_posts(ctx)) if m is not None]
        if not members:
            return Outcome([staff_only(_)])
        if event.command == "concerns" or (event.action is None and state is None):
            return Outcome([self._list(ctx, members)])
        if state is not None:
            handler = dispatch(self.steps, step_of(Step, state.step), event)
            if handler is not None:
                data = load(ResolveData, state.data)
                return handler(ctx, event, data, self._member_for(ctx, members, data.ref))
            if event.action is None or event.action not in self.entry_actions:
                return off_step(_, event, state, self.step_replies(ctx, state))
        # The rest are a concern's own buttons, which work whatever the conversation, and act
        # at the school the concern belongs to (one person may work at two of a trust).
        concern = concern_by_reference(session=ctx.session, reference=event.payload)
        me = next((m for m in members if concern and m.school_id == concern.school_id), None)
        if concern is None or me is None or not visible_to(ctx.session, concern, me):
            return Outcome([Reply(_("Sorry, that concern isn't one you can see."))])
        if event.action == SHOW:
            payload = staff_message(ctx.session, concern, ctx.locale, _("Concern"),
                                    actions=ACTIONS, can_pass=can_pass_on(ctx.session,
                                                                          me.id or 0))
            text = str(payload["text"]) + "\n\n" + _("Status: {status}").format(
                status=concern.status)
            return Outcome([Reply(text, payload_buttons(payload), protect=True)])
        if event.action == ACTIONS.acknowledge:
            return Outcome([self._acknowledge(ctx, me, concern)])
        if event.action == ACTIONS.pass_on:
            return Outcome([self._pass(ctx, me, concern)])
        if event.action == ACTIONS.resolve:
            if concern.status == ConcernStatus.RESOLVED:
                return Outcome([Reply(_("This concern is already resolved."))])
            resolving = State(NAME, Step.OUTCOME, dump(ResolveData(ref=concern.reference)))
            return Outcome(self.step_replies(ctx, resolving), resolving)
        return Outcome([expired_reply(_)])

    def step_replies(self, ctx: Context, state: State) -> list[Reply]:
        """The request for the typed outcome of the concern being resolved."""
        ref = load(ResolveData, state.data).ref
        return [Reply(ctx._("Please type a short outcome for the record of {ref} (what was "
                            "done), up to {n} characters.").format(ref=ref, n=MAX_OUTCOME))]

    @staticmethod
    def _member_for(ctx: Context, members: list[Staff], reference: str) -> Staff:
        """The user's post at the school of the concern a step is about."""
        concern = concern_by_reference(session=ctx.session, reference=reference)
        return post_at(members, concern.school_id if concern else None)

    def _list(self, ctx: Context, members: list[Staff]) -> Reply:
        _ = ctx._
        open_ones = sorted((c for me in members
                            for c in open_concerns_for(session=ctx.session, staff=me)),
                           key=lambda c: (not c.urgent, c.created_at))
        several = len({m.school_id for m in members}) > 1
        if not open_ones:
            return Reply(_("You have no open concerns."))
        lines = [_("Your open concerns:")]
        rows: list[tuple[Button, ...]] = []
        for concern in open_ones[:20]:
            s = summary(ctx.session, concern)
            flag = _("URGENT ") if concern.urgent else ""
            school = (" · " + ctx.schools[concern.school_id].name
                      if several and concern.school_id in ctx.schools else "")
            lines.append(f"- {flag}{s.reference}: {s.child or '-'} {s.class_code} · "
                         f"{s.category.replace('-', ' ')} · {concern.status}{school}")
            rows.append((Button(_("Open {ref}").format(ref=s.reference), SHOW,
                                s.reference),))
        return Reply("\n".join(lines), tuple(rows))

    def _acknowledge(self, ctx: Context, me: Staff, concern: Concern) -> Reply:
        _ = ctx._
        if concern.status != ConcernStatus.OPEN:
            who = acknowledged_by(session=ctx.session, concern=concern)
            return Reply(_("Already acknowledged{by}.").format(
                by=_(" by {name}").format(name=who.name) if who else ""))
        acknowledge_concern(session=ctx.session, school=ctx.schools[concern.school_id],
                            concern=concern, staff=me, now=ctx.now)
        if concern.reply_here is False:
            return Reply(_("Acknowledged. The child tidied the chat away and didn't ask for a "
                           "reply there, so nothing is sent to them: please follow it up in "
                           "person."))
        if concern.sender_account_id is None:
            return Reply(_("Acknowledged. The sender has since left the assistant, so they "
                           "can't be told here."))
        return Reply(_("Acknowledged. The sender will be told that it has been read."))

    def _pass(self, ctx: Context, me: Staff, concern: Concern) -> Reply:
        _ = ctx._
        school = ctx.schools[concern.school_id]
        if not can_pass_on(ctx.session, me.id or 0):
            return Reply(_("You are the {dsl}, so this is yours to acknowledge and resolve "
                           "here.").format(dsl=school.roles["dsl"]))
        targets = pass_concern(session=ctx.session, school=school, concern=concern, staff=me,
                               heading=lambda _: _("Passed to you by {name}").format(
                                   name=me.name),
                               actions=ACTIONS, now=ctx.now)
        if not targets:
            return Reply(_("There is no {dsl} available to pass this to; please speak to the "
                           "{head}.").format(dsl=school.roles["dsl"], head=school.roles["head"]))
        return Reply(_("Passed to the {dsl}.").format(dsl=school.roles["dsl"]))

    def _resolve(self, ctx: Context, event: Event, data: ResolveData, me: Staff) -> Outcome:
        """Records the typed outcome and resolves the concern."""
        _ = ctx._
        outcome = " ".join((event.text or "").split())
        if not outcome or len(outcome) > MAX_OUTCOME:
            return Outcome([Reply(_("Please type a short outcome, up to {n} characters.").format(
                n=MAX_OUTCOME))], State(NAME, Step.OUTCOME, dump(data)))
        concern = concern_by_reference(session=ctx.session, reference=data.ref,
                                       school_id=me.school_id)
        if concern is None or not visible_to(ctx.session, concern, me):
            return Outcome([expired_reply(_)])
        if concern.status == ConcernStatus.RESOLVED:
            return Outcome([Reply(_("This concern is already resolved."))])
        resolve_concern(session=ctx.session, school=ctx.schools[concern.school_id],
                        concern=concern, staff=me, outcome=outcome, now=ctx.now)
        return Outcome([Reply(_("Resolved and recorded at {when}.").format(
            when=when_text(ctx.now, ctx.locale, ctx.schools[concern.school_id].timezone)))])


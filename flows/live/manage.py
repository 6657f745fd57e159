"""/sessions: staff see who is coming to their live lessons, and move or cancel one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from assistant.engine import Context, Outcome, State, expired_reply
from assistant.events import Button, Event, Reply, row_id
from assistant.faq.facts import contact_hours_text
from assistant.flowkit import (
    TEXT,
    StepTable,
    cancelled,
    dispatch,
    dump,
    load,
    off_step,
    staff_only,
    step_of,
)
from assistant.i18n import N_, when_text
from assistant.live.invites import cancel_session, move_session
from assistant.live.register import (
    ACCEPTED_ANSWER,
    DECLINED_ANSWER,
    NO_ANSWER,
    NOT_LINKED,
    answers,
)
from assistant.live.rules import hours_problem
from assistant.live.store import (
    SCHEDULED,
    class_label,
    lesson_by_id,
    may_manage,
    upcoming_lessons,
)
from assistant.live.text import full_when, hours_problem_text, length_text, when_error_text
from assistant.live.when import WhenError, parse_when
from assistant.models import LiveSession
from assistant.people.identity import StaffLink
from flows.staff import staff_post

NAME = "live_manage"
SHOWN = 10
MARKS = {ACCEPTED_ANSWER: "✓", DECLINED_ANSWER: "✗", NO_ANSWER: "…", NOT_LINKED: "–"}
ANSWER_WORDS = {ACCEPTED_ANSWER: N_("accepted"), DECLINED_ANSWER: N_("can't attend"),
                NO_ANSWER: N_("no answer"), NOT_LINKED: N_("no family linked")}

# Entry buttons, on each session's card.
MOVE = f"{NAME}.move"
CANCEL = f"{NAME}.cancel"
# Step buttons.
CANCEL_YES = f"{NAME}.cancel_yes"
MOVE_YES = f"{NAME}.move_yes"
KEEP = f"{NAME}.keep"


class Step(StrEnum):
    """What the conversation about one session is waiting on."""

    CANCEL = "cancel"  # asked to confirm cancelling it
    MOVE = "move"  # waiting for the new day and time
    MOVE_CONFIRM = "move_confirm"  # asked to confirm the move


@dataclass
class Change:
    """The session being moved or cancelled, at the version the member of staff saw."""

    id: int | None = None
    version: int | None = None
    at: str = ""  # the new start, ISO 8601 with its offset, once typed


Handler = Callable[[Context, Event, Change, LiveSession], Outcome]


class SessionsFlow:
    """Lists upcoming sessions with each pupil's answer; moves or cancels one on request."""

    name = NAME
    commands = frozenset({"sessions"})
    entry_actions = frozenset({MOVE, CANCEL})

    def __init__(self) -> None:
        self.steps: StepTable[Step, Handler] = StepTable(
            states={
                Step.CANCEL: {CANCEL_YES: self._cancel_session},
                Step.MOVE: {TEXT: self._typed_time},
                Step.MOVE_CONFIRM: {MOVE_YES: self._move},
            },
        )

    def handle(self, ctx: Context, event: Event, state: State | None) -> Outcome:
        """Shows the list, or takes one step of moving or cancelling a session."""
        _ = ctx._
        post = staff_post(ctx)
        if post is None:
            return Outcome([staff_only(_)])
        if event.action in self.entry_actions:
            return self._begin(ctx, event, post)
        if state is None or event.command:
            return Outcome(self._list(ctx, post))
        if event.action == KEEP:  # "Keep it" stands even if the session changed meanwhile
            return Outcome([cancelled(_)])
        data = load(Change, state.data)
        live = self._session(ctx, post, str(data.id))
        if live is None or live.version != data.version:
            return Outcome([Reply(_("That session has changed in the meantime - send /sessions "
                                    "to see it as it is now."))])
        handler = dispatch(self.steps, step_of(Step, state.step), event)
        if handler is None:
            return off_step(_, event, state, self.step_replies(ctx, state))
        return handler(ctx, event, data, live)

    def step_replies(self, ctx: Context, state: State) -> list[Reply]:
        """The question about the session being moved or cancelled, asked again."""
        post = staff_post(ctx)
        data = load(Change, state.data)
        live = self._session(ctx, post, str(data.id)) if post is not None else None
        if live is None or live.version != data.version:
            return []
        step = step_of(Step, state.step)
        if step is Step.CANCEL:
            return [self._cancel_question(ctx, live)]
        if step is Step.MOVE_CONFIRM and data.at:
            return [self._move_question(ctx, live, datetime.fromisoformat(data.at))]
        return self._ask_time(ctx, data).replies

    def _begin(self, ctx: Context, event: Event, post: StaffLink) -> Outcome:
        """Asks to confirm cancelling a session, or for the time to move it to."""
        _ = ctx._
        live = self._session(ctx, post, event.payload)
        if live is None:
            return Outcome([expired_reply(_)])
        data = Change(id=live.id, version=live.version)
        if event.action == CANCEL:
            return Outcome([self._cancel_question(ctx, live)],
                           State(NAME, Step.CANCEL, dump(data)))
        return self._ask_time(ctx, data)

    def _cancel_question(self, ctx: Context, live: LiveSession) -> Reply:
        _ = ctx._
        return Reply(
            _("Cancel the live lesson for {classes} on {when}? Everyone invited will be "
              "told, and any link sent will be removed.").format(
                classes=class_label(ctx.session, live),
                when=full_when(live.starts_at, ctx.locale, ctx.school.timezone)),
            ((Button(_("Cancel the session"), CANCEL_YES), Button(_("Keep it"), KEEP)),))

    def _cancel_session(self, ctx: Context, event: Event, data: Change,
                        live: LiveSession) -> Outcome:
        """Cancels the session and tells the families invited."""
        told = cancel_session(session=ctx.session, school=ctx.school, live=live, now=ctx.now)
        return Outcome([Reply(ctx.ngettext(
            "Cancelled. {n} family will be told, inside contact hours.",
            "Cancelled. {n} families will be told, inside contact hours.", told).format(
            n=told))])

    def _move(self, ctx: Context, event: Event, data: Change, live: LiveSession) -> Outcome:
        """Moves the session to the confirmed time and asks the families again."""
        at = datetime.fromisoformat(data.at)
        if at <= ctx.now:
            return self._ask_time(ctx, data, ctx._("That time has passed."))
        problem = self._hours(ctx, at, live.minutes)
        if problem:
            return self._ask_time(ctx, data, problem)
        told = move_session(session=ctx.session, school=ctx.school, live=live,
                            starts_at=at, now=ctx.now)
        return Outcome([Reply(ctx.ngettext(
            "Moved. {n} family will get the new time and be asked again, inside contact "
            "hours.",
            "Moved. {n} families will get the new time and be asked again, inside contact "
            "hours.", told).format(n=told))])

    def _session(self, ctx: Context, post: StaffLink, payload: str) -> LiveSession | None:
        """The session a button or conversation names, if this member of staff may change it."""
        number = row_id(payload)
        live = (lesson_by_id(session=ctx.session, live_id=number) if number is not None
                else None)
        if (live is None or live.status != SCHEDULED or live.ends_at <= ctx.now
                or not may_manage(ctx.session, post, live)):
            return None
        return live

    def _ask_time(self, ctx: Context, data: Change, problem: str = "") -> Outcome:
        ask = ctx._("What is the new day and time? Type it as before, for example \"thu "
                    "10:00\" or \"26/11 13:30\".")
        return Outcome([Reply(f"{problem}\n\n{ask}" if problem else ask,
                              ((Button(ctx._("Keep it"), KEEP),),))],
                       State(NAME, Step.MOVE, dump(replace(data, at=""))),
                       maybe_question=bool(problem))

    def _hours(self, ctx: Context, at: datetime, minutes: int) -> str:
        """Why the session can't move to then (a closure, outside hours), or ""."""
        problem = hours_problem(ctx.school, at, minutes)
        if problem is None:
            return ""
        return hours_problem_text(problem.reason, problem.name, school=ctx.school.name,
                                  hours=contact_hours_text(ctx.school, ctx.locale), at=at,
                                  minutes=minutes, locale=ctx.locale, tz=ctx.school.timezone,
                                  _=ctx._, ngettext=ctx.ngettext)

    def _typed_time(self, ctx: Context, event: Event, data: Change,
                    live: LiveSession) -> Outcome:
        """Reads the typed new time and asks to confirm the move."""
        _ = ctx._
        try:
            at = parse_when(event.text or "", now=ctx.now, tz=ctx.school.tz,
                            locale=ctx.locale)
        except WhenError as error:
            return self._ask_time(ctx, data, when_error_text(error.reason, error.detail, _))
        problem = self._hours(ctx, at, live.minutes)
        if problem:
            return self._ask_time(ctx, data, problem)
        return Outcome([self._move_question(ctx, live, at)],
                       State(NAME, Step.MOVE_CONFIRM, dump(replace(data, at=at.isoformat()))))

    def _move_question(self, ctx: Context, live: LiveSession, at: datetime) -> Reply:
        _ = ctx._
        question = _("Move it from {old} to {new}? Everyone invited will be told, and asked "
                     "again.").format(old=full_when(live.starts_at, ctx.locale,
                                                    ctx.school.timezone),
                                      new=full_when(at, ctx.locale, ctx.school.timezone))
        return Reply(question, ((Button(_("Move it"), MOVE_YES), Button(_("Keep it"), KEEP)),))

    def _list(self, ctx: Context, post: StaffLink) -> list[Reply]:
        _ = ctx._
        rows = upcoming_lessons(session=ctx.session, school_id=ctx.school.id, now=ctx.now)
        mine = [live for live in rows if live.ends_at > ctx.now
                and may_manage(ctx.session, post, live)][:SHOWN]
        if not mine:
            return [Reply(_("You have no live lessons coming up. Send /newsession to arrange "
                            "one."))]
        return [self._card(ctx, live) for live in mine]

    def _card(self, ctx: Context, live: LiveSession) -> Reply:
        """One session: when, where, the count of each answer, and each pupil's answer."""
        _ = ctx._
        found = answers(ctx.session, live)
        head = _("Session {id}: {classes}, {when}, {length}, {platform}").format(
            id=live.id, classes=class_label(ctx.session, live),
            when=when_text(live.starts_at, ctx.locale, ctx.school.timezone),
            length=length_text(live.minutes, ctx.ngettext), platform=live.platform)
        counts = " · ".join(f"{_(ANSWER_WORDS[word])}: {sum(a.answer == word for a in found)}"
                            for word in ANSWER_WORDS)
        lines = [head, counts, ""]
        lines += [f"{MARKS[a.answer]} {a.pupil} ({a.class_code}): {_(ANSWER_WORDS[a.answer])}"
                  for a in found]
        assert live.id is not None
        return Reply("\n".join(lines), ((Button(_("Move"), MOVE, str(live.id)),
                                         Button(_("Cancel it"), CANCEL,
                                                str(live.id))),))

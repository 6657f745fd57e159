"""Raising a concern (parents and carers) or a worry (pupils), with help first in danger."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import StrEnum

from assistant.concerns.service import CATEGORIES, raise_concern
from assistant.engine import Context, Outcome, State, expired_reply
from assistant.events import Button, Event, Reply
from assistant.flowkit import (
    TEXT,
    StepTable,
    cancelled,
    dispatch,
    dump,
    load,
    step_of,
    use_the_buttons,
)
from assistant.hours import is_open, next_open
from assistant.i18n import when_text
from assistant.people.identity import LinkedChild, linked_children
from assistant.safety.reports import mark_raised, report_for
from flows.concerns.staff import ACTIONS as STAFF_ACTIONS

NAME = "concerns_family"
# The one-tap button under the danger help: raises the flagged message as an urgent concern.
URGENT = f"{NAME}.urgent"
# Entry buttons: a parent's or carer's concern, a pupil's worry.
START = f"{NAME}.start"
WORRY = f"{NAME}.worry"
# Step buttons.
WHO = f"{NAME}.who"
WHAT = f"{NAME}.what"
SEND = f"{NAME}.send"
CANCEL = f"{NAME}.cancel"
TIDY = f"{NAME}.tidy"
MAX_PHOTOS = 5

Row = tuple[Button, ...]


class Step(StrEnum):
    """The question the concern is waiting on."""

    WHO = "who"  # which child it is about (or which one is writing)
    WHAT = "what"  # what kind of worry it is
    MESSAGE = "message"  # the words, and any pictures
    CONFIRM = "confirm"  # the summary, waiting for "Send"
    SENT = "sent"  # a pupil's worry is sent: the chat can be tidied away


@dataclass
class ConcernData:
    """What the concern has gathered so far."""

    pupil_mode: bool = False  # a pupil's worry (/worry) rather than a parent's concern
    first: str = ""  # the message it started from, for tidying the chat away
    guardian: int | None = None
    pupil: int | None = None  # None when it is not about a particular child
    forename: str = ""
    school: str = ""
    category: str = ""
    text: str = ""
    photos: list[str] = field(default_factory=list)
    urgent: bool = False
    report: int | None = None  # the flagged message it was raised from, in one tap


Handler = Callable[[Context, Event, ConcernData], Outcome]


def children(ctx: Context) -> list[LinkedChild]:
    """The children linked to this account, at any school."""
    assert ctx.account.id is not None
    return linked_children(ctx.session, ctx.account.id, ctx.schools)


def parent_categories(ctx: Context) -> list[tuple[str, str]]:
    _ = ctx._
    return [
        ("upsetting", _("Something upsetting seen online")),
        ("bullying", _("Unkind messages or bullying")),
        ("stranger", _("Someone they don't know contacting them")),
        ("live", _("A live lesson or remote learning")),
        ("staff", _("A member of staff")),
        ("access", _("Access, devices or login")),
        ("other", _("Something else")),
    ]


def pupil_categories(ctx: Context) -> list[tuple[str, str]]:
    _ = ctx._
    return [("upsetting", _("Something online")), ("bullying", _("Someone being unkind")),
            ("other", _("Something else"))]


class ConcernFlow:
    """Takes a worry step by step, stores it before saying so, and says when it will be read."""

    name = NAME
    commands = frozenset({"concern", "worry"})
    entry_actions = frozenset({START, WORRY, URGENT})
    # The words of a concern may be about danger: they are the concern, after the help.
    danger_steps = frozenset({Step.MESSAGE})

    def __init__(self) -> None:
        self.steps: StepTable[Step, Handler] = StepTable(
            states={
                Step.WHO: {WHO: self._who},
                Step.WHAT: {WHAT: self._what},
                Step.MESSAGE: {TEXT: self._message},
                Step.CONFIRM: {SEND: self._send_now},
                Step.SENT: {TIDY: self._tidy},
            },
            fallbacks={CANCEL: self._cancel},
        )

    def handle(self, ctx: Context, event: Event, state: State | None) -> Outcome:
        """Moves the concern on one step, or raises a flagged message as urgent in one tap."""
        if event.action == URGENT:
            return self._urgent(ctx, event)
        if event.command in {"concern", "worry"} or event.action in self.entry_actions:
            pupil = event.command == "worry" or event.action == WORRY
            return self._start(ctx, event, pupil)
        if state is None:
            return Outcome([expired_reply(ctx._)])
        return self._step(ctx, event, state)

    def _urgent(self, ctx: Context, event: Event) -> Outcome:
        """Sends the message the danger check flagged to the school as an urgent concern."""
        _ = ctx._
        assert ctx.account.id is not None
        report = report_for(session=ctx.session, account_id=ctx.account.id,
                            report_id=event.payload)
        kids = [k for k in children(ctx) if report is None or k.school.id == report.school_id]
        if report is None or not kids:
            return Outcome([Reply(_("That message has already been sent to the school, or it "
                                    "can't be sent from here. If a child is in danger right "
                                    "now, call 999."))])
        about = _about(ConcernData(), kids[0])
        if len(kids) > 1:
            about = replace(about, pupil=None)
        data = replace(about, pupil_mode=False, category=CATEGORIES["other"], text=report.text,
                       urgent=True, report=report.id)
        return self._send(ctx, data)

    # ------------------------------------------------------------------ who and what

    def _start(self, ctx: Context, event: Event, pupil: bool) -> Outcome:
        _ = ctx._
        kids = children(ctx)
        data = ConcernData(pupil_mode=pupil, first=event.message_id or "")
        if not kids:
            return Outcome([Reply(_(
                "I can only pass concerns to a school once you're linked to it with the code "
                "from the school office (send /start followed by the code). If a child is in "
                "danger right now, call 999. Children can call Childline on 0800 1111."))])
        if pupil:
            if len(kids) == 1:
                return self._ask_what(ctx, _about(data, kids[0]))
            rows = tuple((Button(k.child.forename, WHO, str(k.child.pupil_id)),) for k in kids)
            return Outcome([Reply(_("Hello. Which one are you?"), rows)],
                           State(NAME, Step.WHO, dump(data)))
        rows = tuple((Button(_("{child} ({code})").format(child=k.child.forename,
                                                          code=k.child.class_code),
                             WHO, str(k.child.pupil_id)),) for k in kids)
        rows += ((Button(_("Not about a child"), WHO, "none"),),)
        return Outcome([Reply(_("I'll pass your concern to the right person at school. "
                                "Who is it about?"), rows)], State(NAME, Step.WHO, dump(data)))

    def _ask_what(self, ctx: Context, data: ConcernData) -> Outcome:
        _ = ctx._
        options = pupil_categories(ctx) if data.pupil_mode else parent_categories(ctx)
        rows = tuple((Button(label, WHAT, key),) for key, label in options)
        question = _("Is it about something online? Someone being unkind? Something else?") if (
            data.pupil_mode) else _("What is it about?")
        return Outcome([Reply(question, rows)], State(NAME, Step.WHAT, dump(data)))

    # ------------------------------------------------------------------ the steps

    def _step(self, ctx: Context, event: Event, state: State) -> Outcome:
        _ = ctx._
        step = step_of(Step, state.step)
        handler = dispatch(self.steps, step, event)
        if handler is None:
            hint = Reply(_("Please type your message.")) if step is Step.MESSAGE else (
                use_the_buttons(_))
            return Outcome([hint], state)
        return handler(ctx, event, load(ConcernData, state.data))

    def _who(self, ctx: Context, event: Event, data: ConcernData) -> Outcome:
        """Stores which child it is about (or none) and asks what it is about."""
        kids = {str(k.child.pupil_id): k for k in children(ctx)}
        if event.payload == "none" and not data.pupil_mode:
            about = replace(_about(data, next(iter(kids.values()))), pupil=None)
        elif event.payload in kids:
            about = _about(data, kids[event.payload])
        else:
            return Outcome([expired_reply(ctx._)], State(NAME, Step.WHO, dump(data)))
        return self._ask_what(ctx, about)

    def _what(self, ctx: Context, event: Event, data: ConcernData) -> Outcome:
        """Stores what kind of worry it is and asks for it in the sender's own words."""
        _ = ctx._
        if event.payload not in CATEGORIES:
            return Outcome([expired_reply(_)], State(NAME, Step.WHAT, dump(data)))
        data = replace(data, category=CATEGORIES[event.payload])
        ask = _("Tell us what happened, in your own words.") if data.pupil_mode else _(
            "Please tell us what has happened, in your own words. You can add a photo or "
            "screenshot too (keep any evidence, but never forward a sexual image of a "
            "child).")
        return Outcome([Reply(ask)], State(NAME, Step.MESSAGE, dump(data)))

    def _message(self, ctx: Context, event: Event, data: ConcernData) -> Outcome:
        """Adds the words and pictures, then sends a pupil's worry or shows a summary."""
        _ = ctx._
        photos = (list(data.photos) + list(event.attachments))[:MAX_PHOTOS]
        data = replace(data, photos=photos, urgent=data.urgent or ctx.danger is not None)
        text = (event.text or "").strip()
        if not text:
            if photos:
                return Outcome([Reply(_("Thank you, I have the picture. Please add a few words "
                                        "about what happened."))],
                               State(NAME, Step.MESSAGE, dump(data)))
            return Outcome([Reply(_("Please type a few words about what happened."))],
                           State(NAME, Step.MESSAGE, dump(data)))
        data = replace(data, text=f"{data.text}\n{text}".strip()[:4096])
        if data.pupil_mode:
            return self._send(ctx, data)
        lines = [_("Please check before I send it:"),
                 _("About: {child}").format(child=data.forename if data.pupil
                                            else _("not about a particular child")),
                 _("What: {category}").format(category=data.category.replace("-", " ")),
                 "", data.text]
        if photos:
            lines.append(ctx.ngettext("(and {n} picture)", "(and {n} pictures)",
                                      len(photos)).format(n=len(photos)))
        return Outcome([Reply("\n".join(lines), ((Button(_("Send"), SEND),
                                                  Button(_("Cancel"), CANCEL)),))],
                       State(NAME, Step.CONFIRM, dump(data)))

    def _send_now(self, ctx: Context, event: Event, data: ConcernData) -> Outcome:
        """Sends the checked concern to the school."""
        return self._send(ctx, data)

    def _tidy(self, ctx: Context, event: Event, data: ConcernData) -> Outcome:
        """Tidies a pupil's chat away, from the message the worry started at."""
        return Outcome([Reply("", erase_from=data.first or None)])

    def _cancel(self, ctx: Context, event: Event, data: ConcernData) -> Outcome:
        """Stops without sending anything."""
        return Outcome([cancelled(ctx._)])

    def _send(self, ctx: Context, data: ConcernData) -> Outcome:
        _ = ctx._
        if data.guardian is None:  # every way here names the child's guardian first
            return Outcome([expired_reply(_)])
        school = ctx.schools.get(data.school, ctx.school)
        concern = raise_concern(
            session=ctx.session, school=school, sender_account_id=ctx.account.id,
            guardian_id=data.guardian, pupil_id=data.pupil or None,
            from_pupil=data.pupil_mode, category=data.category, text=data.text,
            photos=list(data.photos), urgent=data.urgent, locale=ctx.locale, now=ctx.now,
            actions=STAFF_ACTIONS)
        if data.report and concern.id is not None:
            mark_raised(session=ctx.session, report_id=data.report, concern_id=concern.id)
        if is_open(school, ctx.now):
            when = _("The school is open now, so it goes to them straight away.")
        else:
            when = _("The school is closed now; it will be read from {when}.").format(
                when=when_text(next_open(school, ctx.now), ctx.locale, school.timezone))
        if concern.urgent:
            when += " " + (_("Because it may be urgent, the {dsl} is being alerted now.").format(
                dsl=school.roles["dsl"]) if school.alert_dsl_out_of_hours else _(
                "Because it may be urgent, it goes first in the queue."))
        if data.pupil_mode:
            text = "\n\n".join([
                _("Thank you for telling us. You did the right thing."),
                when,
                _("You can also talk to a grown-up at school, or call Childline on 0800 1111 "
                  "(free, any time)."),
                _("If other people use this phone or tablet, you can tidy this chat away."),
            ])
            tidy = Button(_("Tidy this chat away"), TIDY)
            return Outcome([Reply(text, ((tidy,),))],
                           State(NAME, Step.SENT, dump(ConcernData(first=data.first))))
        text = "\n".join([_("Sent. Thank you - your reference is {ref}.").format(
            ref=concern.reference), when,
            _("You'll hear here when a member of staff has read it.")])
        return Outcome([Reply(text)])


def _about(data: ConcernData, kid: LinkedChild) -> ConcernData:
    """The data with the child it is about, their guardian and their school filled in."""
    return replace(data, guardian=kid.guardian_id, pupil=kid.child.pupil_id,
                   forename=kid.child.forename, school=kid.school.id)

"""Raising a concern (parents and carers) or a worry (pupils), with help first in danger."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import StrEnum

from assistant.concerns.service import (
    CATEGORIES,
    concern_for_sender,
    raise_concern,
    reply_in_chat,
    tidied_away,
)
from assistant.engine import Context, Outcome, State, expired_reply
from assistant.events import Button, Event, Reply
from assistant.faq.facts import placeholders
from assistant.flowkit import (
    TEXT,
    StepTable,
    cancelled,
    dispatch,
    dump,
    load,
    off_step,
    step_of,
)
from assistant.hours import is_open, next_open
from assistant.i18n import when_text
from assistant.people.identity import LinkedChild, linked_children
from assistant.safety.reports import mark_raised, report_for
from assistant.schools import School
from flows.concerns.staff import ACTIONS as STAFF_ACTIONS

NAME = "concerns_family"
# The one-tap button under the danger help: raises the flagged message as an urgent concern.
URGENT = f"{NAME}.urgent"
# Entry buttons: a parent's or carer's concern, a pupil's worry; under a sent worry, tidying
# the chat away or asking for a reply there (they name the worry and where the chat began).
START = f"{NAME}.start"
WORRY = f"{NAME}.worry"
TIDY = f"{NAME}.tidy"
REPLY_HERE = f"{NAME}.reply_here"
# Step buttons.
WHO = f"{NAME}.who"
WHAT = f"{NAME}.what"
SEND = f"{NAME}.send"
CANCEL = f"{NAME}.cancel"
MAX_PHOTOS = 5

Row = tuple[Button, ...]


class Step(StrEnum):
    """The question the concern is waiting on."""

    WHO = "who"  # which child it is about (or which one is writing)
    WHAT = "what"  # what kind of worry it is
    MESSAGE = "message"  # the words, and any pictures
    CONFIRM = "confirm"  # the summary, waiting for "Send"
    SENT = "sent"  # no longer used (a sent worry's buttons carry what they need)


# The steps of a concern not yet sent: its own command carries on with one of these.
DRAFT = frozenset({Step.WHO, Step.WHAT, Step.MESSAGE, Step.CONFIRM})


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
    entry_actions = frozenset({START, WORRY, URGENT, TIDY, REPLY_HERE})
    # The words of a concern may be about danger: they are the concern, after the help.
    danger_steps = frozenset({Step.MESSAGE})

    def __init__(self) -> None:
        self.steps: StepTable[Step, Handler] = StepTable(
            states={
                Step.WHO: {WHO: self._who},
                Step.WHAT: {WHAT: self._what},
                Step.MESSAGE: {TEXT: self._message},
                Step.CONFIRM: {SEND: self._send_now},
            },
            fallbacks={CANCEL: self._cancel},
        )

    def handle(self, ctx: Context, event: Event, state: State | None) -> Outcome:
        """Moves the concern on one step, or raises a flagged message as urgent in one tap."""
        if event.action == URGENT:
            return self._urgent(ctx, event)
        if event.action in {TIDY, REPLY_HERE}:
            return self._after_sending(ctx, event, state)
        if event.command in {"concern", "worry"} or event.action in self.entry_actions:
            pupil = event.command == "worry" or event.action == WORRY
            return self._start_or_resume(ctx, event, pupil, state)
        if state is None:
            return Outcome([expired_reply(ctx._)])
        return self._step(ctx, event, state)

    def step_replies(self, ctx: Context, state: State) -> list[Reply]:
        """The question the concern is waiting on, asked again with its buttons."""
        data = load(ConcernData, state.data)
        step = step_of(Step, state.step)
        if step is Step.WHO:
            return [self._who_question(ctx, data.pupil_mode)]
        if step is Step.WHAT:
            return [self._what_question(ctx, data)]
        if step is Step.MESSAGE:
            return [self._message_question(ctx, data)]
        if step is Step.CONFIRM:
            return [self._summary(ctx, data)]
        return []

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

    def _start_or_resume(self, ctx: Context, event: Event, pupil: bool,
                         state: State | None) -> Outcome:
        """Carries on with a concern started and not sent, or starts one."""
        _ = ctx._
        step = step_of(Step, state.step) if state is not None else None
        if state is None or step not in DRAFT:
            return self._start(ctx, event, pupil)
        if load(ConcernData, state.data).pupil_mode != pupil:
            # One started the other way (a parent's concern, a child's worry) is not shown
            # to whoever is holding the phone now: it is dropped, and they are told.
            started = self._start(ctx, event, pupil)
            note = Reply(_("The message started earlier wasn't sent, and I've put it away."))
            return Outcome([note, *started.replies], started.state)
        note = Reply(_("Welcome back - here is where you were. Nothing has been sent yet. "
                       "(Send /cancel to stop.)"))
        return Outcome([note, *self.step_replies(ctx, state)], state)

    def _start(self, ctx: Context, event: Event, pupil: bool) -> Outcome:
        _ = ctx._
        kids = children(ctx)
        data = ConcernData(pupil_mode=pupil, first=event.message_id or "")
        if not kids and pupil:
            return Outcome([Reply(_(
                "I can't send this to your school yet, because this phone or tablet isn't "
                "connected to it. Please tell a grown-up you trust, at school or at home. You "
                "can call Childline free on 0800 1111, any time. If you are in danger right "
                "now, call 999."))])
        if not kids:
            return Outcome([Reply(_(
                "I can only pass concerns to a school once you're linked to it with the code "
                "from the school office (send /start followed by the code). If a child is in "
                "danger right now, call 999. Children can call Childline on 0800 1111."))])
        if pupil and len(kids) == 1:
            return self._ask_what(ctx, _about(data, kids[0]))
        return Outcome([self._who_question(ctx, pupil)], State(NAME, Step.WHO, dump(data)))

    def _who_question(self, ctx: Context, pupil: bool) -> Reply:
        _ = ctx._
        kids = children(ctx)
        if pupil:
            rows = tuple((Button(k.child.forename, WHO, str(k.child.pupil_id)),) for k in kids)
            return Reply(_("Hello. Which one are you?"), rows)
        rows = tuple((Button(_("{child} ({code})").format(child=k.child.forename,
                                                          code=k.child.class_code),
                             WHO, str(k.child.pupil_id)),) for k in kids)
        rows += ((Button(_("Not about a child"), WHO, "none"),),)
        return Reply(_("I'll pass your concern to the right person at school. Who is it "
                       "about?"), rows)

    def _ask_what(self, ctx: Context, data: ConcernData) -> Outcome:
        return Outcome([self._what_question(ctx, data)], State(NAME, Step.WHAT, dump(data)))

    def _what_question(self, ctx: Context, data: ConcernData) -> Reply:
        _ = ctx._
        options = pupil_categories(ctx) if data.pupil_mode else parent_categories(ctx)
        rows = tuple((Button(label, WHAT, key),) for key, label in options)
        question = _("Is it about something online? Someone being unkind? Something else?") if (
            data.pupil_mode) else _("What is it about?")
        return Reply(question, rows)

    # ------------------------------------------------------------------ the steps

    def _step(self, ctx: Context, event: Event, state: State) -> Outcome:
        step = step_of(Step, state.step)
        handler = dispatch(self.steps, step, event)
        if handler is None:
            return off_step(ctx._, event, state, self.step_replies(ctx, state))
        return handler(ctx, event, load(ConcernData, state.data))

    def _who(self, ctx: Context, event: Event, data: ConcernData) -> Outcome:
        """Stores which child it is about (or none) and asks what it is about."""
        kids = {str(k.child.pupil_id): k for k in children(ctx)}
        if event.payload == "none" and not data.pupil_mode and kids:
            about = replace(_about(data, next(iter(kids.values()))), pupil=None)
        elif event.payload in kids:
            about = _about(data, kids[event.payload])
        else:
            return Outcome([expired_reply(ctx._)], State(NAME, Step.WHO, dump(data)))
        return self._ask_what(ctx, about)

    def _what(self, ctx: Context, event: Event, data: ConcernData) -> Outcome:
        """Stores what kind of worry it is and asks for it in the sender's own words."""
        if event.payload not in CATEGORIES:
            return Outcome([expired_reply(ctx._)], State(NAME, Step.WHAT, dump(data)))
        data = replace(data, category=CATEGORIES[event.payload])
        return Outcome([self._message_question(ctx, data)],
                       State(NAME, Step.MESSAGE, dump(data)))

    def _message_question(self, ctx: Context, data: ConcernData) -> Reply:
        _ = ctx._
        return Reply(_("Tell us what happened, in your own words.") if data.pupil_mode else _(
            "Please tell us what has happened, in your own words. You can add a photo or "
            "screenshot too (keep any evidence, but never forward a sexual image of a "
            "child)."))

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
        return Outcome([self._summary(ctx, data)], State(NAME, Step.CONFIRM, dump(data)))

    @staticmethod
    def _category_label(ctx: Context, data: ConcernData) -> str:
        """The category as the family chose it, in their words and language."""
        choices = dict(pupil_categories(ctx) if data.pupil_mode else parent_categories(ctx))
        chosen = next((key for key, value in CATEGORIES.items() if value == data.category), "")
        return choices.get(chosen, data.category.replace("-", " "))

    def _summary(self, ctx: Context, data: ConcernData) -> Reply:
        _ = ctx._
        lines = [_("Please check before I send it:"),
                 _("About: {child}").format(child=data.forename if data.pupil
                                            else _("not about a particular child")),
                 _("What: {category}").format(category=self._category_label(ctx, data)),
                 "", data.text]
        if data.photos:
            lines.append(ctx.ngettext("(and {n} picture)", "(and {n} pictures)",
                                      len(data.photos)).format(n=len(data.photos)))
        return Reply("\n".join(lines), ((Button(_("Send"), SEND), Button(_("Cancel"), CANCEL)),))

    def _send_now(self, ctx: Context, event: Event, data: ConcernData) -> Outcome:
        """Sends the checked concern to the school."""
        return self._send(ctx, data)

    def _after_sending(self, ctx: Context, event: Event, state: State | None) -> Outcome:
        """Tidies a child's chat away, or notes that they'd like a reply in it."""
        assert ctx.account.id is not None
        reference, _sep, first = event.payload.partition(":")
        if not reference and state is not None and state.step == Step.SENT:
            # A button sent while a worry still kept a conversation step of its own.
            first = load(ConcernData, state.data).first
        concern = concern_for_sender(session=ctx.session, reference=reference,
                                     account_id=ctx.account.id) if reference else None
        if event.action == REPLY_HERE:
            if concern is None:
                return Outcome([expired_reply(ctx._)], state)
            reply_in_chat(session=ctx.session, concern=concern)
            return Outcome([self._sent_note(ctx, concern.reference, first, reply_here=True)],
                           state)
        if concern is not None:
            tidied_away(session=ctx.session, concern=concern)
        # The chat goes, from the message the worry started at; the conversation is left as
        # it was (a worry is sent before these buttons are shown).
        return Outcome([Reply("", erase_from=first if first.isdigit() else None)],
                       None if state is not None and state.step == Step.SENT else state)

    def _cancel(self, ctx: Context, event: Event, data: ConcernData) -> Outcome:
        """Stops without sending anything."""
        return Outcome([cancelled(ctx._)])

    def _send(self, ctx: Context, data: ConcernData) -> Outcome:
        _ = ctx._
        if data.guardian is None:  # every way here names the child's guardian first
            return Outcome([expired_reply(_)])
        school = ctx.schools.get(data.school, ctx.school)
        raised = raise_concern(
            session=ctx.session, school=school, sender_account_id=ctx.account.id,
            guardian_id=data.guardian, pupil_id=data.pupil or None,
            from_pupil=data.pupil_mode, category=data.category, text=data.text,
            photos=list(data.photos), urgent=data.urgent, locale=ctx.locale, now=ctx.now,
            actions=STAFF_ACTIONS)
        concern = raised.concern
        if data.report and concern.id is not None:
            mark_raised(session=ctx.session, report_id=data.report, concern_id=concern.id)
        if data.pupil_mode:
            note = self._sent_note(ctx, concern.reference, data.first, just_sent=True,
                                   nobody=not raised.reached, urgent=concern.urgent,
                                   school=school)
            return Outcome([note])
        if not raised.reached:
            office = placeholders(school, ctx.locale)["office_contact"]
            return Outcome([Reply("\n".join([
                _("I've kept it - your reference is {ref}.").format(ref=concern.reference),
                _("But nobody at {school} can receive concerns here yet, so it hasn't reached "
                  "anyone. Please contact {office} directly. If a child is in danger right "
                  "now, call 999.").format(school=school.name, office=office)]))])
        text = "\n".join([_("Sent. Thank you - your reference is {ref}.").format(
            ref=concern.reference), self._when(ctx, school, concern.urgent),
            _("You'll hear here when a member of staff has read it.")])
        return Outcome([Reply(text)])

    def _when(self, ctx: Context, school: School, urgent: bool) -> str:
        """When a parent's or carer's concern will be read, said honestly."""
        _ = ctx._
        if is_open(school, ctx.now):
            when = _("The school is open now, so it goes to them straight away.")
        else:
            when = _("The school is closed now; it will be read from {when}.").format(
                when=when_text(next_open(school, ctx.now), ctx.locale, school.timezone))
        if urgent:
            when += " " + (_("Because it may be urgent, the {dsl} is being alerted now.").format(
                dsl=school.roles["dsl"]) if school.alert_dsl_out_of_hours else _(
                "Because it may be urgent, it goes first in the queue."))
        return when

    def _child_when(self, ctx: Context, school: School, urgent: bool) -> str:
        """When a child's worry will be read, in words a child can read."""
        _ = ctx._
        if is_open(school, ctx.now):
            when = _("A grown-up at school will get it now.")
        else:
            when = _("School is closed now, so a grown-up will read it when school opens: "
                     "{when}.").format(when=when_text(next_open(school, ctx.now), ctx.locale,
                                                      school.timezone))
        if urgent:
            when += " " + _("Because it sounds serious, it will be read first.")
        return when

    def _sent_note(self, ctx: Context, reference: str, first: str, *,
                   just_sent: bool = False, reply_here: bool = False, nobody: bool = False,
                   urgent: bool = False, school: School | None = None) -> Reply:
        """What a child reads once their worry is sent: thanks, when it is read, Childline,
        and a choice between a reply here and tidying the chat away."""
        _ = ctx._
        payload = f"{reference}:{first}" if first.isdigit() else reference
        tidy = Button(_("Tidy this chat away"), TIDY, payload)
        if nobody:
            parts = [_("Thank you for telling us. You did the right thing."),
                     _("But nobody at your school can read messages here yet. Please tell a "
                       "grown-up you trust, at school or at home."),
                     _("You can call Childline free on 0800 1111, any time."),
                     _("If other people use this phone or tablet, you can tidy this chat "
                       "away.")]
            return Reply("\n\n".join(parts), ((tidy,),))
        if reply_here:
            return Reply("\n\n".join([
                _("Okay - a grown-up will tell you here when they have read it."),
                _("You can still tidy this chat away. The grown-up's message will come "
                  "after that.")]), ((tidy,),))
        parts = [_("You can also talk to a grown-up at school, or call Childline on "
                   "0800 1111 (free, any time)."),
                 _("Would you like a grown-up to tell you here when they have read it? If "
                   "other people use this phone or tablet, you can tidy this chat away "
                   "instead.")]
        if just_sent:
            parts = [_("Thank you for telling us. You did the right thing."),
                     self._child_when(ctx, school or ctx.school, urgent), *parts]
        return Reply("\n\n".join(parts), ((Button(_("Yes, tell me here"), REPLY_HERE,
                                                   payload),), (tidy,)))


def _about(data: ConcernData, kid: LinkedChild) -> ConcernData:
    """The data with the child it is about, their guardian and their school filled in."""
    return replace(data, guardian=kid.guardian_id, pupil=kid.child.pupil_id,
                   forename=kid.child.forename, school=kid.school.id)

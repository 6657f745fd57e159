"""/newsession: staff arrange a live lesson, step by step, inside what the policy allows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from assistant.engine import Context, Outcome, State
from assistant.events import Button, Event, Reply
from assistant.faq.facts import contact_hours_text
from assistant.flowkit import (
    TEXT,
    StepTable,
    cancelled,
    dispatch,
    dump,
    load,
    staff_only,
    step_of,
    use_the_buttons,
)
from assistant.live.invites import Draft, Tally, create_session, preview
from assistant.live.rules import (
    EXTRA_LIMIT,
    default_recorded,
    expectations_for,
    holds_live_lessons,
    link_problem,
    one_to_one_rule,
    within_contact_hours,
)
from assistant.live.store import classes_for_staff, pupil_by_id, pupils_for
from assistant.live.text import (
    EXPECTATION_TEXT,
    full_when,
    length_text,
    when_error_text,
)
from assistant.live.when import WhenError, parse_minutes, parse_when
from assistant.models import SchoolClass
from flows.staff import staff_post

NAME = "live_arrange"
LENGTHS = (20, 30, 45, 60)

# Step buttons.
CLASS = f"{NAME}.class"
DONE = f"{NAME}.done"
ONE = f"{NAME}.one"
PUPIL = f"{NAME}.pupil"
PARENT_YES = f"{NAME}.parent_yes"
PARENT_NO = f"{NAME}.parent_no"
LENGTH = f"{NAME}.length"
PLATFORM = f"{NAME}.platform"
RECORDED = f"{NAME}.rec"
NO_EXTRA = f"{NAME}.noextra"
SEND = f"{NAME}.send"
CANCEL = f"{NAME}.cancel"

# The classes this member of staff may arrange a lesson for, by id.
Classes = dict[int | None, SchoolClass]


class Step(StrEnum):
    """The question the conversation is waiting on."""

    CLASSES = "classes"
    PUPIL = "pupil"
    PARENT = "parent"
    WHEN = "when"
    LENGTH = "length"
    PLATFORM = "platform"
    LINK = "link"
    RECORDED = "recorded"
    EXTRA = "extra"
    CONFIRM = "confirm"


@dataclass
class Arrangement:
    """The live lesson as arranged so far."""

    classes: list[int] = field(default_factory=list)
    pupil: int | None = None  # a 1-to-1 session's pupil
    parent: bool = False  # a parent or carer will be in the room (1-to-1)
    at: str = ""  # the start, ISO 8601 with its offset
    minutes: int = 0
    platform: str = ""
    link: str = ""
    recorded: bool = False
    extra: str = ""  # the teacher's own line for the families


Handler = Callable[[Context, Event, Arrangement, Classes], Outcome]


def _at(data: Arrangement) -> datetime:
    return datetime.fromisoformat(data.at)


class NewSessionFlow:
    """Asks for the class, time, length, platform, link, recording and an extra line."""

    name = NAME
    commands = frozenset({"newsession"})
    entry_actions: frozenset[str] = frozenset()

    def __init__(self) -> None:
        self.steps: StepTable[Step, Handler] = StepTable(
            states={
                Step.CLASSES: {CLASS: self._add_class, DONE: self._classes_done,
                               ONE: self._one_to_one},
                Step.PUPIL: {PUPIL: self._pupil},
                Step.PARENT: {PARENT_YES: self._parent_present, PARENT_NO: self._no_parent},
                Step.WHEN: {TEXT: self._typed_when},
                Step.LENGTH: {LENGTH: self._length, TEXT: self._length},
                Step.PLATFORM: {PLATFORM: self._platform},
                Step.LINK: {TEXT: self._link},
                Step.RECORDED: {RECORDED: self._recorded},
                Step.EXTRA: {NO_EXTRA: self._extra, TEXT: self._extra},
                Step.CONFIRM: {SEND: self._send},
            },
            fallbacks={CANCEL: self._cancel},
        )

    def handle(self, ctx: Context, event: Event, state: State | None) -> Outcome:
        """Moves the arrangement on by one step, refusing what the school's policy forbids."""
        post = staff_post(ctx)
        if post is None:
            return Outcome([staff_only(ctx._)])
        classes = {c.id: c for c in classes_for_staff(ctx.session, ctx.school.id, post)}
        if event.command or state is None:
            return self._start(ctx, classes)
        step = step_of(Step, state.step)
        handler = dispatch(self.steps, step, event)
        if handler is None:
            return Outcome([use_the_buttons(ctx._)], state)
        return handler(ctx, event, load(Arrangement, state.data), classes)

    # ------------------------------------------------------------------ replies

    def _ask(self, ctx: Context, step: Step, data: Arrangement, text: str,
             rows: list[list[Button]] | None = None, *, protect: bool = False) -> Outcome:
        rows = [*(rows or []), [Button(ctx._("Cancel"), CANCEL)]]
        reply = Reply(text, tuple(tuple(row) for row in rows), protect=protect)
        return Outcome([reply], State(NAME, step, dump(data)))

    def _hint(self, ctx: Context, step: Step, data: Arrangement) -> Outcome:
        return Outcome([use_the_buttons(ctx._)], State(NAME, step, dump(data)))

    def _cancel(self, ctx: Context, event: Event, data: Arrangement,
                classes: Classes) -> Outcome:
        """Stops without arranging anything."""
        return Outcome([cancelled(ctx._)])

    def _start(self, ctx: Context, classes: Classes) -> Outcome:
        _ = ctx._
        if not holds_live_lessons(ctx.school):
            return Outcome([Reply(_("{school}'s profile says it doesn't hold live lessons, so "
                                    "I can't arrange one.").format(school=ctx.school.name))])
        if not classes:
            return Outcome([Reply(_("Only class teachers (for their classes) and the "
                                    "headteacher can arrange live lessons, and you have no "
                                    "class on the roster."))])
        return self._ask(ctx, Step.CLASSES, Arrangement(),
                         _("Let's arrange a live lesson. Which class is it for?"),
                         self._class_rows(classes, []))

    def _class_rows(self, classes: Classes, chosen: list[int]) -> list[list[Button]]:
        buttons = [Button(c.code, CLASS, str(c.id)) for c in classes.values()
                   if c.id not in chosen]
        return [buttons[i:i + 4] for i in range(0, len(buttons), 4)]

    # ------------------------------------------------------------------ who: classes or a 1-to-1

    def _add_class(self, ctx: Context, event: Event, data: Arrangement,
                   classes: Classes) -> Outcome:
        """Adds the chosen class and offers another, carrying on, or a 1-to-1."""
        _ = ctx._
        picked = int(event.payload) if event.payload.isdigit() else None
        if picked not in classes or picked is None:
            return self._hint(ctx, Step.CLASSES, data)
        data.classes = sorted({*data.classes, picked})
        rows = self._class_rows(classes, data.classes)
        rows.append([Button(_("That's all - carry on"), DONE)])
        if len(data.classes) == 1:
            rows.append([Button(_("1-to-1 with one pupil of {code}").format(
                code=classes[data.classes[0]].code), ONE)])
        names = ", ".join(classes[c].code for c in data.classes if c in classes)
        return self._ask(ctx, Step.CLASSES, data, _("Chosen: {classes}. Add another class, or "
                                                    "carry on.").format(classes=names), rows)

    def _classes_done(self, ctx: Context, event: Event, data: Arrangement,
                      classes: Classes) -> Outcome:
        """Takes the classes chosen and asks when the lesson is."""
        if not data.classes:
            return self._hint(ctx, Step.CLASSES, data)
        return self._ask_when(ctx, data)

    def _one_to_one(self, ctx: Context, event: Event, data: Arrangement,
                    classes: Classes) -> Outcome:
        """Offers the chosen class's pupils for a 1-to-1, if the policy allows one."""
        _ = ctx._
        if len(data.classes) != 1:
            return self._hint(ctx, Step.CLASSES, data)
        if one_to_one_rule(ctx.school) == "never":
            rows = [[Button(_("That's all - carry on"), DONE)]]
            return self._ask(ctx, Step.CLASSES, data, _(
                "Sorry - {school}'s policy does not allow 1-to-1 live sessions, so I can't "
                "arrange one. You can invite the whole class instead.").format(
                school=ctx.school.name), rows)
        pupils = pupils_for(ctx.session, data.classes)
        if not pupils:
            return self._hint(ctx, Step.CLASSES, data)
        buttons = [Button(f"{p.forename} {p.surname}", PUPIL, str(p.id))
                   for p, _code in pupils[:90]]
        return self._ask(ctx, Step.PUPIL, data, _("Which pupil is the 1-to-1 with?"),
                         [buttons[i:i + 2] for i in range(0, len(buttons), 2)])

    def _pupil(self, ctx: Context, event: Event, data: Arrangement,
               classes: Classes) -> Outcome:
        """Stores the 1-to-1's pupil and asks about a parent in the room, or when it is."""
        _ = ctx._
        pupils = {str(p.id): p for p, _code in pupils_for(ctx.session, data.classes)}
        pupil = pupils.get(event.payload)
        if pupil is None:
            return self._hint(ctx, Step.PUPIL, data)
        data.pupil = pupil.id
        if one_to_one_rule(ctx.school) != "parent-present":
            return self._ask_when(ctx, data)
        return self._ask(ctx, Step.PARENT, data, _(
            "{school}'s policy allows a 1-to-1 live session only with a parent or carer in the "
            "room throughout. Will a parent or carer be with {child} for the whole "
            "session?").format(school=ctx.school.name, child=pupil.forename),
            [[Button(_("Yes, a parent or carer will be there"), PARENT_YES)],
             [Button(_("No"), PARENT_NO)]])

    def _parent_present(self, ctx: Context, event: Event, data: Arrangement,
                        classes: Classes) -> Outcome:
        """Notes that a parent or carer will be there and asks when it is."""
        data.parent = True
        return self._ask_when(ctx, data)

    def _no_parent(self, ctx: Context, event: Event, data: Arrangement,
                   classes: Classes) -> Outcome:
        """Refuses a 1-to-1 without a parent or carer, as the policy says."""
        return Outcome([Reply(ctx._(
            "Then I can't arrange it: {school}'s policy needs a parent or carer in the room "
            "for a 1-to-1 session. You could invite the whole class instead "
            "(/newsession).").format(school=ctx.school.name))])

    # ------------------------------------------------------------------ when and how long

    def _ask_when(self, ctx: Context, data: Arrangement, problem: str = "") -> Outcome:
        _ = ctx._
        ask = _("When is it? Type the day and time ({timezone} time), for example \"tue "
                "10:00\", \"24/11 14:30\" or \"tomorrow 9:30\".").format(
            timezone=ctx.school.timezone)
        return self._ask(ctx, Step.WHEN, data, f"{problem}\n\n{ask}" if problem else ask)

    def _typed_when(self, ctx: Context, event: Event, data: Arrangement,
                    classes: Classes) -> Outcome:
        """Reads the typed day and time and asks how long the lesson lasts."""
        _ = ctx._
        try:
            at = parse_when(event.text or "", now=ctx.now, tz=ctx.school.tz)
        except WhenError as error:
            return self._ask_when(ctx, data, when_error_text(error.reason, error.detail, _))
        data.at = at.isoformat()
        rows = [[Button(length_text(m, ctx.ngettext), LENGTH, str(m)) for m in LENGTHS]]
        return self._ask(ctx, Step.LENGTH, data, _(
            "{when}. How long will it last? Choose, or type it (for example \"40 min\" or "
            "\"1h\").").format(when=full_when(at, ctx.locale, ctx.school.timezone)), rows)

    def _length(self, ctx: Context, event: Event, data: Arrangement,
                classes: Classes) -> Outcome:
        """Stores the chosen or typed length, inside contact hours, and asks the platform."""
        _ = ctx._
        typed = event.payload if event.action == LENGTH else event.text
        try:
            minutes = parse_minutes(typed or "")
        except WhenError as error:
            return Outcome([Reply(when_error_text(error.reason, error.detail, _))],
                           State(NAME, Step.LENGTH, dump(data)))
        if not within_contact_hours(ctx.school, _at(data), minutes):
            data.at = ""
            return self._ask_when(ctx, data, _(
                "Sorry - that is outside {school}'s contact hours ({hours}), and the policy keeps "
                "live lessons inside them, so I can't arrange it then.").format(
                school=ctx.school.name, hours=contact_hours_text(ctx.school, ctx.locale)))
        data.minutes = minutes
        platforms = ctx.school.live.platforms
        if len(platforms) == 1:
            data.platform = platforms[0]
            return self._ask_link(ctx, data)
        rows = [[Button(name, PLATFORM, str(i))] for i, name in enumerate(platforms)]
        return self._ask(ctx, Step.PLATFORM, data, _("Which platform is it on?"), rows)

    # ------------------------------------------------------------------ the rest

    def _platform(self, ctx: Context, event: Event, data: Arrangement,
                  classes: Classes) -> Outcome:
        """Stores the chosen platform and asks for the join link."""
        platforms = ctx.school.live.platforms
        index = int(event.payload) if event.payload.isdigit() else -1
        if not 0 <= index < len(platforms):
            return self._hint(ctx, Step.PLATFORM, data)
        data.platform = platforms[index]
        return self._ask_link(ctx, data)

    def _ask_link(self, ctx: Context, data: Arrangement, problem: str = "") -> Outcome:
        ask = ctx._("Please send the join link for {platform}. It must start with https:// (or "
                    "http://). I'll send it only to the families of this session who accept the "
                    "expectations, and I never write it to a log.").format(
            platform=data.platform)
        return self._ask(ctx, Step.LINK, data, f"{problem}\n\n{ask}" if problem else ask)

    def _link(self, ctx: Context, event: Event, data: Arrangement,
              classes: Classes) -> Outcome:
        """Checks the typed join link and asks whether the lesson is recorded."""
        typed = event.text or ""
        problem = link_problem(typed)
        if problem is not None:
            return self._ask_link(ctx, data, link_problem_text(ctx, problem))
        data.link = typed.strip()
        return self._ask_recorded(ctx, data)

    def _ask_recorded(self, ctx: Context, data: Arrangement) -> Outcome:
        _ = ctx._
        rule = ctx.school.live.recorded
        note = (_("The school's policy says live lessons are recorded.") if rule else
                _("The school's policy says live lessons are not recorded.") if rule is False else
                _("The school's profile doesn't say, so the usual answer is no."))
        usual = default_recorded(ctx.school)
        mark = " " + _("(the school's rule)")
        rows = [[Button(_("Recorded") + (mark if usual else ""), RECORDED, "1")],
                [Button(_("Not recorded") + ("" if usual else mark), RECORDED, "0")]]
        return self._ask(ctx, Step.RECORDED, data,
                         _("Will the lesson be recorded?") + " " + note, rows)

    def _recorded(self, ctx: Context, event: Event, data: Arrangement,
                  classes: Classes) -> Outcome:
        """Stores whether it is recorded, shows the expectations and offers an extra line."""
        _ = ctx._
        if event.payload not in ("0", "1"):
            return self._hint(ctx, Step.RECORDED, data)
        data.recorded = event.payload == "1"
        lines = [f"• {_(EXPECTATION_TEXT[code])}" for code in expectations_for(
            ctx.school, one_to_one=data.pupil is not None)]
        lines += [f"• {line}" for line in ctx.school.live.extra_expectations]
        text = "\n".join([_("Families will be asked to agree to these expectations:"),
                          *lines, "", _("Would you like to add a line of your own for this "
                                        "session? Type it (up to {n} characters), or press "
                                        "\"No extra line\".").format(n=EXTRA_LIMIT)])
        return self._ask(ctx, Step.EXTRA, data, text, [[Button(_("No extra line"), NO_EXTRA)]])

    def _extra(self, ctx: Context, event: Event, data: Arrangement,
               classes: Classes) -> Outcome:
        """Stores the typed extra line (or none) and shows the summary to send."""
        _ = ctx._
        extra = " ".join((event.text or "").split()) if not event.action else ""
        if len(extra) > EXTRA_LIMIT:
            return Outcome([Reply(_("That's longer than {n} characters - please shorten "
                                    "it.").format(n=EXTRA_LIMIT))],
                           State(NAME, Step.EXTRA, dump(data)))
        data.extra = extra
        return self._summary(ctx, data, classes)

    def _who_text(self, ctx: Context, data: Arrangement, classes: Classes) -> str:
        _ = ctx._
        codes = ", ".join(classes[c].code for c in data.classes if c in classes)
        pupil = pupil_by_id(session=ctx.session, pupil_id=data.pupil) if data.pupil else None
        if pupil is None:
            return codes
        who = _("1-to-1 with {child} ({code})").format(
            child=f"{pupil.forename} {pupil.surname}", code=codes)
        return who + (", " + _("a parent or carer present") if data.parent else "")

    def _summary(self, ctx: Context, data: Arrangement, classes: Classes) -> Outcome:
        _ = ctx._
        tally = preview(ctx.session, ctx.school, data.classes, data.pupil)
        lines = [
            _("Please check before I send the invitations:"),
            _("For: {who}").format(who=self._who_text(ctx, data, classes)),
            _("When: {when}").format(when=full_when(_at(data), ctx.locale,
                                                    ctx.school.timezone)),
            _("How long: {length}").format(length=length_text(data.minutes, ctx.ngettext)),
            _("Platform: {platform}").format(platform=data.platform),
            _("Link: {link}").format(link=data.link),
            _("Recorded: {answer}").format(answer=_("yes") if data.recorded else _("no")),
        ]
        if data.extra:
            lines.append(_("Your extra line: {line}").format(line=data.extra))
        lines += ["", tally_text(ctx, tally)]
        return self._ask(ctx, Step.CONFIRM, data, "\n".join(lines),
                         [[Button(_("Send the invitations"), SEND)]], protect=True)

    def _send(self, ctx: Context, event: Event, data: Arrangement,
              classes: Classes) -> Outcome:
        """Arranges the session and queues its invitations, if the time still fits."""
        _ = ctx._
        at, post = _at(data), staff_post(ctx)
        if at <= ctx.now or not within_contact_hours(ctx.school, at, data.minutes):
            data.at = ""
            return self._ask_when(ctx, data, _("That time has passed or is no longer inside "
                                               "contact hours."))
        if post is None or not set(data.classes) <= set(classes):
            return Outcome([staff_only(_)])
        draft = Draft(class_ids=tuple(data.classes), starts_at=at, minutes=data.minutes,
                      platform=data.platform, link=data.link, recorded=data.recorded,
                      extra=data.extra, pupil_id=data.pupil, parent_present=data.parent)
        live, tally = create_session(session=ctx.session, school=ctx.school,
                                     staff_id=post.staff_id, draft=draft, now=ctx.now)
        return Outcome([Reply("\n".join([
            _("Done - session {id} is arranged.").format(id=live.id), tally_text(ctx, tally),
            _("Invitations go out inside contact hours. Send /sessions to see the answers, or "
              "to move or cancel it.")]))])


def tally_text(ctx: Context, tally: Tally) -> str:
    """Who the invitations reach, in a sentence or three."""
    parts = [ctx.ngettext("{n} family can accept straight away.",
                          "{n} families can accept straight away.", tally.signed).format(
        n=tally.signed)]
    if tally.unsigned:
        parts.append(ctx.ngettext(
            "{n} family must sign the online safety agreement first.",
            "{n} families must sign the online safety agreement first.",
            tally.unsigned).format(n=tally.unsigned))
    if tally.not_linked:
        parts.append(ctx.ngettext(
            "{n} pupil has no family linked to me, so won't be invited here.",
            "{n} pupils have no family linked to me, so won't be invited here.",
            tally.not_linked).format(n=tally.not_linked))
    return " ".join(parts)


def link_problem_text(ctx: Context, problem: str) -> str:
    """Why a typed link was refused."""
    _ = ctx._
    return {
        "scheme": _("That isn't a web link: it must start with https:// (or http://)."),
        "host": _("That doesn't look like a complete link."),
        "spaces": _("A link has no spaces in it - please send just the link."),
    }.get(problem) or _("That's not a link I can use (empty, or over 500 characters).")


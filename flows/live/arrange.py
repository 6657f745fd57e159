"""/newsession: staff arrange a live lesson, step by step, inside what the policy allows.

What each step asks is in flows/live/prompts.py; here is what each answer does.
"""

from __future__ import annotations

from collections.abc import Callable

from assistant.engine import Context, Outcome, State
from assistant.events import Button, Event, Reply
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
    typed_guess,
)
from assistant.live.invites import Draft, create_session
from assistant.live.rules import (
    EXTRA_LIMIT,
    holds_live_lessons,
    hours_problem,
    link_problem,
    one_to_one_rule,
)
from assistant.live.store import classes_for_staff, pupils_for
from assistant.live.text import when_error_text
from assistant.live.when import WhenError, parse_minutes, parse_when
from flows.live.prompts import (
    CANCEL,
    CLASS,
    DONE,
    LENGTH,
    NAME,
    NEW_TIME,
    NO_EXTRA,
    ONE,
    PARENT_NO,
    PARENT_YES,
    PLATFORM,
    PUPIL,
    RECORDED,
    SEND,
    Arrangement,
    Classes,
    Rows,
    Step,
    classes_prompt,
    extra_prompt,
    hours_text,
    length_prompt,
    link_problem_text,
    link_prompt,
    parent_prompt,
    platform_prompt,
    pupil_prompt,
    recorded_prompt,
    reply,
    summary,
    tally_text,
    when_prompt,
)
from flows.staff import staff_post

__all__ = ["NAME", "NewSessionFlow"]

Handler = Callable[[Context, Event, Arrangement, Classes], Outcome]
# Words a question starts with: an extra line starting so, or ending "?", may be a question.
QUESTION_WORDS = frozenset({"can", "could", "do", "does", "how", "is", "are", "should", "what",
                            "when", "where", "who", "why", "will", "would"})


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
                Step.LENGTH: {LENGTH: self._length, TEXT: self._length,
                              NEW_TIME: self._new_time},
                Step.PLATFORM: {PLATFORM: self._platform},
                Step.LINK: {TEXT: self._link},
                Step.RECORDED: {RECORDED: self._recorded},
                Step.EXTRA: {NO_EXTRA: self._extra, TEXT: self._extra},
                Step.CONFIRM: {SEND: self._send, NEW_TIME: self._new_time},
            },
            fallbacks={CANCEL: self._cancel},
        )

    def handle(self, ctx: Context, event: Event, state: State | None) -> Outcome:
        """Moves the arrangement on by one step, refusing what the school's policy forbids."""
        post = staff_post(ctx)
        if post is None:
            return Outcome([staff_only(ctx._)])
        classes = self._classes(ctx)
        if event.command or state is None:
            return self._start(ctx, classes)
        handler = dispatch(self.steps, step_of(Step, state.step), event)
        if handler is None:
            return off_step(ctx._, event, state, self.step_replies(ctx, state))
        return handler(ctx, event, load(Arrangement, state.data), classes)

    def step_replies(self, ctx: Context, state: State) -> list[Reply]:
        """The question the arrangement is waiting on, asked again with its buttons."""
        data = load(Arrangement, state.data)
        step = step_of(Step, state.step)
        if step is None or staff_post(ctx) is None:
            return []
        return [self._prompt(ctx, step, data, self._classes(ctx))]

    # ------------------------------------------------------------------ replies

    def _classes(self, ctx: Context) -> Classes:
        post = staff_post(ctx)
        if post is None:
            return {}
        return {c.id: c for c in classes_for_staff(ctx.session, ctx.school.id, post)}

    def _prompt(self, ctx: Context, step: Step, data: Arrangement, classes: Classes) -> Reply:
        prompts: dict[Step, Callable[[], Reply]] = {
            Step.CLASSES: lambda: classes_prompt(ctx, data, classes),
            Step.PUPIL: lambda: pupil_prompt(ctx, data),
            Step.PARENT: lambda: parent_prompt(ctx, data),
            Step.WHEN: lambda: when_prompt(ctx),
            Step.LENGTH: lambda: length_prompt(ctx, data),
            Step.PLATFORM: lambda: platform_prompt(ctx),
            Step.LINK: lambda: link_prompt(ctx, data),
            Step.RECORDED: lambda: recorded_prompt(ctx),
            Step.EXTRA: lambda: extra_prompt(ctx, data),
            Step.CONFIRM: lambda: summary(ctx, data, classes),
        }
        return prompts[step]()

    def _ask(self, ctx: Context, step: Step, data: Arrangement, classes: Classes) -> Outcome:
        """Moves on to a step and asks its question."""
        return Outcome([self._prompt(ctx, step, data, classes)], State(NAME, step, dump(data)))

    def _again(self, step: Step, data: Arrangement, *replies: Reply) -> Outcome:
        """Stays at a step, its question asked again after what was wrong; typed words that
        were a question the FAQ answers are answered instead."""
        return Outcome(list(replies), State(NAME, step, dump(data)), maybe_question=True)

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
        return self._ask(ctx, Step.CLASSES, Arrangement(), classes)

    # ------------------------------------------------------------------ who: classes or a 1-to-1

    def _add_class(self, ctx: Context, event: Event, data: Arrangement,
                   classes: Classes) -> Outcome:
        """Adds the chosen class and offers another, carrying on, or a 1-to-1."""
        picked = int(event.payload) if event.payload.isdigit() else None
        if picked not in classes or picked is None:
            return self._ask(ctx, Step.CLASSES, data, classes)
        data.classes = sorted({*data.classes, picked})
        return self._ask(ctx, Step.CLASSES, data, classes)

    def _classes_done(self, ctx: Context, event: Event, data: Arrangement,
                      classes: Classes) -> Outcome:
        """Takes the classes chosen and asks when the lesson is."""
        if not data.classes:
            return self._ask(ctx, Step.CLASSES, data, classes)
        return self._ask(ctx, Step.WHEN, data, classes)

    def _one_to_one(self, ctx: Context, event: Event, data: Arrangement,
                    classes: Classes) -> Outcome:
        """Offers the chosen class's pupils for a 1-to-1, if the policy allows one."""
        _ = ctx._
        if len(data.classes) != 1:
            return self._ask(ctx, Step.CLASSES, data, classes)
        if one_to_one_rule(ctx.school) == "never":
            rows: Rows = [[Button(_("That's all - carry on"), DONE)]]
            return Outcome([reply(ctx, _(
                "Sorry - {school}'s policy does not allow 1-to-1 live sessions, so I can't "
                "arrange one. You can invite the whole class instead.").format(
                school=ctx.school.name), rows)], State(NAME, Step.CLASSES, dump(data)))
        if not pupils_for(ctx.session, data.classes):
            return self._ask(ctx, Step.CLASSES, data, classes)
        return self._ask(ctx, Step.PUPIL, data, classes)

    def _pupil(self, ctx: Context, event: Event, data: Arrangement,
               classes: Classes) -> Outcome:
        """Stores the 1-to-1's pupil and asks about a parent in the room, or when it is."""
        pupils = {str(p.id): p for p, _code in pupils_for(ctx.session, data.classes)}
        pupil = pupils.get(event.payload)
        if pupil is None:
            return self._ask(ctx, Step.PUPIL, data, classes)
        data.pupil = pupil.id
        if one_to_one_rule(ctx.school) != "parent-present":
            return self._ask(ctx, Step.WHEN, data, classes)
        return self._ask(ctx, Step.PARENT, data, classes)

    def _parent_present(self, ctx: Context, event: Event, data: Arrangement,
                        classes: Classes) -> Outcome:
        """Notes that a parent or carer will be there and asks when it is."""
        data.parent = True
        return self._ask(ctx, Step.WHEN, data, classes)

    def _no_parent(self, ctx: Context, event: Event, data: Arrangement,
                   classes: Classes) -> Outcome:
        """Refuses a 1-to-1 without a parent or carer, as the policy says."""
        return Outcome([Reply(ctx._(
            "Then I can't arrange it: {school}'s policy needs a parent or carer in the room "
            "for a 1-to-1 session. You could invite the whole class instead "
            "(/newsession).").format(school=ctx.school.name))])

    # ------------------------------------------------------------------ when and how long

    def _typed_when(self, ctx: Context, event: Event, data: Arrangement,
                    classes: Classes) -> Outcome:
        """Reads the typed day and time, checks the school is open then, and asks how long
        the lesson lasts (warning if families would hear of it too late)."""
        _ = ctx._
        try:
            at = parse_when(event.text or "", now=ctx.now, tz=ctx.school.tz,
                            locale=ctx.locale)
        except WhenError as error:
            return self._again(Step.WHEN, data, when_prompt(
                ctx, when_error_text(error.reason, error.detail, _)))
        problem = hours_problem(ctx.school, at)
        if problem is not None:
            return self._again(Step.WHEN, data, when_prompt(
                ctx, hours_text(ctx, problem.reason, problem.name, at)))
        data.at = at.isoformat()
        return self._ask(ctx, Step.LENGTH, data, classes)

    def _new_time(self, ctx: Context, event: Event, data: Arrangement,
                  classes: Classes) -> Outcome:
        """Goes back to ask for another day and time."""
        data.at = ""
        return self._ask(ctx, Step.WHEN, data, classes)

    def _length(self, ctx: Context, event: Event, data: Arrangement,
                classes: Classes) -> Outcome:
        """Stores the chosen or typed length, inside contact hours, and asks the platform."""
        _ = ctx._
        typed = event.payload if event.action == LENGTH else event.text
        try:
            minutes = parse_minutes(typed or "")
        except WhenError as error:
            if event.action is None and _is_a_time(ctx, typed or ""):
                return self._typed_when(ctx, event, data, classes)  # another time, typed
            return self._again(Step.LENGTH, data, length_prompt(
                ctx, data, when_error_text(error.reason, error.detail, _)))
        problem = hours_problem(ctx.school, data.starts_at, minutes)
        if problem is not None:
            return self._again(Step.LENGTH, data, length_prompt(
                ctx, data, hours_text(ctx, problem.reason, problem.name, data.starts_at,
                                      minutes)))
        data.minutes = minutes
        platforms = ctx.school.live.platforms
        if len(platforms) == 1:
            data.platform = platforms[0]
            return self._ask(ctx, Step.LINK, data, classes)
        return self._ask(ctx, Step.PLATFORM, data, classes)

    # ------------------------------------------------------------------ the rest

    def _platform(self, ctx: Context, event: Event, data: Arrangement,
                  classes: Classes) -> Outcome:
        """Stores the chosen platform and asks for the join link."""
        platforms = ctx.school.live.platforms
        index = int(event.payload) if event.payload.isdigit() else -1
        if not 0 <= index < len(platforms):
            return self._ask(ctx, Step.PLATFORM, data, classes)
        data.platform = platforms[index]
        return self._ask(ctx, Step.LINK, data, classes)

    def _link(self, ctx: Context, event: Event, data: Arrangement,
              classes: Classes) -> Outcome:
        """Checks the typed join link and asks whether the lesson is recorded."""
        typed = event.text or ""
        problem = link_problem(typed)
        if problem is not None:
            return self._again(Step.LINK, data, link_prompt(
                ctx, data, link_problem_text(ctx, problem)))
        data.link = typed.strip()
        return self._ask(ctx, Step.RECORDED, data, classes)

    def _recorded(self, ctx: Context, event: Event, data: Arrangement,
                  classes: Classes) -> Outcome:
        """Stores whether it is recorded, shows the expectations and offers an extra line."""
        if event.payload not in ("0", "1"):
            return self._ask(ctx, Step.RECORDED, data, classes)
        data.recorded = event.payload == "1"
        return self._ask(ctx, Step.EXTRA, data, classes)

    def _extra(self, ctx: Context, event: Event, data: Arrangement,
               classes: Classes) -> Outcome:
        """Stores the typed extra line (or none) and shows the summary to send."""
        _ = ctx._
        extra = " ".join((event.text or "").split()) if not event.action else ""
        if len(extra) > EXTRA_LIMIT:
            return self._again(Step.EXTRA, data, Reply(_(
                "That's longer than {n} characters - please shorten it.").format(
                n=EXTRA_LIMIT)), extra_prompt(ctx, data))
        data.extra = extra
        shown = self._ask(ctx, Step.CONFIRM, data, classes)
        return typed_guess(shown) if _may_be_question(extra) else shown

    def _send(self, ctx: Context, event: Event, data: Arrangement,
              classes: Classes) -> Outcome:
        """Arranges the session and queues its invitations, if the time still fits."""
        _ = ctx._
        at, post = data.starts_at, staff_post(ctx)
        if at <= ctx.now:
            data.at = ""
            return Outcome([when_prompt(ctx, _("That time has passed."))],
                           State(NAME, Step.WHEN, dump(data)))
        problem = hours_problem(ctx.school, at, data.minutes)
        if problem is not None:
            data.at = ""
            return Outcome([when_prompt(ctx, hours_text(ctx, problem.reason, problem.name, at,
                                                        data.minutes))],
                           State(NAME, Step.WHEN, dump(data)))
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


def _is_a_time(ctx: Context, typed: str) -> bool:
    """Whether typed words are a day and time (a new time typed at the length step)."""
    try:
        parse_when(typed, now=ctx.now, tz=ctx.school.tz, locale=ctx.locale)
    except WhenError:
        return False
    return True


def _may_be_question(text: str) -> bool:
    """Whether a typed extra line may be a question to the assistant instead."""
    words = text.lower().split()
    return text.endswith("?") or (bool(words) and words[0] in QUESTION_WORDS)

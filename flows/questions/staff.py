"""Staff answer families' questions in the chat: reply (with an FAQ entry), pass on, or close."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from assistant.engine import Context, Outcome, State, expired_reply
from assistant.events import Button, Event, Reply
from assistant.faq.alternates import add_candidate
from assistant.faq.content import Entry, render
from assistant.flowkit import (
    TEXT,
    StepTable,
    cancelled,
    dispatch,
    dump,
    load,
    off_step,
    payload_buttons,
    staff_only,
    step_of,
)
from assistant.hours import is_open, next_open
from assistant.i18n import when_text
from assistant.models import QuestionStatus, SchoolQuestion, Staff
from assistant.people.identity import staff_member
from assistant.questions.service import (
    MAX_ANSWER,
    QuestionActions,
    answer_question,
    answered_by_name,
    answered_elsewhere,
    open_questions_for,
    pass_to_office,
    question_by_reference,
    staff_message,
    summary,
    visible_to,
)
from assistant.schools import School
from flows.staff import post_at, staff_posts

NAME = "questions_staff"
# The buttons on every question put in front of staff.
ACTIONS = QuestionActions(reply=f"{NAME}.reply", pass_on=f"{NAME}.pass",
                          elsewhere=f"{NAME}.elsewhere")
SHOW = f"{NAME}.show"
# Step buttons while replying: an FAQ entry that answers it, send that entry alone, stop.
ENTRY = f"{NAME}.entry"
ALONE = f"{NAME}.alone"
STOP = f"{NAME}.stop"
SUGGESTIONS = 3


class Step(StrEnum):
    """What the conversation is waiting on."""

    REPLY = "reply"  # the typed answer to a question (or an FAQ entry that answers it)


@dataclass
class ReplyData:
    """The question being answered, by its reference, and the FAQ entry chosen for it."""

    ref: str = ""
    entry: str = ""


Handler = Callable[[Context, Event, ReplyData, Staff], Outcome]


class QuestionStaffFlow:
    """What a member of staff does with a family's question sent to them."""

    name = NAME
    commands = frozenset({"questions"})
    entry_actions = frozenset({ACTIONS.reply, ACTIONS.pass_on, ACTIONS.elsewhere, SHOW})
    # A typed answer may itself mention danger ("if a child is hurt, call 999"): it still
    # gets the help, and it is still taken as the answer.
    danger_steps = frozenset({"reply"})

    def __init__(self) -> None:
        self.steps: StepTable[Step, Handler] = StepTable(
            states={
                Step.REPLY: {TEXT: self._typed, ENTRY: self._entry, ALONE: self._alone,
                             STOP: self._stop},
            },
        )

    def handle(self, ctx: Context, event: Event, state: State | None) -> Outcome:
        """Acts on a question's button, lists open questions, or takes a typed answer."""
        _ = ctx._
        members = [m for m in (staff_member(session=ctx.session, staff_id=p.staff_id)
                               for p in staff_posts(ctx)) if m is not None]
        if not members:
            return Outcome([staff_only(_)])
        if event.command == "questions" or (event.action is None and state is None):
            return Outcome([self._list(ctx, members)])
        if state is not None:
            handler = dispatch(self.steps, step_of(Step, state.step), event)
            if handler is not None:
                data = load(ReplyData, state.data)
                return handler(ctx, event, data, self._member_for(ctx, members, data.ref))
            if event.action is None or event.action not in self.entry_actions:
                return off_step(_, event, state, self.step_replies(ctx, state))
        # The rest are a question's own buttons, which work whatever the conversation, and
        # act at the school the question belongs to.
        question = question_by_reference(session=ctx.session, reference=event.payload)
        me = next((m for m in members if question and m.school_id == question.school_id),
                  None)
        if question is None or me is None or not visible_to(ctx.session, question, me):
            return Outcome([Reply(_("Sorry, that question isn't one you can see."))])
        if event.action == SHOW:
            payload = staff_message(ctx.session, question, _("Question from a family"),
                                    actions=ACTIONS, locale=ctx.locale)
            text = str(payload["text"]) + "\n\n" + _("Status: {status}").format(
                status=question.status)
            return Outcome([Reply(text, payload_buttons(payload), protect=True)])
        if question.status != QuestionStatus.OPEN:
            return Outcome([self._done_already(ctx, question)])
        school = ctx.schools[question.school_id]
        if event.action == ACTIONS.reply:
            replying = State(NAME, Step.REPLY, dump(ReplyData(ref=question.reference)))
            return Outcome(self.step_replies(ctx, replying), replying)
        if event.action == ACTIONS.pass_on:
            return Outcome([self._pass(ctx, me, question, school)])
        if event.action == ACTIONS.elsewhere:
            told = answered_elsewhere(session=ctx.session, school=school, question=question,
                                      staff=me, now=ctx.now)
            return Outcome([Reply(_("Marked as answered elsewhere.") + " " + (
                _("The family will be told, inside contact hours.") if told else
                _("The family has since left the assistant, so they can't be told here.")))])
        return Outcome([expired_reply(_)])

    def step_replies(self, ctx: Context, state: State) -> list[Reply]:
        """The request for the answer, with the FAQ entries that may already answer it."""
        _ = ctx._
        data = load(ReplyData, state.data)
        question = question_by_reference(session=ctx.session, reference=data.ref)
        entries = self._entries(ctx, question.locale if question else ctx.locale)
        if data.entry and data.entry in entries:
            return [Reply(_("The family will also get the FAQ answer \u201c{entry}\u201d. Type "
                            "your answer to {ref} now, or send the FAQ answer alone.").format(
                entry=entries[data.entry].question, ref=data.ref),
                ((Button(_("Send the FAQ answer alone"), ALONE, data.entry),),
                 (Button(_("Cancel"), STOP, data.ref),)))]
        rows: list[tuple[Button, ...]] = []
        if question is not None:
            matcher = ctx.services.matcher(question.locale)
            ranked = matcher.scores(question.text)[:SUGGESTIONS]
            rows = [(Button(_("FAQ: {question}").format(
                question=matcher.entries[i].question), ENTRY, matcher.entries[i].id),)
                for _score, i in ranked]
        rows.append((Button(_("Cancel"), STOP, data.ref),))
        text = _("Type your answer to {ref}. It goes to the family exactly as you type it, "
                 "inside contact hours, with the reference. If an FAQ answer below says it, "
                 "choose it and the family gets that too.").format(ref=data.ref)
        if question is not None:
            text += "\n\n" + _("They asked: \u201c{question}\u201d").format(question=question.text)
        return [Reply(text, tuple(rows))]

    def _entries(self, ctx: Context, locale: str) -> dict[str, Entry]:
        return {e.id: e for e in ctx.services.matcher(locale).entries}

    def _question(self, ctx: Context, data: ReplyData, me: Staff) -> SchoolQuestion | None:
        question = question_by_reference(session=ctx.session, reference=data.ref,
                                         school_id=me.school_id)
        if question is None or not visible_to(ctx.session, question, me):
            return None
        return question

    def _typed(self, ctx: Context, event: Event, data: ReplyData, me: Staff) -> Outcome:
        """Sends the typed answer (and the chosen FAQ entry) to the family."""
        _ = ctx._
        answer = (event.text or "").strip()
        if not answer or len(answer) > MAX_ANSWER:
            return Outcome([Reply(_("Please type an answer of up to {n} characters.").format(
                n=MAX_ANSWER))], State(NAME, Step.REPLY, dump(data)))
        return self._send(ctx, data, me, answer)

    def _entry(self, ctx: Context, event: Event, data: ReplyData, me: Staff) -> Outcome:
        """Notes the FAQ entry that answers the question and asks for the typed answer."""
        question = self._question(ctx, data, me)
        if question is None or event.payload not in self._entries(ctx, question.locale):
            return Outcome([expired_reply(ctx._)])
        data.entry = event.payload
        state = State(NAME, Step.REPLY, dump(data))
        return Outcome(self.step_replies(ctx, state), state)

    def _alone(self, ctx: Context, event: Event, data: ReplyData, me: Staff) -> Outcome:
        """Sends the chosen FAQ entry with no words of staff's own."""
        if not data.entry or event.payload != data.entry:
            return Outcome([expired_reply(ctx._)], State(NAME, Step.REPLY, dump(data)))
        return self._send(ctx, data, me, "")

    def _stop(self, ctx: Context, event: Event, data: ReplyData, me: Staff) -> Outcome:
        """Stops replying; the question stays open."""
        return Outcome([cancelled(ctx._)])

    def _send(self, ctx: Context, data: ReplyData, me: Staff, answer: str) -> Outcome:
        _ = ctx._
        question = self._question(ctx, data, me)
        if question is None:
            return Outcome([expired_reply(_)])
        if question.status != QuestionStatus.OPEN:
            return Outcome([self._done_already(ctx, question)])
        school = ctx.schools[question.school_id]
        entry = self._entries(ctx, question.locale).get(data.entry) if data.entry else None
        entry_text = render(entry, school, question.locale) if entry else ""
        told = answer_question(session=ctx.session, school=school, question=question, staff=me,
                               answer=answer, entry_text=entry_text,
                               entry_id=entry.id if entry else "", now=ctx.now)
        if entry is not None:
            add_candidate(session=ctx.session, school_id=school.id, locale=question.locale,
                          entry_id=entry.id, question=question.text, now=ctx.now)
        if not told:
            return Outcome([Reply(_("Recorded as answered. The family has since left the "
                                    "assistant, so it can't reach them here."))])
        lines = [_("Sent to the family with reference {ref}.").format(ref=question.reference),
                 self._when(ctx, school)]
        if entry is not None:
            lines.append(_("Their question is now a candidate wording for that FAQ answer; "
                           "the school's admin can accept it (faq candidates)."))
        return Outcome([Reply("\n".join(lines))])

    def _when(self, ctx: Context, school: School) -> str:
        _ = ctx._
        if is_open(school, ctx.now):
            return _("The school is open now, so it goes straight away.")
        return _("The school is closed now, so it goes at {when}.").format(
            when=when_text(next_open(school, ctx.now), ctx.locale, school.timezone))

    def _pass(self, ctx: Context, me: Staff, question: SchoolQuestion, school: School) -> Reply:
        _ = ctx._
        targets = pass_to_office(session=ctx.session, school=school, question=question,
                                 staff=me, now=ctx.now, actions=ACTIONS)
        if not targets:
            return Reply(_("There is nobody else linked at the {office} or the {head} to pass "
                           "this to; please answer it or speak to them.").format(
                office=school.roles["office"], head=school.roles["head"]))
        return Reply(_("Passed to {who}.").format(who=", ".join(t.name for t in targets)))

    def _done_already(self, ctx: Context, question: SchoolQuestion) -> Reply:
        _ = ctx._
        who = answered_by_name(ctx.session, question)
        if question.status == QuestionStatus.ELSEWHERE:
            return Reply(_("This question was already marked as answered elsewhere{by}.").format(
                by=_(" by {name}").format(name=who) if who else ""))
        return Reply(_("This question has already been answered{by}.").format(
            by=_(" by {name}").format(name=who) if who else ""))

    @staticmethod
    def _member_for(ctx: Context, members: list[Staff], reference: str) -> Staff:
        """The user's post at the school of the question a step is about."""
        question = question_by_reference(session=ctx.session, reference=reference)
        return post_at(members, question.school_id if question else None)

    def _list(self, ctx: Context, members: list[Staff]) -> Reply:
        _ = ctx._
        waiting = sorted((q for me in members
                          for q in open_questions_for(session=ctx.session, staff=me)),
                         key=lambda q: (q.created_at, q.id or 0))
        if not waiting:
            return Reply(_("There are no open questions for you."))
        lines = [_("Open questions, oldest first:")]
        rows: list[tuple[Button, ...]] = []
        for question in waiting[:20]:
            school = ctx.schools.get(question.school_id, ctx.school)
            s = summary(ctx.session, question)
            asked = when_text(question.created_at, ctx.locale, school.timezone)
            lines.append(f"- {s.reference} · {asked} · {s.child or '-'} {s.class_code} · "
                         f"{s.text[:80]}")
            rows.append((Button(_("Open {ref}").format(ref=s.reference), SHOW, s.reference),))
        if len(waiting) > 20:
            lines.append(_("...and {n} more.").format(n=len(waiting) - 20))
        return Reply("\n".join(lines), tuple(rows))


"""Free-text questions: answered from the FAQ, "did you mean", or offered to the school."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from assistant.engine import Context, Outcome, State, expired_reply
from assistant.events import Button, Event, Reply
from assistant.faq.content import Entry, render
from assistant.faq.facts import placeholders
from assistant.faq.matcher import Match
from assistant.faq.matcher import Outcome as Verdict
from assistant.faq.unanswered import KEEP_CHARS, record_unanswered
from assistant.flowkit import StepTable, dispatch, dump, load, step_of

NAME = "questions"

# Entry button: one FAQ answer (a suggestion, or "see also").
SHOW = f"{NAME}.show"
# Step buttons, under an answer or an offer to ask the school.
NO_HELP = f"{NAME}.nohelp"
PASS = f"{NAME}.pass"
DROP = f"{NAME}.drop"


class Step(StrEnum):
    """Where the questions flow is."""

    ASKED = "asked"  # a question was answered, or offered to the school


# How many recent questions the buttons under their answers can still name.
RECENT = 5


@dataclass
class Asked:
    """The question last asked (cut to what is kept) and the FAQ entry shown for it, and the
    last few before it: typing a new question keeps the buttons under older answers working,
    each naming its question by number."""

    question: str = ""
    entry: str = ""
    number: int = 0
    # number -> [question, entry] for the last few questions, this one included.
    recent: dict[str, list[str]] = field(default_factory=dict)

    def ask(self, question: str) -> None:
        """Makes `question` the current one, remembered under the next number."""
        self.number += 1
        self.question, self.entry = question, ""
        self.recent[str(self.number)] = [question, ""]
        for old in sorted(self.recent, key=int)[:-RECENT]:
            del self.recent[old]

    def show(self, entry: str) -> None:
        """Notes the FAQ entry shown for the current question."""
        self.entry = entry
        if str(self.number) in self.recent:
            self.recent[str(self.number)][1] = entry

    def named(self, payload: str) -> Asked:
        """The question a button names by number (the current one for older buttons)."""
        question, entry = self.recent.get(payload, [self.question, self.entry])
        return Asked(question, entry, int(payload) if payload in self.recent else self.number,
                     self.recent)


Handler = Callable[[Context, Event, Asked], Outcome]


class QuestionsFlow:
    """Answers what families type, and keeps what it could not answer for staff to see."""

    name = NAME
    commands = frozenset({"faq"})
    entry_actions = frozenset({SHOW})

    def __init__(self) -> None:
        self.steps: StepTable[Step, Handler] = StepTable(
            states={
                Step.ASKED: {NO_HELP: self._no_help, PASS: self._pass_on, DROP: self._drop},
            },
        )

    def handle(self, ctx: Context, event: Event, state: State | None) -> Outcome:
        """Routes a question, a suggestion tap, or an "ask the school" answer."""
        if event.action == SHOW:
            return self._show(ctx, event.payload, state)
        if event.action is not None:
            return self._follow_up(ctx, event, state)
        if event.attachments and not (event.text or "").strip():
            _ = ctx._
            return Outcome([Reply(_("I can only read typed messages here - please type your "
                                    "question. To send a picture to the school with a concern, "
                                    "use /concern."))], state)
        if event.command == "faq":
            if event.argument:
                return self._ask(ctx, event.argument, state)
            _ = ctx._
            return Outcome([Reply(_("Type your question in your own words and I'll look it up "
                                    "in {school}'s policy.").format(school=ctx.school.name))],
                           state)
        return self._ask(ctx, event.text or "", state)

    def aside(self, ctx: Context, text: str) -> Reply | None:
        """The answer to a question typed in the middle of another flow, if the FAQ has one
        outright; its buttons are ones that work from anywhere."""
        match: Match = ctx.services.matcher(ctx.locale).match(text.strip())
        if match.outcome is not Verdict.ANSWER or match.entry is None:
            return None
        return self._answer(ctx, match.entry, asked=None)

    def _entries(self, ctx: Context) -> dict[str, Entry]:
        return {e.id: e for e in ctx.services.matcher(ctx.locale).entries}

    def _ask(self, ctx: Context, question: str, state: State | None) -> Outcome:
        # The engine has already read the question for danger; a flagged one never gets here.
        return self._answer_question(ctx, question.strip(), state)

    def _answer_question(self, ctx: Context, question: str, state: State | None) -> Outcome:
        _ = ctx._
        match: Match = ctx.services.matcher(ctx.locale).match(question)
        if match.outcome is Verdict.SMALL_TALK:
            # Nothing to remember: the buttons under earlier answers keep working.
            return Outcome([Reply(_("Hello! Ask me anything about staying safe online, remote "
                                    "learning or live lessons at {school}, in your own words."
                                    ).format(school=ctx.school.name))], state)
        asked = load(Asked, state.data) if state is not None else Asked()
        asked.ask(question[:KEEP_CHARS])
        if match.outcome is Verdict.ANSWER and match.entry is not None:
            asked.show(match.entry.id)
            return Outcome([self._answer(ctx, match.entry, asked)],
                           State(NAME, Step.ASKED, dump(asked)))
        if match.outcome is Verdict.SUGGEST:
            self._keep(ctx, question, "unsure")
            rows = [(Button(s.question, SHOW, s.id),) for s in match.suggestions]
            rows.append((Button(_("None of these - ask the school"), PASS, str(asked.number)),))
            return Outcome([Reply(_("I'm not sure I understood. Did you mean one of these?"),
                                  tuple(rows))], State(NAME, Step.ASKED, dump(asked)))
        self._keep(ctx, question, "unanswered")
        return Outcome([self._offer(ctx, asked)], State(NAME, Step.ASKED, dump(asked)))

    def _answer(self, ctx: Context, entry: Entry, asked: Asked | None) -> Reply:
        """An FAQ answer with its buttons; "This didn't help" only where a question was asked
        in this flow (it needs the question, kept in its state)."""
        _ = ctx._
        text = render(entry, ctx.school, ctx.locale)
        entries = self._entries(ctx)
        rows = [
            (Button(_("See also: {question}").format(question=entries[other].question),
                    SHOW, other),)
            for other in entry.see_also[:2]
            if other in entries
        ]
        if entry.offer == "concern":
            rows.insert(0, (Button(_("Tell the school about this"), "concerns_family.start"),))
        elif entry.offer == "agreement":
            rows.insert(0, (Button(_("Sign the agreement"), "agreements_family.start"),))
        if asked is not None:
            rows.append((Button(_("This didn't help"), NO_HELP, str(asked.number)),))
        return Reply(text, tuple(rows))

    def _offer(self, ctx: Context, asked: Asked) -> Reply:
        _ = ctx._
        number = str(asked.number)
        return Reply(
            _("I don't have an answer to that in {school}'s policy, and I'd rather not guess. "
              "Shall I pass your question to the school?").format(school=ctx.school.name),
            ((Button(_("Yes, ask the school"), PASS, number),
              Button(_("No, thanks"), DROP, number)),),
        )

    def _show(self, ctx: Context, entry_id: str, state: State | None) -> Outcome:
        entry = self._entries(ctx).get(entry_id)
        if entry is None:
            return Outcome([expired_reply(ctx._)], state)
        asked = load(Asked, state.data) if state is not None else Asked()
        if not asked.number:
            asked.ask("")
        asked.show(entry.id)
        return Outcome([self._answer(ctx, entry, asked)], State(NAME, Step.ASKED, dump(asked)))

    def _follow_up(self, ctx: Context, event: Event, state: State | None) -> Outcome:
        assert state is not None  # the engine only routes step buttons with their state
        handler = dispatch(self.steps, step_of(Step, state.step), event)
        if handler is None:
            return Outcome([expired_reply(ctx._)], state)
        return handler(ctx, event, load(Asked, state.data))

    def _no_help(self, ctx: Context, event: Event, asked: Asked) -> Outcome:
        """Keeps the question the answer didn't help with and offers to ask the school."""
        named = asked.named(event.payload)
        self._keep(ctx, named.question, "didnt-help")
        return Outcome([self._offer(ctx, named)], State(NAME, Step.ASKED, dump(asked)))

    def _pass_on(self, ctx: Context, event: Event, asked: Asked) -> Outcome:
        """Passes the question to the school's staff and says how to get a reply."""
        _ = ctx._
        self._keep(ctx, asked.named(event.payload).question, "passed-on")
        office = placeholders(ctx.school, ctx.locale)["office_contact"]
        return Outcome([Reply(
            _("Thank you - I've passed your question to {school}'s staff, who use these "
              "questions to improve my answers. If you need a reply, please contact "
              "{office} during contact hours.").format(school=ctx.school.name, office=office)
        )])

    def _drop(self, ctx: Context, event: Event, asked: Asked) -> Outcome:
        """Lets the question go."""
        return Outcome([Reply(ctx._("No problem. Ask me something else whenever you like."))])

    def _keep(self, ctx: Context, question: str, reason: str) -> None:
        if not question:
            return
        record_unanswered(session=ctx.session, school_id=ctx.school.id, locale=ctx.locale,
                          text=question, reason=reason)

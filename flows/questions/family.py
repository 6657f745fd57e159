"""Free-text questions: answered from the FAQ, "did you mean", or asked of the school's staff."""

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
from assistant.hours import is_open, next_open
from assistant.i18n import when_text
from assistant.people.identity import LinkedChild, family_schools, identity_of, linked_children
from assistant.questions.service import ask_school
from assistant.safety.reports import own_report
from flows.questions.staff import ACTIONS as STAFF_ACTIONS

NAME = "questions"

# Entry button: one FAQ answer (a suggestion, or "see also").
SHOW = f"{NAME}.show"
# Entry button under the help for a message the danger check was unsure of: the message
# (a danger report's id) answered as the question it was, once its sender says so.
ANSWER = f"{NAME}.answer"
# Step buttons, under an answer or an offer to ask the school.
NO_HELP = f"{NAME}.nohelp"
PASS = f"{NAME}.pass"
DROP = f"{NAME}.drop"
# Which child a question to the school is about ("0": none in particular).
ABOUT = f"{NAME}.about"


class Step(StrEnum):
    """Where the questions flow is."""

    ASKED = "asked"  # a question was answered, or offered to the school
    ABOUT = "about"  # asking the school: which child the question is about


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
    # The number of the question being sent to the school, while the family says which
    # child it is about.
    sending: int = 0

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
    """Answers what families type; what the FAQ can't answer, staff can, in the chat."""

    name = NAME
    commands = frozenset({"faq"})
    entry_actions = frozenset({SHOW, ANSWER})

    def __init__(self) -> None:
        self.steps: StepTable[Step, Handler] = StepTable(
            states={
                Step.ASKED: {NO_HELP: self._no_help, PASS: self._pass_on, DROP: self._drop},
                Step.ABOUT: {ABOUT: self._about, NO_HELP: self._no_help, PASS: self._pass_on,
                             DROP: self._drop},
            },
        )

    def handle(self, ctx: Context, event: Event, state: State | None) -> Outcome:
        """Routes a question, a suggestion tap, or an "ask the school" answer."""
        if event.action == SHOW:
            return self._show(ctx, event.payload, state)
        if event.action == ANSWER:
            return self._answer_flagged(ctx, event.payload, state)
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
        match = self._match(ctx, text.strip())
        if match.outcome is not Verdict.ANSWER or match.entry is None:
            return None
        return self._answer(ctx, match.entry, asked=None)

    def _match(self, ctx: Context, question: str) -> Match:
        """The school's own accepted phrasings first, then the FAQ's classifier."""
        own = ctx.phrasings.answer(session=ctx.session, school_id=ctx.school.id,
                                   locale=ctx.locale, question=question,
                                   revision=ctx.phrasings_revision)
        entry = self._entries(ctx).get(own) if own else None
        if entry is not None:
            return Match(Verdict.ANSWER, 100, entry)
        return ctx.services.matcher(ctx.locale).match(question)

    def _entries(self, ctx: Context) -> dict[str, Entry]:
        return {e.id: e for e in ctx.services.matcher(ctx.locale).entries}

    def _ask(self, ctx: Context, question: str, state: State | None) -> Outcome:
        # The engine has already read the question for danger; a flagged one gets here only
        # through its sender's "Answer it as a question" (_answer_flagged).
        return self._answer_question(ctx, question.strip(), state)

    def _answer_flagged(self, ctx: Context, report_id: str, state: State | None) -> Outcome:
        """A message the danger check flagged, answered as a question: its sender has seen the
        help and says it wasn't about a child's safety. The urgent button above still works."""
        assert ctx.account.id is not None
        report = own_report(session=ctx.session, account_id=ctx.account.id,
                            report_id=report_id)
        if report is None or not report.text.strip():
            return Outcome([expired_reply(ctx._)], state)
        return self._answer_question(ctx, report.text.strip(), state)

    def _answer_question(self, ctx: Context, question: str, state: State | None) -> Outcome:
        _ = ctx._
        match = self._match(ctx, question)
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
        text = self._answer_text(ctx, entry)
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

    def _answer_text(self, ctx: Context, entry: Entry) -> str:
        """The answer in the school's own facts. A parent with children at two schools of
        the trust gets each school's answer, under its name, where the schools differ."""
        assert ctx.account.id is not None
        hint = ctx.family_hint
        keys = (hint if hint is not None and len(hint) < 2
                else family_schools(ctx.session, ctx.account.id))
        schools = {key: ctx.schools[key] for key in keys if key in ctx.schools}
        if len(schools) < 2:
            return render(entry, ctx.school, ctx.locale)
        texts = {key: render(entry, school, ctx.locale) for key, school in schools.items()}
        if len(set(texts.values())) == 1:
            return next(iter(texts.values()))
        return "\n\n".join(f"{schools[key].name}\n{text}" for key, text in texts.items())

    def _offer(self, ctx: Context, asked: Asked) -> Reply:
        _ = ctx._
        number = str(asked.number)
        if not self._speaks_for_family(ctx):
            office = placeholders(ctx.school, ctx.locale)["office_contact"]
            return Reply(_("I don't have an answer to that in {school}'s policy, and I'd rather "
                           "not guess. Please contact {office}. (Once you have linked with the "
                           "code from the school, I can pass questions to staff for you.)"
                           ).format(school=ctx.school.name, office=office))
        return Reply(
            _("I don't have an answer to that in {school}'s policy, and I'd rather not guess. "
              "Shall I ask a member of staff? Their answer will come to you here.").format(
                school=ctx.school.name),
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
        """Asks which child the question is about, or sends it if there is nothing to ask."""
        named = asked.named(event.payload)
        if not named.question:
            return Outcome([Reply(ctx._("Please type your question first, in your own words."))],
                           State(NAME, Step.ASKED, dump(asked)))
        self._keep(ctx, named.question, "passed-on")
        kids = self._children(ctx)
        family = self._guardian(ctx)
        if family is None and not kids:
            return Outcome([self._not_linked(ctx)], State(NAME, Step.ASKED, dump(asked)))
        asked.sending = named.number
        if not kids:
            return self._send(ctx, asked, named.question, None)
        _ = ctx._
        rows = [(Button(_("About {child}").format(child=kid.child.forename), ABOUT,
                        str(kid.child.pupil_id)),) for kid in kids]
        rows.append((Button(_("Not about a particular child"), ABOUT, "0"),))
        return Outcome([Reply(_("Is your question about one of your children? Their class "
                                "teacher will see it; otherwise it goes to the office."),
                              tuple(rows))], State(NAME, Step.ABOUT, dump(asked)))

    def _about(self, ctx: Context, event: Event, asked: Asked) -> Outcome:
        """Sends the question, about the child chosen (or none)."""
        kid = next((k for k in self._children(ctx) if str(k.child.pupil_id) == event.payload),
                   None)
        if kid is None and event.payload != "0":
            return Outcome([expired_reply(ctx._)], State(NAME, Step.ASKED, dump(asked)))
        named = asked.named(str(asked.sending))
        return self._send(ctx, asked, named.question, kid)

    def _send(self, ctx: Context, asked: Asked, question: str,
              kid: LinkedChild | None) -> Outcome:
        _ = ctx._
        school = kid.school if kid is not None else ctx.school
        guardian = kid.guardian_id if kid is not None else self._guardian(ctx)
        done = ask_school(session=ctx.session, school=school, sender_account_id=ctx.account.id,
                          guardian_id=guardian, pupil_id=kid.child.pupil_id if kid else None,
                          text=question, locale=ctx.locale, now=ctx.now, actions=STAFF_ACTIONS)
        asked.sending = 0
        state = State(NAME, Step.ASKED, dump(asked))
        ref = done.question.reference
        if not done.reached:
            office = placeholders(school, ctx.locale)["office_contact"]
            return Outcome([Reply("\n".join([
                _("I've kept your question - its reference is {ref}.").format(ref=ref),
                _("But nobody at {school} can receive questions here yet, so it hasn't reached "
                  "anyone. Please contact {office} directly.").format(school=school.name,
                                                                      office=office)]))], state)
        who = (_("{child}'s class teacher").format(child=kid.child.forename)
               if done.role == "teacher" and kid is not None
               else school.roles.get(done.role, done.role))
        if is_open(school, ctx.now):
            when = _("The school is open now, so it goes to them straight away.")
        else:
            when = _("The school is closed now; they'll get it from {when}.").format(
                when=when_text(next_open(school, ctx.now), ctx.locale, school.timezone))
        return Outcome([Reply("\n".join([
            _("I've sent your question to {who} at {school} (reference {ref}).").format(
                who=who, school=school.name, ref=ref),
            when,
            _("Their answer will come to you here, with the reference."),
        ]))], state)

    def _speaks_for_family(self, ctx: Context) -> bool:
        """A family contact at this school, or a parent of children at any: the lookup's
        family schools answer without a query when they show it (none, or this school)."""
        hint = ctx.family_hint
        if hint is not None and (not hint or ctx.school.id in hint):
            return bool(hint)
        return self._guardian(ctx) is not None or bool(self._children(ctx))

    def _children(self, ctx: Context) -> list[LinkedChild]:
        assert ctx.account.id is not None
        return linked_children(ctx.session, ctx.account.id, ctx.schools)

    def _guardian(self, ctx: Context) -> int | None:
        """The roster contact this account speaks for at the school it is talking to."""
        assert ctx.account.id is not None
        family = next((f for f in identity_of(ctx.session, ctx.account.id).families
                       if f.school_id == ctx.school.id), None)
        return family.guardian_id if family else None

    def _not_linked(self, ctx: Context) -> Reply:
        """Nobody to say the question is from: only linked families can ask staff here."""
        _ = ctx._
        office = placeholders(ctx.school, ctx.locale)["office_contact"]
        return Reply(_("I can only pass questions to staff for families linked with the code "
                       "from {school}, so the school knows who is asking. I've kept your "
                       "question to help improve my answers. For a reply, please contact "
                       "{office}, or send /start with your code first.").format(
            school=ctx.school.name, office=office))

    def _drop(self, ctx: Context, event: Event, asked: Asked) -> Outcome:
        """Lets the question go."""
        return Outcome([Reply(ctx._("No problem. Ask me something else whenever you like."))])

    def _keep(self, ctx: Context, question: str, reason: str) -> None:
        if not question:
            return
        record_unanswered(session=ctx.session, school_id=ctx.school.id, locale=ctx.locale,
                          text=question, reason=reason)

"""The agreement walk-through: child by child, section by section, to a typed signature."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum

from assistant.agreements.service import sign_agreement, withdraw_agreement
from assistant.agreements.status import (
    OLD_VERSION,
    SIGNED,
    WITHDRAWN,
    Status,
    latest_records,
    statuses,
)
from assistant.agreements.templates import (
    Template,
    load_templates,
    render,
    templates_for,
)
from assistant.engine import Context, Outcome, State, expired_reply
from assistant.events import Button, Event, Reply
from assistant.flowkit import (
    TEXT,
    StepTable,
    cancelled,
    dispatch,
    dump,
    load,
    off_step,
    step_of,
    typed_guess,
)
from assistant.i18n import when_text
from assistant.live.invites import after_signing_buttons
from assistant.models import AgreementEvent
from assistant.people.identity import LinkedChild, linked_children
from assistant.schools import School

NAME = "agreements_family"
MAX_NAME = 100
MIN_LETTERS = 2
# Words a question starts with; a typed "name" starting so may be a question instead.
QUESTION_WORDS = frozenset({
    "can", "could", "do", "does", "did", "how", "is", "are", "may", "should", "what", "when",
    "where", "which", "who", "why", "will", "would", "if",
})

# Entry buttons: the walk-through from the top, one child's list, one agreement, a withdrawal.
START = f"{NAME}.start"
CHILD = f"{NAME}.child"
OPEN = f"{NAME}.open"
WITHDRAW = f"{NAME}.withdraw"
# Step buttons.
NEXT = f"{NAME}.next"
BACK = f"{NAME}.back"
AGREE = f"{NAME}.agree"
SIGN = f"{NAME}.sign"
RENAME = f"{NAME}.rename"
WITHDRAW_YES = f"{NAME}.withdraw_yes"
CANCEL = f"{NAME}.cancel"

Row = tuple[Button, ...]


# The child a parent or carer signs for, with the guardian who links them and the school.
Signer = LinkedChild


class Step(StrEnum):
    """Where the walk-through is."""

    READ = "read"  # the intro, a section, or the final page with "I agree"
    NAME = "name"  # waiting for the typed signature
    CONFIRM = "confirm"  # the summary, waiting for "Sign"
    WITHDRAW = "withdraw"  # asked whether to withdraw a signed agreement


@dataclass
class AgreementData:
    """What the walk-through has gathered: the child, the agreement, the page and the name."""

    pupil: int | None = None
    template: str = ""
    version: int | None = None
    section: int = -1  # -1 is the intro; len(sections) the final page
    name: str = ""


@dataclass(frozen=True)
class Walk:
    """One step's view of the walk-through: its data, and the child and agreement it names."""

    data: AgreementData
    signer: Signer
    template: Template


Handler = Callable[[Context, Event, Walk], Outcome]


def signers(ctx: Context) -> list[Signer]:
    """Every child linked to this account, with the guardian who links them."""
    assert ctx.account.id is not None
    return linked_children(ctx.session, ctx.account.id, ctx.schools)


def _templates(ctx: Context, school: School) -> dict[str, Template]:
    return templates_for(school, load_templates(ctx.locale if ctx.locale else "en"))


def state_words(ctx: Context, status: Status) -> str:
    """How a status reads in a list: "signed (version 2)", "not signed yet"."""
    _ = ctx._
    if status.state == SIGNED:
        return _("signed")
    if status.state == OLD_VERSION:
        return _("new version to sign")
    if status.state == WITHDRAWN:
        return _("withdrawn")
    return _("not signed yet")


def valid_name(ctx: Context, typed: str) -> str | None:
    """Returns why a typed signature can't be accepted, or None when it can."""
    _ = ctx._
    name = " ".join(typed.split())
    if not name:
        return _("Please type your full name - it is your signature.")
    if len(name) > MAX_NAME:
        return _("That's longer than {limit} characters. Please type just your full name."
                 ).format(limit=MAX_NAME)
    if sum(ch.isalpha() for ch in name) < MIN_LETTERS:
        return _("A signature needs your name in letters - please type your full name, for "
                 "example \"Noor Khan\".")
    if "?" in name or any(ch.isdigit() for ch in name):
        return _("That doesn't look like a name. Please type just your full name, for "
                 "example \"Noor Khan\" - it is your signature.")
    return None


def may_be_question(typed: str) -> bool:
    """Whether a typed name might be a question instead ("is the lesson recorded")."""
    words = typed.lower().split()
    return bool(words) and words[0] in QUESTION_WORDS and len(words) > 2


class AgreementFlow:
    """Walks a parent or carer through each agreement for each child, and records it."""

    name = NAME
    commands = frozenset({"agreement"})
    entry_actions = frozenset({START, CHILD, OPEN, WITHDRAW})

    def __init__(self) -> None:
        self.steps: StepTable[Step, Handler] = StepTable(
            states={
                Step.READ: {NEXT: self._next_page, BACK: self._previous_page,
                            AGREE: self._agree},
                Step.NAME: {TEXT: self._take_name},
                Step.CONFIRM: {SIGN: self._sign_now, RENAME: self._rename},
                Step.WITHDRAW: {WITHDRAW_YES: self._withdraw},
            },
            fallbacks={CANCEL: self._cancel},
        )

    def handle(self, ctx: Context, event: Event, state: State | None) -> Outcome:
        """Moves the walk-through on by one step, checking the child and version each time."""
        _ = ctx._
        action = event.action
        if action == CHILD:
            return self._child_menu(ctx, event.payload)
        if action in {OPEN, WITHDRAW}:
            pupil, _sep, template_id = event.payload.partition(":")
            if action == OPEN:
                return self._open(ctx, pupil, template_id)
            return self._ask_withdraw(ctx, pupil, template_id)
        if action == START or (event.command and state is None):
            return self._start(ctx)
        if state is None:
            return Outcome([expired_reply(_)])
        if event.command:
            return self._resume(ctx, state)
        return self._step(ctx, event, state)

    # ------------------------------------------------------------------ choosing what to sign

    def _start(self, ctx: Context) -> Outcome:
        _ = ctx._
        children = signers(ctx)
        if not children:
            return Outcome([Reply(_(
                "I can't find any children linked to you yet. Use the link or code the "
                "school gave you (send /start followed by the code), then come back to sign."))])
        if len(children) == 1:
            return self._child_menu(ctx, str(children[0].child.pupil_id))
        rows: list[Row] = []
        for signer in children:
            done, total = self._progress(ctx, signer)
            rows.append((Button(_("{child} ({code}): {done} of {total} signed").format(
                child=signer.child.forename, code=signer.child.class_code, done=done,
                total=total), CHILD, str(signer.child.pupil_id)),))
        return Outcome([Reply(_("Which child would you like to sign the agreements for?"),
                              tuple(rows))])

    def _statuses(self, ctx: Context, signer: Signer) -> list[Status]:
        latest = latest_records(ctx.session, [signer.child.pupil_id])
        return statuses(signer.child.pupil_id, signer.child.year,
                        _templates(ctx, signer.school), latest)

    def _progress(self, ctx: Context, signer: Signer) -> tuple[int, int]:
        found = self._statuses(ctx, signer)
        return sum(s.done for s in found), len(found)

    def _signer(self, ctx: Context, pupil: str) -> Signer | None:
        return next((s for s in signers(ctx) if str(s.child.pupil_id) == pupil), None)

    def _child_menu(self, ctx: Context, pupil: str) -> Outcome:
        _ = ctx._
        signer = self._signer(ctx, pupil)
        if signer is None:
            return Outcome([expired_reply(_)])
        child = signer.child
        lines = [_("Agreements for {child} ({code}):").format(child=child.name,
                                                               code=child.class_code)]
        rows: list[Row] = []
        for status in self._statuses(ctx, signer):
            template = status.template
            lines.append(f"- {template.title}: {state_words(ctx, status)}")
            payload = f"{child.pupil_id}:{template.id}"
            if status.state == SIGNED:
                rows.append((Button(_("Withdraw: {title}").format(title=template.title),
                                    WITHDRAW, payload),))
            else:
                rows.insert(sum(1 for r in rows if r[0].action == OPEN),
                            (Button(_("Read and sign: {title}").format(title=template.title),
                                    OPEN, payload),))
        if not child.parental_responsibility:
            lines.append(_("Only a parent or carer with parental responsibility can sign for "
                           "{child}. Please ask them, or the school office.").format(
                               child=child.forename))
            rows = []
        elif all(r[0].action == WITHDRAW for r in rows):
            lines.append(_("Everything is signed for {child} - thank you.").format(
                child=child.forename))
        return Outcome([Reply("\n".join(lines), tuple(rows))])

    # ------------------------------------------------------------------ reading

    def _open(self, ctx: Context, pupil: str, template_id: str) -> Outcome:
        signer = self._signer(ctx, pupil)
        template = _templates(ctx, signer.school).get(template_id) if signer else None
        if signer is None or template is None or not signer.child.parental_responsibility:
            return Outcome([expired_reply(ctx._)])
        data = AgreementData(pupil=signer.child.pupil_id, template=template.id,
                             version=template.version, section=-1)
        return Outcome([self._page(ctx, signer, template, -1)],
                       State(NAME, Step.READ, dump(data)))

    def _page(self, ctx: Context, signer: Signer, template: Template, section: int) -> Reply:
        """The intro (-1), one section, or the final page with the confirmation."""
        _ = ctx._

        def fill(text: str) -> str:
            return render(text, school=signer.school, child=signer.child.forename,
                          locale=ctx.locale)

        back = Button(_("Back"), BACK)
        total = len(template.sections)
        if section < 0:
            heading = _("{title} - for {child}").format(title=template.title,
                                                          child=signer.child.name)
            text = f"{heading}\n\n{fill(template.intro)}"
            if template.signed_by == "child-with-parent":
                text += "\n\n" + _("This one is {child}'s own: please read it together with "
                                    "{child}, and agree to it together at the end.").format(
                    child=signer.child.forename)
            return Reply(text, ((Button(_("Start reading"), NEXT),),))
        if section < total:
            part = template.sections[section]
            text = f"{fill(part.title)} ({section + 1}/{total})\n\n{fill(part.text)}"
            return Reply(text, ((back, Button(_("Next"), NEXT)),))
        lines: list[str] = []
        if template.key_points:
            lines.append(_("The key points:"))
            lines += [f"- {fill(point)}" for point in template.key_points]
            lines.append("")
        lines.append(fill(template.confirm))
        agree = _("We agree") if template.signed_by == "child-with-parent" else _("I agree")
        return Reply("\n".join(lines), ((back, Button(agree, AGREE)),))

    def _resume(self, ctx: Context, state: State) -> Outcome:
        _ = ctx._
        data = load(AgreementData, state.data)
        signer = self._signer(ctx, str(data.pupil))
        template = _templates(ctx, signer.school).get(data.template) if signer else None
        if signer is None or template is None:
            return self._start(ctx)
        note = Reply(_("Welcome back - here is where you were with {title} for {child}. "
                       "(Send /help to do something else.)").format(
                           title=template.title, child=signer.child.forename),
                     ((Button(_("Choose another agreement"), START),),))
        return Outcome([note, self._current(ctx, signer, template, state.step, data)], state)

    def _current(self, ctx: Context, signer: Signer, template: Template, step: str,
                 data: AgreementData) -> Reply:
        if step == Step.NAME:
            return self._ask_name(ctx)
        if step == Step.CONFIRM:
            return self._summary(ctx, signer, template, data.name)
        if step == Step.WITHDRAW:
            return self._withdraw_question(ctx, signer, template)
        return self._page(ctx, signer, template, data.section)

    def step_replies(self, ctx: Context, state: State) -> list[Reply]:
        """The page, question or summary the walk-through is at, with its buttons."""
        data = load(AgreementData, state.data)
        signer = self._signer(ctx, str(data.pupil))
        template = _templates(ctx, signer.school).get(data.template) if signer else None
        if signer is None or template is None:
            return []
        return [self._current(ctx, signer, template, state.step, data)]

    # ------------------------------------------------------------------ the steps

    def _step(self, ctx: Context, event: Event, state: State) -> Outcome:
        _ = ctx._
        data = load(AgreementData, state.data)
        step = step_of(Step, state.step)
        signer = self._signer(ctx, str(data.pupil))
        if signer is None or not signer.child.parental_responsibility:
            return Outcome([expired_reply(_)])
        template = _templates(ctx, signer.school).get(data.template)
        if template is None:
            return Outcome([expired_reply(_)])
        # A withdrawal answers for what was signed, whatever the version now.
        if step is not Step.WITHDRAW and template.version != data.version:
            restart = replace(data, version=template.version, section=-1, name="")
            note = Reply(_("The school has just updated this agreement, so let's start it "
                           "again from the beginning with the new version."))
            return Outcome([note, self._page(ctx, signer, template, -1)],
                           State(NAME, Step.READ, dump(restart)))
        handler = dispatch(self.steps, step, event)
        if handler is None:
            return off_step(_, event, state, [self._current(ctx, signer, template, state.step,
                                                            data)])
        return handler(ctx, event, Walk(data, signer, template))

    def _next_page(self, ctx: Context, event: Event, walk: Walk) -> Outcome:
        """Turns to the next page of the agreement."""
        return self._turn(ctx, walk, +1)

    def _previous_page(self, ctx: Context, event: Event, walk: Walk) -> Outcome:
        """Turns back to the previous page of the agreement."""
        return self._turn(ctx, walk, -1)

    def _turn(self, ctx: Context, walk: Walk, by: int) -> Outcome:
        section = max(-1, min(walk.data.section + by, len(walk.template.sections)))
        moved = replace(walk.data, section=section)
        return Outcome([self._page(ctx, walk.signer, walk.template, section)],
                       State(NAME, Step.READ, dump(moved)))

    def _agree(self, ctx: Context, event: Event, walk: Walk) -> Outcome:
        """Takes the agreement and asks for the signer's typed name."""
        return Outcome([self._ask_name(ctx)], State(NAME, Step.NAME, dump(walk.data)))

    def _take_name(self, ctx: Context, event: Event, walk: Walk) -> Outcome:
        """Checks the typed signature and shows the summary to sign; a question typed here
        is answered instead, if the FAQ can, and the name is still waited for."""
        typed = event.text or ""
        problem = valid_name(ctx, typed)
        if problem is not None:
            return Outcome([Reply(problem)], State(NAME, Step.NAME, dump(walk.data)),
                           maybe_question=True)
        name = " ".join(typed.split())
        taken = Outcome([self._summary(ctx, walk.signer, walk.template, name)],
                        State(NAME, Step.CONFIRM, dump(replace(walk.data, name=name))))
        return typed_guess(taken) if may_be_question(name) else taken

    def _rename(self, ctx: Context, event: Event, walk: Walk) -> Outcome:
        """Asks for the name again, to correct it before signing."""
        return Outcome([self._ask_name(ctx)],
                       State(NAME, Step.NAME, dump(replace(walk.data, name=""))))

    def _sign_now(self, ctx: Context, event: Event, walk: Walk) -> Outcome:
        """Records the signature and gives the receipt."""
        return self._sign(ctx, walk.signer, walk.template, walk.data.name)

    def _cancel(self, ctx: Context, event: Event, walk: Walk) -> Outcome:
        """Stops without signing or withdrawing anything."""
        return Outcome([cancelled(ctx._)])

    def _ask_name(self, ctx: Context) -> Reply:
        return Reply(ctx._("Please type your full name as your signature (the parent or carer "
                           "signing)."))

    def _details(self, ctx: Context, signer: Signer, template: Template, name: str) -> list[str]:
        """The lines the summary and the receipt share: child, agreement, signer."""
        _ = ctx._
        return [
            _("Child: {child} ({code})").format(child=signer.child.name,
                                                code=signer.child.class_code),
            _("Agreement: {title} (version {version})").format(title=template.title,
                                                                version=template.version),
            _("Signed by: {name}").format(name=name),
        ]

    def _summary(self, ctx: Context, signer: Signer, template: Template, name: str) -> Reply:
        _ = ctx._
        text = "\n".join([_("Please check before you sign:"),
                          *self._details(ctx, signer, template, name)])
        return Reply(text, ((Button(_("Sign"), SIGN),
                             Button(_("Cancel"), CANCEL)),
                            (Button(_("Change the name"), RENAME),)))

    def _sign(self, ctx: Context, signer: Signer, template: Template, name: str) -> Outcome:
        _ = ctx._
        sign_agreement(session=ctx.session, signer=signer, template=template, name=name,
                       account=ctx.account, locale=ctx.locale, now=ctx.now)
        receipt = "\n".join([
            _("Signed - thank you. Your receipt:"),
            *self._details(ctx, signer, template, name),
            _("When: {when}").format(when=when_text(ctx.now, ctx.locale,
                                                    signer.school.timezone, year=True)),
        ])
        rows: list[Row] = []
        following = next((s for s in self._statuses(ctx, signer) if not s.done), None)
        if following is not None:
            rows.append((Button(_("Next: {title}").format(title=following.template.title),
                                OPEN,
                                f"{signer.child.pupil_id}:{following.template.id}"),))
        if following is None:  # all signed: any live-lesson invitation can go ahead now
            rows += [(button,) for button in after_signing_buttons(
                ctx.session, guardian_id=signer.guardian_id, pupil_id=signer.child.pupil_id,
                locale=ctx.locale, timezone=signer.school.timezone, now=ctx.now)]
        others = [s for s in signers(ctx) if s.child.pupil_id != signer.child.pupil_id]
        if others:
            rows.append((Button(_("Another child"), START),))
        return Outcome([Reply(receipt, tuple(rows))])

    # ------------------------------------------------------------------ withdrawing

    def _ask_withdraw(self, ctx: Context, pupil: str, template_id: str) -> Outcome:
        _ = ctx._
        signer = self._signer(ctx, pupil)
        template = _templates(ctx, signer.school).get(template_id) if signer else None
        if signer is None or template is None or not signer.child.parental_responsibility:
            return Outcome([expired_reply(_)])
        data = AgreementData(pupil=signer.child.pupil_id, template=template.id)
        return Outcome([self._withdraw_question(ctx, signer, template)],
                       State(NAME, Step.WITHDRAW, dump(data)))

    def _withdraw_question(self, ctx: Context, signer: Signer, template: Template) -> Reply:
        _ = ctx._
        question = _("Do you want to withdraw your agreement to {title} for {child}? It stays "
                     "on record that it was signed, and {child}'s class teacher will be told."
                     ).format(title=template.title, child=signer.child.forename)
        return Reply(question, ((Button(_("Yes, I no longer agree"), WITHDRAW_YES),
                                 Button(_("No"), CANCEL)),))

    def _withdraw(self, ctx: Context, event: Event, walk: Walk) -> Outcome:
        """Records the withdrawal of a signed agreement, so the class teacher is told."""
        _ = ctx._
        signer, template = walk.signer, walk.template
        latest = latest_records(ctx.session, [signer.child.pupil_id]).get(
            (signer.child.pupil_id, walk.data.template))
        if latest is None or latest.event != AgreementEvent.SIGNED:
            return Outcome([expired_reply(_)])
        withdraw_agreement(session=ctx.session, signer=signer, template=template, latest=latest,
                           account=ctx.account, locale=ctx.locale, now=ctx.now)
        return Outcome([Reply(_("Done - your withdrawal is recorded and {child}'s class "
                                "teacher will be told. You can sign again at any time with "
                                "/agreement.").format(child=signer.child.forename))])

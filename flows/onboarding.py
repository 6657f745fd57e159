"""/start with a school's code links someone to their family or staff post; /language."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from assistant.commands import STAFF, menu
from assistant.engine import Context, Outcome, State
from assistant.events import Button, Event, Reply
from assistant.flowkit import TEXT, StepTable, dispatch, step_of
from assistant.i18n import available_locales, gettext_for, when_text
from assistant.people.identity import (
    CodeRefused,
    Identity,
    identity_of,
    redeem_code,
    set_locale,
    shaped_like_code,
    surely_a_code,
)

NAME = "onboarding"
# Entry buttons: the language choice, and one language chosen.
LANGUAGE = f"{NAME}.language"
SET_LANGUAGE = f"{NAME}.set_language"


class Step(StrEnum):
    """What onboarding is waiting on (the step carries no data)."""

    AWAITING_CODE = "awaiting-code"  # /start came without a code: it may be typed next
    # (only something shaped like a code is taken; anything else is a question)


Handler = Callable[[Context, Event], Outcome]

LANGUAGE_NAMES = {"en": "English", "pl": "Polski", "ro": "Română", "uk": "Українська",
                  "ar": "العربية", "ur": "اردو"}


def role_words(ctx: Context, role: str, class_code: str | None) -> str:
    """A staff role as the school names it ("class teacher of 3B")."""
    _ = ctx._
    title = ctx.school.roles.get(role, role) if ctx.school else role
    return _("{title} of {code}").format(title=title, code=class_code) if class_code else title


def welcome(ctx: Context, who: Identity) -> Reply:
    """The greeting for a linked user: who they are to the school, and what they can do."""
    _ = ctx._
    lines: list[str] = []
    buttons: list[tuple[Button, ...]] = []
    for family in who.families:
        school = ctx.schools.get(family.school_id)
        names = ", ".join(f"{c.name} ({c.class_code})" for c in family.children) or _("none yet")
        lines.append(_("Welcome, {name}. At {school} you're linked to: {children}.").format(
            name=family.name, school=school.name if school else family.school_id,
            children=names))
    for post in who.staff:
        school = ctx.schools.get(post.school_id)
        roles = ", ".join(role_words(ctx, r, c) for r, c in post.roles) or _("staff")
        lines.append(_("Welcome, {name} - {roles} at {school}.").format(
            name=post.name, roles=roles, school=school.name if school else post.school_id))
    lines.append("")
    lines.append(_("Ask me anything about online safety, remote learning or live lessons."))
    if any(c.parental_responsibility for f in who.families for c in f.children):
        lines.append(_("Please also sign the online safety agreement for each child: "
                       "/agreement."))
        buttons.append((Button(_("Sign the agreement"), "agreements_family.start"),))
    if who.staff:
        lines.append(_("As staff you can also use:"))
        lines += [f"/{c.name} - {_(c.description)}" for c in menu(STAFF)
                  if c.menus == frozenset({STAFF})]
        buttons.append((Button(_("Families linked"), "staff.families"),))
    buttons.append((Button(_("What can you do?"), "help.show"),
                    Button(_("Language"), LANGUAGE)))
    return Reply("\n".join(lines), tuple(buttons), menu="staff" if who.staff else "family",
                 menu_locale=ctx.locale)


def how_to_get_a_code(ctx: Context) -> Reply:
    """What an unlinked user can do, and how to get linked."""
    _ = ctx._
    return Reply(_(
        "Hello! I'm the online safety and remote learning assistant for your school.\n\n"
        "To link me to your family, open the link the school office gave you, or type the "
        "code from it here (10 letters and numbers, like ABCD-EFGH-JK). If you haven't got "
        "one, ask the school office.\n\n"
        "Until then you can still ask me questions about the school's online safety and "
        "remote learning rules - just type them."
    ))


class OnboardingFlow:
    """Links a Telegram user to the school's roster with a one-time code; sets the language."""

    name = NAME
    commands = frozenset({"start", "language"})
    entry_actions = frozenset({LANGUAGE, SET_LANGUAGE})

    def __init__(self) -> None:
        self.steps: StepTable[Step, Handler] = StepTable(
            states={
                Step.AWAITING_CODE: {TEXT: self._typed_code},
            },
        )

    def claims(self, text: str) -> bool:
        """A link code typed on its own, in any conversation, is tried as a code."""
        return surely_a_code(text)

    def handle(self, ctx: Context, event: Event, state: State | None) -> Outcome:
        """Redeems a code, shows the language choice, or stores the chosen language."""
        if event.action == SET_LANGUAGE:
            return self._set_language(ctx, event.payload)
        if event.action == LANGUAGE or event.command == "language":
            return Outcome([self._languages(ctx)])
        if event.command == "start" and event.argument:
            return self._redeem(ctx, event.argument)
        if event.command is None and event.action is None and surely_a_code(event.text or ""):
            return self._redeem(ctx, event.text or "")
        if state is not None:
            handler = dispatch(self.steps, step_of(Step, state.step), event)
            if handler is not None:
                return handler(ctx, event)
        if event.command == "start" or state is not None:
            return self._greet(ctx)
        return Outcome([how_to_get_a_code(ctx)])

    def _typed_code(self, ctx: Context, event: Event) -> Outcome:
        """Redeems a code typed on its own after /start; anything else is a question."""
        if shaped_like_code(event.text or ""):
            return self._redeem(ctx, event.text or "")
        return Outcome([], unclaimed=True)

    def _greet(self, ctx: Context) -> Outcome:
        """Welcomes a linked user, or says how to get a code and waits for one."""
        assert ctx.account.id is not None
        who = identity_of(ctx.session, ctx.account.id)
        if who.linked:
            return Outcome([welcome(ctx, who)])
        return Outcome([how_to_get_a_code(ctx)], State(NAME, Step.AWAITING_CODE))

    def _redeem(self, ctx: Context, typed: str) -> Outcome:
        _ = ctx._
        assert ctx.account.id is not None
        try:
            redeem_code(session=ctx.session, account=ctx.account, typed=typed, now=ctx.now)
        except CodeRefused as refused:
            text = {
                "not-a-code": _("That doesn't look like a code from the school: a code has "
                                "10 letters and numbers, like ABCD-EFGH-JK. Please check it "
                                "against the letter from school, or ask the school office."),
                "wrong": _("Sorry, I don't recognise that code. Please check it against the "
                           "letter from school, or ask the school office for a new one."),
                "used": _("That code has already been used. Each person needs their own code - "
                          "please ask the school office for a new one."),
                "replaced": _("That code has been replaced by a newer one. Please use the "
                              "newest code the school gave you."),
                "expired": _("That code has expired. Please ask the school office for a new "
                             "one."),
                "too-many-tries": _("That's too many wrong codes for now. Please try again "
                                    "after {time}, or ask the school office.").format(
                    time=when_text(refused.retry_at, ctx.locale, ctx.school.timezone)
                    if refused.retry_at else _("an hour")),
            }[refused.reason]
            return Outcome([Reply(text)])
        return Outcome([welcome(ctx, identity_of(ctx.session, ctx.account.id))])

    def _languages(self, ctx: Context) -> Reply:
        _ = ctx._
        rows = tuple(
            (Button(LANGUAGE_NAMES.get(code, code), SET_LANGUAGE, code),)
            for code in available_locales()
        )
        return Reply(_("Which language would you like me to use?"), rows)

    def _set_language(self, ctx: Context, code: str) -> Outcome:
        if code not in available_locales():
            return Outcome([Reply(ctx._("Sorry, that language isn't available yet."))])
        set_locale(session=ctx.session, account=ctx.account, locale=code)
        _ = gettext_for(code)
        assert ctx.account.id is not None
        who = identity_of(ctx.session, ctx.account.id)
        # The chat's command menu follows the language too.
        menu = ("staff" if who.staff else "family") if who.linked else "default"
        return Outcome([Reply(_("Okay - I'll use English from now on.") if code == "en" else
                              _("Okay - I'll use {language} from now on.").format(
                                  language=LANGUAGE_NAMES.get(code, code)),
                              menu=menu, menu_locale=code)])

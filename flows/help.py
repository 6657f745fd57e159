"""/help and /cancel, and the polite answer to commands nobody owns."""

from __future__ import annotations

from assistant.commands import DEFAULT, FAMILY, STAFF, menu
from assistant.engine import CANCEL, Context, Outcome, State
from assistant.events import Event, Reply
from assistant.people.identity import identity_of


class HelpFlow:
    """Says what the assistant can do for this user, and lets them leave any conversation."""

    name = "help"
    commands = frozenset({"help", "cancel"})
    entry_actions = frozenset({"help.show"})

    def handle(self, ctx: Context, event: Event, state: State | None) -> Outcome:
        """Answers /help, /cancel and the help button; nothing is kept afterwards."""
        _ = ctx._
        if event.command == CANCEL:
            if not ctx.stopped:
                return Outcome([Reply(_("There's nothing to stop - we weren't in the middle of "
                                        "anything. Send /help to see what I can do."))])
            return Outcome([Reply(_("Okay, I've stopped that. Send /help to see what I can do."))])
        return Outcome([help_reply(ctx)])


def help_reply(ctx: Context) -> Reply:
    """The things this user can do, for the school they talk to."""
    _ = ctx._
    assert ctx.account.id is not None
    who = identity_of(ctx.session, ctx.account.id)
    lines = [
        _("I'm the online safety and remote learning assistant for {school}.").format(
            school=ctx.school.name
        ),
        "",
        _("Type a question in your own words, for example "
          "\"can my child use the chat in a live lesson?\", and I'll answer from the "
          "school's policy."),
        "",
    ]
    shown = menu(STAFF if who.staff else FAMILY if who.linked else DEFAULT)
    for command in shown:
        if command.name == "start":
            lines.append(_("/start CODE - link to your family with the code from the school"))
        else:
            lines.append(f"/{command.name} - {_(command.description)}")
    return Reply("\n".join(lines))

"""/help and /cancel, and the polite answer to commands nobody owns."""

from __future__ import annotations

from assistant.engine import Context, Outcome, State
from assistant.events import Event, Reply


class HelpFlow:
    """Says what the assistant can do, and lets a user leave any conversation."""

    name = "help"
    commands = frozenset({"help", "cancel"})
    entry_actions = frozenset({"help.show"})

    def handle(self, ctx: Context, event: Event, state: State | None) -> Outcome:
        """Answers /help, /cancel and the help button; nothing is kept afterwards."""
        _ = ctx._
        if event.command == "cancel":
            return Outcome([Reply(_("Okay, I've stopped that. Send /help to see what I can do."))])
        return Outcome([help_reply(ctx)])


def help_reply(ctx: Context) -> Reply:
    """The list of things this user can do, for the school they talk to."""
    _ = ctx._
    text = "\n".join([
        _("I'm the online safety and remote learning assistant for {school}.").format(
            school=ctx.school.name
        ),
        "",
        _("Type a question in your own words, for example "
          "\"can my child use the chat in a live lesson?\", and I'll answer from the "
          "school's policy."),
        "",
        _("/help - what I can do"),
        _("/cancel - stop what we're doing"),
    ])
    return Reply(text)

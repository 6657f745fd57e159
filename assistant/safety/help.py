"""What someone reads first when their message suggests a child may be in danger."""

from __future__ import annotations

from assistant.i18n import Gettext
from assistant.safety.check import Danger


def help_now(_: Gettext, danger: Danger) -> str:
    """Who to call right now: 999, Childline, CEOP where sexual, the NSPCC for adults."""
    lines = [
        _("If a child is in danger right now, call 999."),
        _("Children and young people can call Childline free on 0800 1111, any time, or chat "
          "at childline.org.uk."),
        _("Adults worried about a child can call the NSPCC helpline on 0808 800 5000."),
    ]
    if danger.ceop:
        lines.append(_("If someone has asked a child for sexual pictures, shared pictures of "
                       "them, or talked to them sexually online, report it to CEOP (the "
                       "police's child protection team): ceop.police.uk. Don't forward or save "
                       "any pictures."))
    if danger.samaritans:
        lines.append(_("You can also call Samaritans free on 116 123, any time."))
    return "\n".join(lines)


def tell_school_text(_: Gettext, school: str, linked: bool) -> str:
    """The line under the help: one tap sends the message to the school's safeguarding lead."""
    if linked:
        return _("Press the button below and I'll send your message to {school}'s safeguarding "
                 "lead as urgent.").format(school=school)
    return _("I can't pass this to a school yet, because this chat isn't linked to one. Please "
             "also contact the child's school directly, or the police on 999.")


def nobody_to_receive_text(_: Gettext, school: str) -> str:
    """The line under the help where nobody at the school can receive concerns here yet."""
    return _("Nobody at {school} can receive messages here yet, so I can't pass this on. Please "
             "contact the school directly as well, and call 999 if a child is in danger right "
             "now.").format(school=school)

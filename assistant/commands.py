"""Every command a user can send, in one list: /help, the welcome and the Telegram menus read it.

Each command names the menus it appears in: "default" (everyone, before linking), "family"
(a linked parent, carer or child) and "staff" (a linked member of staff).
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.i18n import N_

DEFAULT, FAMILY, STAFF = "default", "family", "staff"
ALL = frozenset({DEFAULT, FAMILY, STAFF})
LINKED = frozenset({FAMILY, STAFF})


@dataclass(frozen=True)
class Command:
    """A command: its name, what it does (marked for translation), and its menus."""

    name: str
    description: str
    menus: frozenset[str]


COMMANDS: tuple[Command, ...] = (
    Command("start", N_("Start, or link your family with the school's code"),
            frozenset({DEFAULT})),
    Command("help", N_("What I can do"), ALL),
    Command("agreement", N_("Sign the online safety agreement for your child"), LINKED),
    Command("concern", N_("Tell the school about a worry"), LINKED),
    Command("worry", N_("For children: tell a grown-up at school something is wrong"), LINKED),
    Command("concerns", N_("Concerns passed to you"), frozenset({STAFF})),
    Command("questions", N_("Families' questions waiting for an answer"), frozenset({STAFF})),
    Command("families", N_("Which families have linked"), frozenset({STAFF})),
    Command("agreements", N_("Who has signed the agreements"), frozenset({STAFF})),
    Command("newsession", N_("Arrange a live lesson"), frozenset({STAFF})),
    Command("sessions", N_("Live lessons: who is coming"), frozenset({STAFF})),
    Command("faq", N_("Ask a question about the school's online safety policy"), ALL),
    Command("mydata", N_("What I keep about you"), LINKED),
    Command("language", N_("Choose your language"), ALL),
    Command("unlink", N_("Unlink this Telegram account"), LINKED),
    Command("forget", N_("Erase what I keep about you"), LINKED),
    Command("cancel", N_("Stop what we're doing"), ALL),
)
MENUS = (DEFAULT, FAMILY, STAFF)


def menu(name: str) -> tuple[Command, ...]:
    """The commands of one menu, in the order they are shown."""
    return tuple(c for c in COMMANDS if name in c.menus)

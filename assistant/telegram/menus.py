"""Command menus: what everyone sees, and what a linked family or staff chat sees."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Sequence

from telegram import Bot, BotCommand, BotCommandScope, BotCommandScopeChat, BotCommandScopeDefault
from telegram.error import TelegramError

from assistant.i18n import N_, SOURCE_LOCALE, available_locales, gettext_for

log = logging.getLogger(__name__)

DEFAULT_COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", N_("Start, or link your family with the school's code")),
    ("help", N_("What I can do")),
    ("faq", N_("Ask a question about the school's online safety policy")),
    ("language", N_("Choose your language")),
    ("cancel", N_("Stop what we're doing")),
)
FAMILY_COMMANDS: tuple[tuple[str, str], ...] = (
    ("help", N_("What I can do")),
    ("agreement", N_("Sign the online safety agreement")),
    ("concern", N_("Tell the school about a worry")),
    ("worry", N_("For children: tell school something is wrong")),
    ("faq", N_("Ask a question about the school's online safety policy")),
    ("mydata", N_("What I keep about you")),
    ("language", N_("Choose your language")),
    ("unlink", N_("Unlink this Telegram account")),
    ("forget", N_("Erase what I keep about you")),
    ("cancel", N_("Stop what we're doing")),
)
STAFF_COMMANDS: tuple[tuple[str, str], ...] = (
    *FAMILY_COMMANDS[:2],
    ("concerns", N_("Concerns passed to you")),
    ("families", N_("Which families have linked")),
    ("agreements", N_("Who has signed the agreements")),
    ("newsession", N_("Arrange a live lesson")),
    ("sessions", N_("Live lessons: who is coming")),
    *FAMILY_COMMANDS[2:],
)
MENUS = {"family": FAMILY_COMMANDS, "staff": STAFF_COMMANDS}


async def try_call(what: str, call: Awaitable[object]) -> bool:
    """Awaits one optional Bot API call; a server without the method is no reason to stop."""
    try:
        await call
    except TelegramError as error:
        log.warning("%s failed (%s); the bot runs on without it", what, type(error).__name__)
        return False
    return True


async def publish_commands(
    bot: Bot,
    commands: Sequence[tuple[str, str]],
    *,
    scope: BotCommandScope | None = None,
) -> bool:
    """Sets a command menu for a scope (everyone by default), in every locale we have."""
    scope = scope or BotCommandScopeDefault()
    done = True
    for locale in available_locales():
        _ = gettext_for(locale)
        menu = [BotCommand(name, _(description)) for name, description in commands]
        # The source locale is the menu for everyone whose language has no menu of its own.
        language = None if locale == SOURCE_LOCALE else locale
        done &= await try_call(
            f"setMyCommands ({scope.type}, {locale})",
            bot.set_my_commands(menu, scope=scope, language_code=language),
        )
    return done


async def set_chat_menu(bot: Bot, chat_id: int, menu: str) -> None:
    """Gives one chat the family or staff menu, or takes its own menu away ("none")."""
    scope = BotCommandScopeChat(chat_id)
    if menu in MENUS:
        await publish_commands(bot, MENUS[menu], scope=scope)
    else:
        await try_call("deleteMyCommands (chat)", bot.delete_my_commands(scope=scope))

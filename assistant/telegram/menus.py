"""Command menus: what everyone sees, and what a linked family or staff chat sees."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Sequence

from telegram import Bot, BotCommand, BotCommandScope, BotCommandScopeChat, BotCommandScopeDefault
from telegram.error import TelegramError

from assistant.commands import DEFAULT, FAMILY, STAFF, menu
from assistant.i18n import SOURCE_LOCALE, available_locales, gettext_for

log = logging.getLogger(__name__)

DEFAULT_COMMANDS = tuple((c.name, c.description) for c in menu(DEFAULT))
MENUS = {name: tuple((c.name, c.description) for c in menu(name)) for name in (FAMILY, STAFF)}


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
    only: str | None = None,
) -> bool:
    """Sets a command menu for a scope (everyone by default), in every locale we have; with
    `only`, in that one language for everyone in the scope (one person's private chat)."""
    scope = scope or BotCommandScopeDefault()
    if only is not None:
        _ = gettext_for(only)
        menu = [BotCommand(name, _(description)) for name, description in commands]
        return await try_call(f"setMyCommands ({scope.type}, {only})",
                              bot.set_my_commands(menu, scope=scope))
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


async def set_chat_menu(bot: Bot, chat_id: int, menu: str, locale: str | None = None) -> None:
    """Gives one chat the family or staff menu (in its reader's language when known), or
    takes its own menu away ("none", or "default": the menu for everyone applies)."""
    scope = BotCommandScopeChat(chat_id)
    if menu in MENUS:
        await publish_commands(bot, MENUS[menu], scope=scope, only=locale)
    else:
        await try_call("deleteMyCommands (chat)", bot.delete_my_commands(scope=scope))

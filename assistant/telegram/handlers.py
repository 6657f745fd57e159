"""Turns Telegram updates into engine events and sends the engine's replies back."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import traceback
from collections.abc import Callable
from typing import Any

from telegram import Bot, CallbackQuery, Update
from telegram.constants import ChatType
from telegram.error import Forbidden, TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from assistant.engine import Engine, expired_reply
from assistant.events import BadButtonError, Event, Reply, decode_button
from assistant.i18n import Gettext, choose_locale, gettext_for
from assistant.telegram.delivery import TRANSPORT
from assistant.telegram.menus import set_chat_menu
from assistant.telegram.render import send_reply

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE
AnyApplication = Application[Any, Context, Any, Any, Any, Any]

# Handler groups run in ascending order and, within a group, only the first matching handler
# runs. Order matters: the guards sit in groups before the conversation and end the update
# (ApplicationHandlerStop), so nothing from a channel or a group ever reaches the engine.
CHANNEL_GUARD = -2
GROUP_GUARD = -1
CONVERSATION = 0

# Remembered in chat_data so a group hears the private-chat notice once, not on every message.
TOLD_PRIVATE_ONLY = "told_private_only"

PRIVATE = filters.ChatType.PRIVATE
NEW_MESSAGE = filters.UpdateType.MESSAGE


def _gettext(update: Update) -> Gettext:
    user = update.effective_user
    return gettext_for(choose_locale(user.language_code if user is not None else None))


class Handlers:
    """The callbacks of the Telegram transport, bound to the engine they hand events to."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # SQLite's work runs on the event loop; PostgreSQL's waits go to threads (respond).
        self.inline = engine.db.dialect.name == "sqlite"
        # Sends the outbox now; set by the application that runs the outbox.
        self.wake_outbox: Callable[[], None] | None = None

    async def respond(self, bot: Bot, chat_id: int, event: Event) -> None:
        """Runs an event through the engine (in a thread on PostgreSQL) and sends every reply."""
        # The engine is synchronous. On PostgreSQL it waits on the network (and on other
        # workers' row locks), and the poller hands over several chats' updates at once: their
        # waits overlap on asyncio's pool of threads. On SQLite, a file in this process, its
        # work is the processor's own, so a thread overlaps nothing and the hop cost more than
        # the work it moved (bench updates: 1.4-1.6 ms an update with it, 0.96 without).
        if self.inline:
            response = self.engine.handle(event)
        else:
            response = await asyncio.to_thread(self.engine.handle, event)
        if response.due_now and self.wake_outbox is not None:
            self.wake_outbox()
        for reply in response.replies:
            if reply.erase_from is not None:
                await erase_chat(bot, chat_id, reply.erase_from, event.message_id)
            if reply.text or reply.document is not None:
                await send_reply(bot, chat_id, reply, response.nonce)
            if reply.menu is not None:
                await set_chat_menu(bot, chat_id, reply.menu, reply.menu_locale)

    async def ignore_channel_post(self, update: Update, context: Context) -> None:
        """Drops a channel post: the assistant talks to families one to one, never to channels."""
        raise ApplicationHandlerStop

    async def point_group_to_private_chat(self, update: Update, context: Context) -> None:
        """Tells a group, once, that the assistant works in private chats only; then stops."""
        chat = update.effective_chat
        chat_data = context.chat_data
        if chat is not None and chat_data is not None and not chat_data.get(TOLD_PRIVATE_ONLY):
            # Marked before sending: if the bot may not post here, it does not try every time.
            chat_data[TOLD_PRIVATE_ONLY] = True
            log.info("chat %s is a %s: pointed to a private chat", chat.id, chat.type)
            _ = _gettext(update)
            link = f"https://t.me/{context.bot.username}"
            text = _("Hello! I answer families' questions one to one, so I only work in "
                     "private chats. Please message me directly: {link}").format(link=link)
            # Removed from the group, or not allowed to post there: nothing more to say.
            with contextlib.suppress(Forbidden):
                await send_reply(context.bot, chat.id, Reply(text), "")
        raise ApplicationHandlerStop

    async def on_text(self, update: Update, context: Context) -> None:
        """Hands a private text message or command to the engine and sends its replies."""
        message, user, chat = update.message, update.effective_user, update.effective_chat
        if message is None or message.text is None or user is None or chat is None:
            return
        event = Event(
            transport=TRANSPORT,
            user_id=str(user.id),
            chat_id=str(chat.id),
            text=message.text,
            locale=user.language_code,
            message_id=str(message.message_id),
        )
        await self.respond(context.bot, chat.id, event)

    async def on_button(self, update: Update, context: Context) -> None:
        """Answers a button press and routes its action to the engine with its nonce."""
        query, chat = update.callback_query, update.effective_chat
        if query is None:
            return
        await _answer(query, update.update_id)
        if chat is None or chat.type != ChatType.PRIVATE:
            return  # no button of ours lives outside a private chat
        user = query.from_user
        try:
            action, nonce, payload = decode_button(query.data or "")
        except BadButtonError:
            log.info("update %s: callback data no button of ours made", update.update_id)
            await send_reply(context.bot, chat.id, expired_reply(_gettext(update)), "")
            return
        event = Event(
            transport=TRANSPORT,
            user_id=str(user.id),
            chat_id=str(chat.id),
            action=action,
            payload=payload,
            nonce=nonce,
            locale=user.language_code,
            message_id=str(query.message.message_id) if query.message is not None else None,
        )
        await self.respond(context.bot, chat.id, event)

    async def on_edit(self, update: Update, context: Context) -> None:
        """Hands an edited message to the engine: read for danger, otherwise asked to resend."""
        message, user, chat = update.edited_message, update.effective_user, update.effective_chat
        if message is None or user is None or chat is None:
            return
        event = Event(transport=TRANSPORT, user_id=str(user.id), chat_id=str(chat.id),
                      text=message.text or message.caption or "", locale=user.language_code,
                      message_id=str(message.message_id), kind="edit")
        await self.respond(context.bot, chat.id, event)

    async def on_attachment(self, update: Update, context: Context) -> None:
        """Hands a photo to the engine (a concern can carry one); any other caption is read
        for danger, and the sender is asked to type instead."""
        chat, message = update.effective_chat, update.effective_message
        user = update.effective_user
        if chat is None or message is None or user is None:
            return
        photo = bool(message.photo)
        # The largest size is the last; only its file id is kept, never the picture.
        event = Event(
            transport=TRANSPORT,
            user_id=str(user.id),
            chat_id=str(chat.id),
            text=message.caption or "",
            locale=user.language_code,
            message_id=str(message.message_id),
            attachments=(message.photo[-1].file_id,) if photo else (),
            kind="message" if photo else "unsupported",
        )
        await self.respond(context.bot, chat.id, event)


async def erase_chat(bot: Bot, chat_id: int, first: str, last: str | None) -> None:
    """Deletes a stretch of a private chat, both sides (the Bot API allows 48 hours back)."""
    if not first.isdigit() or last is None or not last.isdigit():
        return
    ids = list(range(int(first), int(last) + 1))[-1000:]
    for start in range(0, len(ids), 100):  # deleteMessages takes at most 100 ids
        try:
            await bot.delete_messages(chat_id, ids[start:start + 100])
        except TelegramError as error:
            log.warning("chat %s: deleting messages failed (%s)", chat_id, type(error).__name__)


async def _answer(query: CallbackQuery, update_id: int) -> None:
    """Stops the button's spinner; a query too old to answer is no reason to stop."""
    try:
        await query.answer()
    except TelegramError as error:
        log.info("update %s: callback query not answered (%s)", update_id, type(error).__name__)


def _redacted(text: str, token: str) -> str:
    return text.replace(token, "<token>") if token else text


async def on_error(update: object, context: Context) -> None:
    """Logs a failure for the operator, without secrets, and tells the user plainly."""
    error = context.error
    update_id = update.update_id if isinstance(update, Update) else None
    chat = update.effective_chat if isinstance(update, Update) else None
    job = context.job.name if context.job is not None else None
    # The stack shows where it failed. An exception's message can quote what a family typed,
    # so only the Bot API's own descriptions (which never do) are logged, token removed.
    detail = ""
    stack = ""
    if error is not None:
        if isinstance(error, TelegramError):
            detail = _redacted(error.message, context.bot.token)
        stack = "".join(traceback.format_tb(error.__traceback__))
    log.error(
        "update %s (chat %s, job %s) failed with %s %s\n%s",
        update_id,
        chat.id if chat is not None else None,
        job,
        type(error).__name__,
        detail,
        stack,
    )
    if not isinstance(update, Update) or chat is None or chat.type != ChatType.PRIVATE:
        return
    _ = _gettext(update)
    text = _("Sorry, something went wrong on my side. Please try again in a minute - if it "
             "keeps happening, please contact the school office.")
    try:
        await send_reply(context.bot, chat.id, Reply(text), "")
    except TelegramError as failure:
        log.warning("update %s: could not tell chat %s about the failure (%s)",
                    update_id, chat.id, type(failure).__name__)


def register(application: AnyApplication, engine: Engine) -> Handlers:
    """Adds the transport's handlers to an application, guards first."""
    handlers = Handlers(engine)
    # Channel posts are ignored on purpose: a school's channel is not a family's conversation.
    application.add_handler(
        MessageHandler(filters.UpdateType.CHANNEL_POSTS, handlers.ignore_channel_post),
        group=CHANNEL_GUARD,
    )
    application.add_handler(
        MessageHandler(filters.ChatType.GROUPS, handlers.point_group_to_private_chat),
        group=GROUP_GUARD,
    )
    application.add_handlers(
        [
            MessageHandler(PRIVATE & filters.UpdateType.EDITED_MESSAGE, handlers.on_edit),
            MessageHandler(PRIVATE & NEW_MESSAGE & filters.TEXT, handlers.on_text),
            MessageHandler(PRIVATE & NEW_MESSAGE & filters.ATTACHMENT, handlers.on_attachment),
            CallbackQueryHandler(handlers.on_button),
        ],
        group=CONVERSATION,
    )
    application.add_error_handler(on_error)
    return handlers

"""Sends the outbox's claimed messages through the bot, rendered like any other reply."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from telegram import Bot
from telegram.error import BadRequest, Forbidden

from assistant.events import Button, Reply
from assistant.live.expiry import DELETE_IDS, REPLACEMENT
from assistant.outbox import Claimed, PermanentSendError, Sender
from assistant.telegram.render import send_reply

log = logging.getLogger(__name__)

TRANSPORT = "telegram"
PREFIX = f"{TRANSPORT}:"


def recipient_for(chat_id: int | str) -> str:
    """The outbox recipient of a Telegram chat ("telegram:<chat id>")."""
    return f"{PREFIX}{chat_id}"


def chat_id_for(recipient: str) -> int:
    """The chat id an outbox recipient names; anything else can never be delivered here."""
    if not recipient.startswith(PREFIX):
        raise PermanentSendError("recipient is not a Telegram chat")
    chat = recipient.removeprefix(PREFIX)
    if not chat.lstrip("-").isdigit():
        raise PermanentSendError("recipient has no numeric chat id")
    return int(chat)


def _button(raw: Any) -> Button:
    if not isinstance(raw, Mapping):
        raise PermanentSendError("payload button is not an object")
    label, action, payload = raw.get("label"), raw.get("action"), raw.get("payload", "")
    if not isinstance(label, str) or not isinstance(action, str) or not isinstance(payload, str):
        raise PermanentSendError("payload button needs label, action and payload strings")
    return Button(label, action, payload)


def reply_from_payload(payload: Mapping[str, Any]) -> tuple[Reply, str]:
    """Reads an outbox payload into a reply and the nonce for its buttons."""
    text = payload.get("text")
    if not isinstance(text, str) or not text.strip():
        raise PermanentSendError("payload has no text")
    rows = payload.get("buttons") or []
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise PermanentSendError("payload buttons are not a list of rows")
    buttons = tuple(tuple(_button(raw) for raw in row) for row in rows)
    nonce = payload.get("nonce", "")
    if not isinstance(nonce, str):
        raise PermanentSendError("payload nonce is not a string")
    return Reply(text, buttons, protect=bool(payload.get("protect", False))), nonce


async def _send_photos(bot: Bot, chat_id: int, photos: Any) -> None:
    """Sends the pictures a concern carries (by Telegram file id), protected from forwarding."""
    if not isinstance(photos, list):
        return
    for file_id in photos[:10]:
        if not isinstance(file_id, str):
            continue
        try:
            await bot.send_photo(chat_id, file_id, protect_content=True)
        except BadRequest as error:
            # The text has gone; a picture Telegram no longer has must not resend it.
            log.warning("outbox: a concern's picture could not be sent (%s)",
                        type(error).__name__)


async def delete_messages(bot: Bot, chat_id: int, payload: Mapping[str, Any]) -> None:
    """Deletes messages from a chat; one too old to delete has its text replaced instead."""
    ids = payload.get(DELETE_IDS)
    if not isinstance(ids, list) or not all(isinstance(i, int) for i in ids):
        raise PermanentSendError("payload message ids are not a list of numbers")
    replacement = payload.get(REPLACEMENT)
    for message_id in ids:
        try:
            await bot.delete_message(chat_id=chat_id, message_id=message_id)
        except Forbidden as error:
            raise PermanentSendError("the user blocked the bot or the chat is closed") from error
        except BadRequest as error:
            reason = error.message.lower()
            if "not found" in reason:
                continue  # already gone: the family deleted it, or an earlier attempt did
            if "can't be deleted" not in reason or not isinstance(replacement, str):
                raise
            # Telegram lets a bot delete its messages for 48 hours only; after that the
            # text is replaced, so the link is gone all the same.
            try:
                await bot.edit_message_text(replacement, chat_id=chat_id, message_id=message_id)
            except BadRequest as again:
                if "not modified" not in again.message.lower():
                    raise


def make_sender(bot: Bot) -> Sender:
    """Returns the outbox's send callback for this bot."""

    async def send(item: Claimed) -> list[int] | None:
        """Sends one claimed outbox message and returns the ids of the messages it became
        (the outbox queues their deletion where the payload asks); a chat that is gone is
        failed for good."""
        chat_id = chat_id_for(item.recipient)
        if DELETE_IDS in item.payload:
            await delete_messages(bot, chat_id, item.payload)
            return None
        reply, nonce = reply_from_payload(item.payload)
        try:
            messages = await send_reply(bot, chat_id, reply, nonce)
            await _send_photos(bot, chat_id, item.payload.get("photos"))
        except ValueError as error:
            # A button that does not encode will not encode on the next attempt either.
            raise PermanentSendError("payload buttons do not fit in callback data") from error
        except Forbidden as error:
            raise PermanentSendError("the user blocked the bot or the chat is closed") from error
        except BadRequest as error:
            if "chat not found" in error.message.lower():
                raise PermanentSendError("chat not found") from error
            raise
        return [message.message_id for message in messages]

    return send

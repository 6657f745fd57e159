"""Sends the outbox's claimed messages through the bot, rendered like any other reply."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from telegram import Bot
from telegram.error import BadRequest, Forbidden

from assistant.events import Button, Reply
from assistant.outbox import Claimed, PermanentSendError, Sender
from assistant.telegram.render import send_reply

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


def make_sender(bot: Bot) -> Sender:
    """Returns the outbox's send callback for this bot."""

    async def send(item: Claimed) -> None:
        """Sends one claimed outbox message; a chat that is gone is failed for good."""
        chat_id = chat_id_for(item.recipient)
        reply, nonce = reply_from_payload(item.payload)
        try:
            await send_reply(bot, chat_id, reply, nonce)
        except ValueError as error:
            # A button that does not encode will not encode on the next attempt either.
            raise PermanentSendError("payload buttons do not fit in callback data") from error
        except Forbidden as error:
            raise PermanentSendError("the user blocked the bot or the chat is closed") from error
        except BadRequest as error:
            if "chat not found" in error.message.lower():
                raise PermanentSendError("chat not found") from error
            raise

    return send

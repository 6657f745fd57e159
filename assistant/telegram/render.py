"""Turns the engine's replies into Bot API calls: text in parts, buttons, protected files."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message
from telegram.error import BadRequest, NetworkError

from assistant.bidi import bidi_safe
from assistant.events import Button, Reply, encode_button

# Telegram refuses a text message longer than this, counted in UTF-16 code units.
TEXT_LIMIT = 4096
# Telegram cuts a long button label short on screen anyway; cutting it here keeps the end
# readable ("...") and the keyboard a sensible width on a phone.
LABEL_LIMIT = 60
ELLIPSIS = "…"


@dataclass(frozen=True)
class Outgoing:
    """One Bot API call a reply becomes: a text message, or a file when document is set."""

    text: str
    markup: InlineKeyboardMarkup | None = None
    protect: bool = False
    document: tuple[str, bytes] | None = None

    def message_kwargs(self) -> dict[str, Any]:
        """Returns the keyword arguments of send_message for this part (chat id aside)."""
        return {"text": self.text, "reply_markup": self.markup, "protect_content": self.protect}

    def document_kwargs(self) -> dict[str, Any]:
        """Returns the keyword arguments of send_document for this part (chat id aside)."""
        if self.document is None:
            raise ValueError("this part is a text message, not a file")
        name, content = self.document
        return {
            "document": InputFile(content, filename=name),
            "caption": self.text or None,
            "reply_markup": self.markup,
            "protect_content": self.protect,
        }


def units(text: str) -> int:
    """Counts the UTF-16 code units Telegram measures a message in (an emoji can be two)."""
    return len(text.encode("utf-16-le")) // 2


def label(text: str) -> str:
    """Shortens a button label that would not fit on a phone's keyboard, at a word's end."""
    text = " ".join(text.split())
    if len(text) <= LABEL_LIMIT:
        return text
    head = text[: LABEL_LIMIT - len(ELLIPSIS) + 1]
    cut = head.rfind(" ")
    # A single word longer than the whole label can only be cut inside itself.
    head = head[:cut] if cut > LABEL_LIMIT // 2 else head[:-1]
    return head.rstrip(" ,;:-") + ELLIPSIS


def keyboard(
    rows: Sequence[Sequence[Button]], nonce: str
) -> InlineKeyboardMarkup | None:
    """Builds the inline keyboard for a reply's buttons, each stamped with the nonce."""
    if not rows:
        return None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(label(bidi_safe(button.label)),
                                     callback_data=encode_button(button, nonce))
                for button in row
            ]
            for row in rows
            if row
        ]
    )


def _prefix(text: str, limit: int) -> str:
    """The longest start of text that fits in limit code units."""
    used = 0
    for index, char in enumerate(text):
        used += units(char)
        if used > limit:
            return text[:index]
    return text


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Splits text into parts Telegram accepts, at paragraphs, else lines, else words."""
    parts: list[str] = []
    rest = text
    while units(rest) > limit:
        head = _prefix(rest, limit)
        for separator in ("\n\n", "\n", " "):
            cut = head.rfind(separator)
            if cut > 0:
                parts.append(head[:cut].rstrip())
                rest = rest[cut + len(separator):].lstrip()
                break
        else:
            # One unbroken run longer than a message (a pasted link, say): cut it anywhere.
            parts.append(head)
            rest = rest[len(head):]
    if rest.strip():
        parts.append(rest)
    return [part for part in parts if part.strip()]


def render(reply: Reply, nonce: str) -> list[Outgoing]:
    """Turns one reply into the calls that send it; its buttons go on the last part."""
    markup = keyboard(reply.buttons, nonce)
    texts = split_text(bidi_safe(reply.text)) if reply.text.strip() else []
    parts = [Outgoing(text, None, reply.protect) for text in texts]
    if reply.document is not None:
        # A file without words of its own carries the buttons; after text it goes last.
        parts.append(Outgoing("", None, reply.protect, reply.document))
    if not parts:
        return []
    last = parts[-1]
    parts[-1] = Outgoing(last.text, markup, last.protect, last.document)
    return parts


# Tries for one part of a reply when the connection to Telegram fails.
SEND_ATTEMPTS = 3


async def deliver(bot: Bot, chat_id: int | str, part: Outgoing) -> Message:
    """Makes the Bot API call for one part of a reply, trying again after a network failure:
    a reply lost to a dropped connection could be the help after a report of danger, and
    a second copy is better than none."""
    for attempt in range(1, SEND_ATTEMPTS + 1):
        try:
            if part.document is not None:
                return await bot.send_document(chat_id=chat_id, **part.document_kwargs())
            return await bot.send_message(chat_id=chat_id, **part.message_kwargs())
        except NetworkError as error:  # TimedOut and BadRequest are kinds of it
            if isinstance(error, BadRequest) or attempt == SEND_ATTEMPTS:
                raise  # Telegram refused the message itself: sending it again won't help
            await asyncio.sleep(0.5 * attempt)
    raise AssertionError("unreachable")


async def send_reply(bot: Bot, chat_id: int | str, reply: Reply, nonce: str) -> list[Message]:
    """Sends a reply to a chat, in as many messages as it needs."""
    return [await deliver(bot, chat_id, part) for part in render(reply, nonce)]

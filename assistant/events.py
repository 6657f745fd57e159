"""Transport-free conversation events and replies, and the wire form of a button."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Telegram allows 64 bytes of callback data; the whole encoded button must fit.
CALLBACK_LIMIT = 64
_ACTION = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
_TOKEN = re.compile(r"^[A-Za-z0-9_.:-]*$")


@dataclass(frozen=True)
class Button:
    """A choice offered with a reply: a label, and the action and payload it sends back."""

    label: str
    action: str
    payload: str = ""


@dataclass(frozen=True)
class Reply:
    """One message to the user: text, rows of buttons, and whether it may not be forwarded."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    protect: bool = False
    document: tuple[str, bytes] | None = None  # (file name, content) sent as a file
    menu: str | None = None  # "family" or "staff": the command menu this chat should now show
    menu_locale: str | None = None  # the menu's language (the chat's reader's), if known
    # Delete this chat's messages from this id up to the latest (a pupil's discreet mode).
    erase_from: str | None = None


@dataclass(frozen=True)
class Event:
    """Something a user did: sent text or a command, or pressed a button."""

    transport: str
    user_id: str
    chat_id: str
    text: str | None = None
    action: str | None = None
    payload: str = ""
    nonce: str = ""
    locale: str | None = None
    message_id: str | None = None
    attachments: tuple[str, ...] = field(default=())
    # "message" for anything a flow reads; "edit" for a changed message and "unsupported" for
    # an attachment the assistant can't read: only the danger check reads their text.
    kind: str = "message"

    @property
    def command(self) -> str | None:
        """Returns the command name ("help" for "/help@bot args"), or None."""
        if not self.text or not self.text.startswith("/"):
            return None
        # "/" alone, or "/" and spaces, is no command.
        words = self.text[1:].split(maxsplit=1)
        word = words[0] if words else ""
        name = word.split("@", 1)[0].lower()
        return name if re.fullmatch(r"[a-z0-9_]{1,32}", name) else None

    @property
    def argument(self) -> str:
        """Returns the text after a command ("CODE" in "/start CODE")."""
        if self.command is None or not self.text:
            return ""
        parts = self.text.split(maxsplit=1)
        return parts[1].strip() if len(parts) > 1 else ""


# Row ids are 32-bit signed in both databases: a larger number names no row, and asking the
# database for it would be an error (OverflowError in SQLite, DataError in PostgreSQL).
MAX_ROW_ID = 2**31 - 1


def row_id(text: str) -> int | None:
    """A database row id a button or a command carries, or None for anything that can't be."""
    if not text.isascii() or not text.isdigit() or len(text) > 10:
        return None
    value = int(text)
    return value if 0 < value <= MAX_ROW_ID else None


class BadButtonError(ValueError):
    """Callback data that no button of ours could have produced."""


def encode_button(button: Button, nonce: str) -> str:
    """Packs a button's action, the conversation nonce and its payload into callback data."""
    if not _ACTION.match(button.action) or not _TOKEN.match(button.payload):
        raise ValueError(f"button action or payload has characters not allowed: {button}")
    if not _TOKEN.match(nonce):
        raise ValueError("nonce has characters not allowed")
    data = f"{button.action}|{nonce}|{button.payload}"
    if len(data.encode()) > CALLBACK_LIMIT:
        raise ValueError(f"button data over {CALLBACK_LIMIT} bytes: {data!r}")
    return data


def decode_button(data: str) -> tuple[str, str, str]:
    """Unpacks callback data into (action, nonce, payload), refusing anything malformed."""
    if not data or len(data.encode()) > CALLBACK_LIMIT:
        raise BadButtonError("callback data of the wrong size")
    parts = data.split("|")
    if len(parts) != 3:
        raise BadButtonError("callback data without three parts")
    action, nonce, payload = parts
    if not _ACTION.match(action) or not _TOKEN.match(nonce) or not _TOKEN.match(payload):
        raise BadButtonError("callback data with characters not allowed")
    return action, nonce, payload

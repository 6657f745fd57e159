"""The console transport: the same conversations in a terminal, buttons as numbers."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TextIO

from assistant.db import transaction
from assistant.engine import Engine
from assistant.events import Button, Event
from assistant.seed import seed_demo

TRANSPORT = "console"


def user_id_for(role: str) -> str:
    """The console user id of the person at the terminal, by the part they play."""
    return f"terminal-{role}"


class Console:
    """Reads lines from a terminal, turns them into events, prints the replies."""

    def __init__(self, engine: Engine, *, role: str, out: TextIO = sys.stdout) -> None:
        self.engine, self.role, self.out = engine, role, out
        self.user_id = user_id_for(role)
        self.buttons: list[Button] = []
        self.nonce = ""

    def seed(self, school_id: str) -> bool:
        """Seeds the demo family and staff on first use, linked to the terminal's users."""
        with transaction(self.engine.db) as session:
            return seed_demo(session, school_id=school_id, transport=TRANSPORT,
                             user_ids={r: user_id_for(r) for r in ("parent", "staff")})

    def event_for(self, line: str) -> Event:
        """Turns a typed line into an event: a number picks a button, anything else is text."""
        text = line.strip()
        if text.isdigit() and 1 <= int(text) <= len(self.buttons):
            button = self.buttons[int(text) - 1]
            return Event(TRANSPORT, self.user_id, self.user_id, action=button.action,
                         payload=button.payload, nonce=self.nonce)
        return Event(TRANSPORT, self.user_id, self.user_id, text=text)

    def send(self, line: str) -> None:
        """Handles one typed line and prints what the assistant says back."""
        response = self.engine.handle(self.event_for(line))
        self.buttons = []
        self.nonce = response.nonce
        for reply in response.replies:
            if reply.erase_from is not None:
                self.out.write("\n[In Telegram, this part of the chat is now deleted.]\n")
            if not reply.text:
                continue
            self.out.write(f"\n{reply.text}\n")
            if reply.document is not None:
                self.out.write(f"[file: {reply.document[0]}]\n")
            for row in reply.buttons:
                for button in row:
                    self.buttons.append(button)
                    self.out.write(f"  [{len(self.buttons)}] {button.label}\n")
        self.out.flush()

    def run(self, read: Callable[[], str] = input) -> None:
        """Talks until end of input or /quit."""
        self.out.write("Type a question, /help, or a number to press a button. "
                       "/quit or Ctrl-D to leave.\n")
        self.send("/help")
        while True:
            try:
                line = read()
            except (EOFError, KeyboardInterrupt):
                self.out.write("\n")
                return
            if line.strip() in {"/quit", "/exit"}:
                return
            if line.strip():
                self.send(line)

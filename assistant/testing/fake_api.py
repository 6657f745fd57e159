"""A Bot API server for benchmarks that enforces Telegram's flood limits, over real HTTP.

It answers 429 (retry_after) when the bot sends more than 30 messages in any one second,
or a second message to one chat within a second, as Telegram does; it records every
message it accepts, per chat, so a benchmark can check that nobody was missed or doubled.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from urllib.parse import parse_qs

OVERALL_PER_SECOND = 30
PER_CHAT_SECONDS = 1.0
SENDS = {"sendMessage", "sendDocument", "sendPhoto"}
BOT = {"id": 777, "is_bot": True, "first_name": "Bench bot", "username": "bench_bot",
       "can_join_groups": False, "can_read_all_group_messages": False,
       "supports_inline_queries": False}


@dataclass
class Ledger:
    """What the server accepted and refused; shared between its request threads."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    recent: deque[float] = field(default_factory=deque)
    last_by_chat: dict[str, float] = field(default_factory=dict)
    delivered: Counter[str] = field(default_factory=Counter)
    refused: int = 0
    first: float | None = None
    last: float | None = None
    message_id: int = 0

    def admit(self, chat: str, now: float) -> tuple[float | None, int]:
        """Records a message as sent (its id), or says how long the bot must wait (a 429)."""
        with self.lock:
            while self.recent and now - self.recent[0] >= 1.0:
                self.recent.popleft()
            wait = 0.0
            if len(self.recent) >= OVERALL_PER_SECOND:
                wait = 1.0 - (now - self.recent[0])
            previous = self.last_by_chat.get(chat)
            if previous is not None and now - previous < PER_CHAT_SECONDS:
                wait = max(wait, PER_CHAT_SECONDS - (now - previous))
            if wait > 0:
                self.refused += 1
                return wait, 0
            self.recent.append(now)
            self.last_by_chat[chat] = now
            self.delivered[chat] += 1
            self.first = now if self.first is None else self.first
            self.last = now
            self.message_id += 1
            return None, self.message_id

    def total(self) -> int:
        with self.lock:
            return sum(self.delivered.values())


class Users(Protocol):
    """The people on the other side of a benchmark's Bot API: they send the bot updates
    (served to its getUpdates) and read what it sends them."""

    def updates(self, offset: int, timeout: float) -> list[dict[str, Any]]:
        """The updates from `offset` on, waiting up to `timeout` seconds for one."""

    def received(self, chat: str, params: dict[str, str], at: float) -> None:
        """Called for every message the server accepted for a chat."""


class _Server(ThreadingHTTPServer):
    request_queue_size = 128  # Telegram does not refuse connections when many come at once


class LimitedBotApi:
    """Runs the limit-enforcing Bot API on 127.0.0.1 in a background thread."""

    def __init__(self, latency: float = 0.0, users: Users | None = None) -> None:
        self.ledger = Ledger()
        ledger = self.ledger

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                """Answers one Bot API call."""
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode("utf-8", "replace")
                params = {k: v[0] for k, v in parse_qs(raw).items()}
                method = self.path.rsplit("/", 1)[-1]
                if latency:
                    time.sleep(latency)
                if method == "getUpdates" and users is not None:
                    found = users.updates(int(params.get("offset") or 0),
                                          min(float(params.get("timeout") or 0), 1.0))
                    self._answer(200, {"ok": True, "result": found})
                    return
                status, body = _result(ledger, method, params)
                if users is not None and status == 200 and method in SENDS:
                    users.received(params.get("chat_id", ""), params, time.time())
                self._answer(status, body)

            do_GET = do_POST  # noqa: N815 - getMe may come as a GET

            def _answer(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                # The bot may have gone away mid-request (a benchmark killed it).
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                """Stays quiet: a benchmark prints its own figures."""

        self.server = _Server(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> LimitedBotApi:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def _result(ledger: Ledger, method: str, params: dict[str, str]) -> tuple[int, dict[str, Any]]:
    if method == "getMe":
        return 200, {"ok": True, "result": BOT}
    if method not in SENDS:
        return 200, {"ok": True, "result": True}
    chat = params.get("chat_id", "")
    wait, message_id = ledger.admit(chat, time.monotonic())
    if wait is not None:
        retry = max(1, round(wait + 0.499))  # Telegram gives whole seconds
        return 429, {"ok": False, "error_code": 429,
                     "description": f"Too Many Requests: retry after {retry}",
                     "parameters": {"retry_after": retry}}
    message = {"message_id": message_id, "date": int(time.time()),
               "chat": {"id": int(chat) if chat.lstrip("-").isdigit() else 0,
                        "type": "private"},
               "text": params.get("text", "")}
    return 200, {"ok": True, "result": message}

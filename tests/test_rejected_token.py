"""A token Telegram rejects: one line saying so, exit code 2, and the token never printed."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.support.cli import run_process

TOKEN = "123456:rejected-token_ABCdefGHIjkl"


class Unauthorized(BaseHTTPRequestHandler):
    """A Bot API that refuses every token, as Telegram does a revoked one."""

    def do_POST(self) -> None:
        body = json.dumps({"ok": False, "error_code": 401,
                           "description": "Unauthorized"}).encode()
        self.send_response(401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST  # noqa: N815

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def refusing_api() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Unauthorized)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


def test_a_rejected_token_exits_2_with_one_line_and_no_token(refusing_api: str,
                                                               tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "WEBHOOK_URL"}}
    env.update(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=refusing_api,
               DATA_DIR=str(tmp_path / "data"))
    done = run_process("run", env=env, timeout=300)
    assert done.returncode == 2, done.stderr[-2000:]
    assert TOKEN not in done.stderr and TOKEN not in done.stdout
    assert "Traceback" not in done.stderr
    assert "rejected TELEGRAM_BOT_TOKEN" in done.stderr.strip().splitlines()[-1]

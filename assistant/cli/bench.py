"""`bench` commands: throughput of the Telegram application against a bare echo bot."""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

from assistant.cli import bench_invitations
from assistant.settings import Settings

QUESTIONS = (
    "what should my son wear for the live lesson",
    "can i record the zoom lesson",
    "is the school internet filtered",
    "/help",
    "how much is dinner money",
    "hi",
)


def _update(n: int, text: str) -> dict[str, Any]:
    user = 10_000 + n % 200  # 200 families taking turns
    message: dict[str, Any] = {
        "message_id": n, "date": 1_795_000_000, "text": text,
        "chat": {"id": user, "type": "private", "first_name": "Parent"},
        "from": {"id": user, "is_bot": False, "first_name": "Parent", "language_code": "en"},
    }
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0,
                                "length": len(text.split()[0])}]
    return {"update_id": n, "message": message}


async def _drive(application: Any, count: int) -> float:
    from telegram import Update

    updates = [Update.de_json(_update(n, QUESTIONS[n % len(QUESTIONS)]), application.bot)
               for n in range(count)]
    await application.initialize()
    started = time.perf_counter()
    for update in updates:
        await application.process_update(update)
    elapsed = time.perf_counter() - started
    await application.shutdown()
    return elapsed


async def _echo_rate(count: int) -> float:
    from telegram import Update
    from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

    from assistant.testing.loopback import LoopbackBotApi

    api = LoopbackBotApi()

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Sends the text straight back."""
        if update.effective_message is not None and update.effective_message.text:
            await update.effective_message.reply_text(update.effective_message.text)

    application = (ApplicationBuilder().token("123456:bench-token").request(api)
                   .get_updates_request(api).build())
    application.add_handler(MessageHandler(filters.ALL, echo))
    return count / await _drive(application, count)


async def _assistant_rate(count: int, folder: Path, *, rate_limited: bool) -> float:
    from assistant.runtime import build_engine
    from assistant.settings import load_settings
    from assistant.telegram.app import build_application
    from assistant.testing.loopback import LoopbackBotApi

    settings = load_settings({"DATA_DIR": str(folder), "TELEGRAM_BOT_TOKEN": "123456:bench"})
    engine = build_engine(settings)
    application = build_application(settings, engine, request=LoopbackBotApi(),
                                    rate_limited=rate_limited)
    return count / await _drive(application, count)


def bench_updates(args: argparse.Namespace, settings: Settings) -> int:
    """Prints updates a second for the assistant and for an echo bot on the same harness."""
    with tempfile.TemporaryDirectory() as folder:
        ours = asyncio.run(_assistant_rate(args.updates, Path(folder), rate_limited=False))
    echo = asyncio.run(_echo_rate(args.updates))
    print(f"updates: {args.updates} (private text messages and commands from 200 families)")
    print(f"assistant (handlers, flows, SQLite): {ours:,.0f} updates/s")
    print(f"bare echo bot:                       {echo:,.0f} updates/s")
    print(f"ratio assistant/echo: {ours / echo:.3f}")
    if args.with_rate_limiter:
        count = min(args.updates, 300)
        with tempfile.TemporaryDirectory() as folder:
            limited = asyncio.run(_assistant_rate(count, Path(folder), rate_limited=True))
        print(f"assistant with AIORateLimiter ({count} updates): {limited:,.1f} updates/s "
              "(Telegram allows about 30 messages a second overall)")
    return 0


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Adds `bench ...` to the command line."""
    bench = commands.add_parser("bench", help="measure throughput")
    sub = bench.add_subparsers(dest="bench_command", metavar="WHAT", required=True)
    updates = sub.add_parser("updates", help="Telegram updates a second: assistant vs echo bot")
    updates.add_argument("--updates", type=int, default=2000)
    updates.add_argument("--with-rate-limiter", action="store_true",
                         help="also run with the rate limiter the bot uses in production")
    updates.set_defaults(handler=bench_updates)
    bench_invitations.add_command(sub)

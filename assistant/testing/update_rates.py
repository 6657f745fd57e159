"""Updates a second through a Telegram Application: the assistant's, and a bare echo bot's."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

from assistant.runtime import build_engine
from assistant.settings import load_settings
from assistant.telegram.app import build_application
from assistant.testing.loopback import LoopbackBotApi

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
    updates = [Update.de_json(_update(n, QUESTIONS[n % len(QUESTIONS)]), application.bot)
               for n in range(count)]
    await application.initialize()
    started = time.perf_counter()
    for update in updates:
        await application.process_update(update)
    elapsed = time.perf_counter() - started
    await application.shutdown()
    return elapsed


async def echo_rate(count: int) -> float:
    api = LoopbackBotApi()

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Sends the text straight back."""
        if update.effective_message is not None and update.effective_message.text:
            await update.effective_message.reply_text(update.effective_message.text)

    application = (ApplicationBuilder().token("123456:bench-token").request(api)
                   .get_updates_request(api).build())
    application.add_handler(MessageHandler(filters.ALL, echo))
    return count / await _drive(application, count)


async def assistant_rate(count: int, folder: Path, *, rate_limited: bool) -> float:
    settings = load_settings({"DATA_DIR": str(folder), "TELEGRAM_BOT_TOKEN": "123456:bench"})
    engine = build_engine(settings)
    application = build_application(settings, engine, request=LoopbackBotApi(),
                                    rate_limited=rate_limited)
    return count / await _drive(application, count)

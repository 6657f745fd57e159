"""Builds and runs the Telegram bot: handlers, the outbox job, commands and description."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from telegram import Bot, Update
from telegram.error import InvalidToken
from telegram.ext import Application, ApplicationBuilder, ContextTypes, ExtBot
from telegram.ext import JobQueue as TelegramJobQueue
from telegram.request import BaseRequest

from assistant.concerns.service import escalate_all, record_delivery, warn_unreceived
from assistant.engine import Engine
from assistant.i18n import SOURCE_LOCALE, Gettext, available_locales, gettext_for
from assistant.live.expiry import queue_deletion
from assistant.outbox import Dispatcher
from assistant.outbox_drain import Drainer
from assistant.poller_lock import AlreadyPolling, polling_lock
from assistant.questions.service import remind_all
from assistant.send_budget import SendBudget
from assistant.settings import Settings, SettingsError
from assistant.telegram.delivery import make_sender
from assistant.telegram.handled_queue import HandleOnPut
from assistant.telegram.handlers import register
from assistant.telegram.menus import DEFAULT_COMMANDS, publish_commands, try_call
from assistant.telegram.pacing import PacedRateLimiter
from assistant.telegram.polling import run_polling

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE
JobQueue = TelegramJobQueue[Context]
BotApplication = Application[
    ExtBot[int], Context, dict[Any, Any], dict[Any, Any], dict[Any, Any], JobQueue
]

OUTBOX_JOB = "outbox"
OUTBOX_INTERVAL_SECONDS = 5
# Where Telegram posts updates when WEBHOOK_URL has no path of its own.
DEFAULT_WEBHOOK_PATH = "telegram"
# Telegram's limits for the bot's profile texts.
DESCRIPTION_LIMIT = 512
SHORT_DESCRIPTION_LIMIT = 120


def webhook_secret(token: str) -> str:
    """Derives the webhook's secret token from the bot token; it reveals nothing of it."""
    # Derived rather than random so every worker behind one webhook agrees on it.
    # Hex digits only: inside the [A-Za-z0-9_-]{1,256} Telegram allows.
    return hashlib.sha256(f"school-aup-assistant webhook:{token}".encode()).hexdigest()


def webhook_route(webhook_url: str) -> tuple[str, str]:
    """Returns (path to listen on, URL to give Telegram) for WEBHOOK_URL."""
    parts = urlsplit(webhook_url)
    path = parts.path.strip("/")
    if path:
        return path, webhook_url
    return DEFAULT_WEBHOOK_PATH, f"{webhook_url.rstrip('/')}/{DEFAULT_WEBHOOK_PATH}"


def descriptions(_: Gettext, school: str) -> tuple[str, str]:
    """The bot's description (shown before a chat starts) and short description (profile)."""
    long = _("I'm the online safety and remote learning assistant for {school}. Ask me about "
             "the school's acceptable use policy, live lessons and staying safe online, in "
             "your own words. If the school gave you a link, open it to connect your "
             "family.").format(school=school)
    short = _("Answers families' questions about {school}'s online safety and remote "
              "learning policy.").format(school=school)
    return long[:DESCRIPTION_LIMIT], short[:SHORT_DESCRIPTION_LIMIT]


async def publish_profile(bot: Bot, school: str) -> None:
    """Sets the command menu and the descriptions a family sees on opening the bot."""
    await publish_commands(bot, DEFAULT_COMMANDS)
    for locale in available_locales():
        long, short = descriptions(gettext_for(locale), school)
        language = None if locale == SOURCE_LOCALE else locale
        await try_call(f"setMyDescription ({locale})",
                   bot.set_my_description(long, language_code=language))
        await try_call(f"setMyShortDescription ({locale})",
                   bot.set_my_short_description(short, language_code=language))


def quiet_library_loggers() -> None:
    """Raises the library loggers above the levels that quote messages, links and the token."""
    # python-telegram-bot's DEBUG lines quote every update and Bot API call (what families
    # type, live-lesson links) and its API URL, which holds the token; httpx's INFO lines quote
    # request URLs too. Whatever LOG_LEVEL says, those levels stay off. httpcore's DEBUG lines
    # hold no secrets, but one poll every few seconds buries everything else.
    floor = logging.getLogger().getEffectiveLevel()
    quiet = (("telegram", logging.INFO), ("httpx", logging.WARNING), ("httpcore", logging.INFO))
    for name, level in quiet:
        library = logging.getLogger(name)
        library.setLevel(max(level, floor, library.level))


class HideToken(logging.Filter):
    """Keeps the bot's token out of every log line: the library quotes it when Telegram
    rejects it, in its message and in the traceback it attaches."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], InvalidToken):
            record.exc_info, record.exc_text = None, None
        message = record.getMessage()
        if self.token and self.token in message:
            record.msg, record.args = message.replace(self.token, "<token>"), None
        return True


def hide_token(token: str) -> None:
    """Puts the token filter on every handler of the root logger."""
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, HideToken) for f in handler.filters):
            handler.addFilter(HideToken(token))


def build_application(
    settings: Settings,
    engine: Engine,
    *,
    request: BaseRequest | None = None,
    rate_limited: bool = True,
) -> BotApplication:
    """Builds the bot: handlers, error handler, the outbox job and the start-up profile."""
    quiet_library_loggers()
    school = engine.schools[engine.default_school].name

    async def post_init(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        """Publishes the command menu and descriptions before the first update."""
        await publish_profile(application.bot, school)

    # Any: the builder's type parameters change with the rate limiter, chosen at run time.
    builder: Any = ApplicationBuilder().token(settings.require_token()).post_init(post_init)
    budget: SendBudget | None = None
    if rate_limited:
        # Keeps inside Telegram's limits (30 messages a second overall, 1 a second per chat,
        # 20 a minute per group); on a flood-wait answer it waits as told and tries again.
        # One message every 1/30 s rather than the default bucket of 30 a second, which lets
        # 30 go at once and 30 more within that same second (bench invitations: 33 answers
        # of 429 for 1,000 invitations with the default, none with this).
        # Each private chat is also kept to one message a second (telegram/pacing.py).
        # On PostgreSQL, where several workers may share the bot, the pace is kept in the
        # database for all of them together (assistant/send_budget.py).
        budget = SendBudget(engine.db) if engine.db.dialect.name == "postgresql" else None
        builder = builder.rate_limiter(PacedRateLimiter(budget, overall_max_rate=1,
                                                        overall_time_period=1 / 30,
                                                        max_retries=3))
    if settings.telegram_api_url:
        api = settings.telegram_api_url.rstrip("/")
        builder = builder.base_url(f"{api}/bot").base_file_url(f"{api}/file/bot")
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    handled = HandleOnPut()
    if settings.webhook_url:
        # The webhook answers Telegram once an update is handled, so a crash loses none.
        builder = builder.update_queue(handled)
    application = builder.build()
    handled.application = application
    handlers = register(application, engine)

    dispatcher = Dispatcher(
        db=engine.db, schools=engine.schools, send=make_sender(application.bot),
        clock=engine.clock, after_send=record_delivery, on_sent=queue_deletion,
        worker=settings.worker_id,
    )
    reclaimed = dispatcher.reclaim_own()
    if reclaimed:
        log.info("outbox: took back %s message(s) this worker had claimed when it stopped",
                 reclaimed)
    drain = Drainer(dispatcher)
    # An urgent concern queued while handling an update goes out at once, not at the next tick.
    handlers.wake_outbox = drain.wake

    async def run_outbox(context: Context) -> None:
        """Escalates overdue concerns, reminds staff of unanswered questions, then sends the
        outbox messages that are due."""
        escalated = await asyncio.to_thread(escalate_all, engine.db, engine.schools,
                                            engine.clock(), engine.services.concern_actions)
        if escalated:
            log.info("concerns: escalated %s", escalated)
        reminded = await asyncio.to_thread(remind_all, engine.db, engine.schools,
                                           engine.clock(), engine.services.question_actions)
        if reminded:
            log.info("questions: reminded or passed on %s", reminded)
        sent = await drain()
        if sent:
            log.info("outbox: sent %s message(s)", sent)
        if budget is not None:
            await asyncio.to_thread(budget.forget_idle)

    job_queue = application.job_queue
    if job_queue is None:
        raise RuntimeError("python-telegram-bot was installed without the job-queue extra")
    # Two instances: a tick during a long drain still escalates, and its drain() returns at once.
    job_queue.run_repeating(run_outbox, interval=OUTBOX_INTERVAL_SECONDS, first=1,
                            name=OUTBOX_JOB, job_kwargs={"max_instances": 2})
    return application


def run_bot(settings: Settings, *, default_school: str) -> None:
    """Runs the bot until stopped: long polling, or a webhook when WEBHOOK_URL is set."""
    from assistant.runtime import build_engine, settle_memory

    hide_token(settings.require_token())
    engine = build_engine(settings, default_school=default_school)
    warn_unreceived(engine.db, engine.schools)
    application = build_application(settings, engine)
    settle_memory()
    try:
        _serve(application, settings, engine.db)
    except InvalidToken:
        # The library's message quotes the token: say what is wrong without it.
        raise SettingsError("Telegram rejected TELEGRAM_BOT_TOKEN: check it with @BotFather "
                            "(/mybots, API Token)") from None


def _serve(application: BotApplication, settings: Settings, db: sa.Engine) -> None:
    """Serves updates until stopped: long polling, or a webhook when WEBHOOK_URL is set."""
    if settings.webhook_url:
        path, url = webhook_route(settings.webhook_url)
        log.info("starting the bot with a webhook on port %s", settings.port)
        application.run_webhook(
            listen="0.0.0.0",  # the platform's router sits in front
            port=settings.port,
            url_path=path,
            webhook_url=url,
            secret_token=webhook_secret(settings.require_token()),
            allowed_updates=Update.ALL_TYPES,
        )
    else:
        try:
            with polling_lock(db):
                log.info("starting the bot with long polling")
                # Each update is confirmed to Telegram only once handled, so a crash loses none.
                run_polling(application, allowed_updates=Update.ALL_TYPES)
        except AlreadyPolling as refused:
            raise SettingsError(str(refused)) from None

"""Settings from the environment, built once when the program starts."""

from __future__ import annotations

import os
import re
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from assistant.models import clock_start

LOG_LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")
_PLACEHOLDER_TOKENS = {"changeme", "change-me", "your-token-here", "token", "xxx", "secret"}


class SettingsError(ValueError):
    """A setting is missing or malformed; the message is one line for the operator."""


@dataclass(frozen=True)
class Settings:
    """Everything the program reads from its environment."""

    database_url: str
    data_dir: Path
    schools_dir: Path | None = None
    log_level: str = "INFO"
    telegram_api_url: str | None = None
    webhook_url: str | None = None
    port: int = 8443
    # This process's stable name among the workers sharing the database: at start it takes
    # back the outbox rows its previous run had claimed when it stopped (WORKER_ID).
    worker_id: str = "worker-1"
    # The token is kept out of repr() so it never reaches a log line.
    telegram_bot_token: str | None = field(default=None, repr=False)

    def require_token(self) -> str:
        """Returns the bot token, or explains that it is needed."""
        if not self.telegram_bot_token:
            raise SettingsError("TELEGRAM_BOT_TOKEN is required to run the bot")
        return self.telegram_bot_token


def _url(name: str, value: str, schemes: tuple[str, ...]) -> str:
    parsed = urlparse(value)
    if parsed.scheme not in schemes or not parsed.netloc:
        raise SettingsError(f"{name} must be a {' or '.join(schemes)} URL, got {value!r}")
    return value.rstrip("/")


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Builds the settings from the environment, refusing malformed values."""
    env = os.environ if env is None else env
    data_dir = Path(env.get("DATA_DIR", "data")).resolve()

    database_url = env.get("DATABASE_URL", "").strip()
    if not database_url:
        database_url = f"sqlite:///{data_dir / 'assistant.sqlite3'}"
    elif not database_url.startswith(("sqlite:", "postgresql")):
        raise SettingsError("DATABASE_URL must start with sqlite:// or postgresql+psycopg://")

    token = env.get("TELEGRAM_BOT_TOKEN", "").strip() or None
    if token is not None and (token.lower() in _PLACEHOLDER_TOKENS or ":" not in token):
        raise SettingsError("TELEGRAM_BOT_TOKEN does not look like a token from @BotFather")

    api_url = env.get("TELEGRAM_API_URL", "").strip() or None
    if api_url:
        api_url = _url("TELEGRAM_API_URL", api_url, ("http", "https"))
    webhook = env.get("WEBHOOK_URL", "").strip() or None
    if webhook:
        webhook = _url("WEBHOOK_URL", webhook, ("https", "http"))

    port_text = env.get("PORT", "8443").strip()
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise SettingsError(f"PORT must be a number from 1 to 65535, got {port_text!r}")

    level = env.get("LOG_LEVEL", "INFO").strip().upper()
    if level not in LOG_LEVELS:
        raise SettingsError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, got {level!r}")

    default_worker = re.sub(r"[^A-Za-z0-9._-]", "-", socket.gethostname())[:36] + "-1"
    worker = env.get("WORKER_ID", "").strip() or default_worker
    if not re.fullmatch(r"[A-Za-z0-9._-]{1,40}", worker):
        raise SettingsError("WORKER_ID must be 1-40 letters, digits, dots, dashes or "
                            f"underscores, got {worker!r}")

    try:
        clock_start()
    except ValueError as error:
        raise SettingsError(str(error)) from None

    schools_text = env.get("SCHOOLS_DIR", "").strip()
    schools_dir = Path(schools_text) if schools_text else None
    if schools_dir is not None and not schools_dir.is_dir():
        raise SettingsError(f"SCHOOLS_DIR {schools_text!r} is not a folder")

    return Settings(
        database_url=database_url,
        data_dir=data_dir,
        schools_dir=schools_dir,
        log_level=level,
        telegram_api_url=api_url,
        webhook_url=webhook,
        port=int(port_text),
        worker_id=worker,
        telegram_bot_token=token,
    )

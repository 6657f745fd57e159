"""Every command of the command-line interface; each fails with one clear line."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from assistant.cli import admin, bench, danger, export, faq
from assistant.cli.common import Handler, Register, school_arg
from assistant.cli.errors import UsageError
from assistant.faq.content import ContentError
from assistant.safety.labelled import TrainingError
from assistant.schools import ProfileError
from assistant.settings import Settings, SettingsError, load_settings

# Each command module adds its commands with the same one-argument shape.
REGISTERS: tuple[Register, ...] = (
    faq.add_commands, danger.add_commands, bench.add_commands, admin.add_commands,
    export.add_commands)


def _chat(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.console import Console
    from assistant.runtime import build_engine

    engine = build_engine(settings, default_school=args.school)
    console = Console(engine, role=args.role)
    if console.seed(args.school):
        print(f"Seeded {args.school}: class 3B and 1A, a parent (Noor Khan, two children) "
              "and staff, linked to this terminal.")
    prompt = "> " if sys.stdin.isatty() else ""
    console.run(lambda: input(prompt))
    return 0


def _run(args: argparse.Namespace, settings: Settings) -> int:
    settings.require_token()
    from assistant.telegram.app import run_bot

    run_bot(settings, default_school=args.school)
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="python -m assistant",
        description="The school AUP assistant: FAQ, agreements, live lessons and concerns.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    chat = commands.add_parser("chat", help="talk to the assistant in this terminal")
    school_arg(chat)
    chat.add_argument("--as", dest="role", choices=("parent", "pupil", "staff"),
                      default="parent", help="who you are in the conversation")
    chat.set_defaults(handler=_chat)

    run = commands.add_parser("run", help="run the Telegram bot (TELEGRAM_BOT_TOKEN required)")
    school_arg(run)
    run.set_defaults(handler=_run)

    for register in REGISTERS:
        register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Runs one command; returns the exit code (2 for bad input or configuration)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
        logging.basicConfig(
            level=settings.log_level,
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        )
        # httpx logs every request URL, and a Bot API URL contains the token.
        logging.getLogger("httpx").setLevel(logging.WARNING)
        # Alembic narrates every start-up's migration check; keep that for DEBUG.
        if settings.log_level != "DEBUG":
            logging.getLogger("alembic").setLevel(logging.WARNING)
            logging.getLogger("apscheduler").setLevel(logging.WARNING)
        handler: Handler = args.handler
        return handler(args, settings)
    except (SettingsError, ProfileError, ContentError, UsageError, TrainingError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader went away ("| head"): nothing more to say
        sys.stderr.close()
        return 0

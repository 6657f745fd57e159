"""`bench` commands: throughput of the Telegram application against a bare echo bot."""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from pathlib import Path

from assistant.cli import bench_crash, bench_invitations, bench_outbox
from assistant.settings import Settings


def bench_updates(args: argparse.Namespace, settings: Settings) -> int:
    """Prints updates a second for the assistant and for an echo bot on the same harness."""
    # Imported here: the Telegram stack is only needed by this command, not by every command.
    from assistant.testing.update_rates import assistant_rate, echo_rate

    with tempfile.TemporaryDirectory() as folder:
        ours = asyncio.run(assistant_rate(args.updates, Path(folder), rate_limited=False))
    echo = asyncio.run(echo_rate(args.updates))
    print(f"updates: {args.updates} (private text messages and commands from 200 families)")
    print(f"assistant (handlers, flows, SQLite): {ours:,.0f} updates/s")
    print(f"bare echo bot:                       {echo:,.0f} updates/s")
    print(f"ratio assistant/echo: {ours / echo:.3f}")
    if args.with_rate_limiter:
        count = min(args.updates, 300)
        with tempfile.TemporaryDirectory() as folder:
            limited = asyncio.run(assistant_rate(count, Path(folder), rate_limited=True))
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
    bench_crash.add_command(sub)
    bench_outbox.add_command(sub)

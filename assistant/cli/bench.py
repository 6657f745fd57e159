"""`bench` commands: throughput of the Telegram application against a bare echo bot."""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
from pathlib import Path

from assistant.cli import bench_crash, bench_invitations, bench_outbox
from assistant.cli.errors import UsageError
from assistant.settings import Settings


def bench_updates(args: argparse.Namespace, settings: Settings) -> int:
    """Prints updates a second for the assistant and for an echo bot on the same harness,
    in alternating rounds, and the median of the rounds' ratios: on a shared machine one
    round of each can meet different neighbours."""
    # Imported here: the Telegram stack is only needed by this command, not by every command.
    from assistant.testing.update_rates import assistant_rate, echo_rate

    if not 1 <= args.updates <= 1_000_000:
        raise UsageError("--updates must be between 1 and 1000000")
    if not 1 <= args.rounds <= 50:
        raise UsageError("--rounds must be between 1 and 50")
    print(f"updates: {args.updates} a round (private text messages and commands from 200 "
          f"families), {args.rounds} round(s), assistant then echo bot in each")
    ratios: list[float] = []
    for round_number in range(1, args.rounds + 1):
        with tempfile.TemporaryDirectory() as folder:
            ours = asyncio.run(assistant_rate(args.updates, Path(folder), rate_limited=False))
        echo = asyncio.run(echo_rate(args.updates))
        ratios.append(ours / echo)
        print(f"round {round_number}: assistant (handlers, flows, SQLite) {ours:,.0f} "
              f"updates/s; bare echo bot {echo:,.0f} updates/s; ratio {ours / echo:.3f}")
    print(f"ratio assistant/echo: {statistics.median(ratios):.3f} (median of {len(ratios)})")
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
    updates.add_argument("--updates", type=int, default=2000, help="updates a round")
    updates.add_argument("--rounds", type=int, default=3,
                         help="alternating rounds of each; the ratio printed last is their "
                              "median (default 3)")
    updates.add_argument("--with-rate-limiter", action="store_true",
                         help="also run with the rate limiter the bot uses in production")
    updates.set_defaults(handler=bench_updates)
    bench_invitations.add_command(sub)
    bench_crash.add_command(sub)
    bench_outbox.add_command(sub)

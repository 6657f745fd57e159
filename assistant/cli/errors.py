"""The one error a command raises for bad input: shown as one line, exit code 2."""

from __future__ import annotations


class UsageError(Exception):
    """Bad input on the command line; the message is shown as one line."""

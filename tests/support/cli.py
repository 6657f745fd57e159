"""Runs the command line in this process, as `python -m assistant ...` would, but fast.

One smoke test per command still starts a real process (see test_command_line_smoke.py); the
rest call `main()` here with the environment, standard input and output swapped for the call.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping

from assistant import models
from assistant.cli.main import main


@contextlib.contextmanager
def _environment(env: Mapping[str, str]) -> Iterator[None]:
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def run_cli(*args: str, env: Mapping[str, str] | None = None,
            stdin: str = "") -> subprocess.CompletedProcess[str]:
    """Runs one command in-process; returns its exit code, stdout and stderr like a process."""
    # A fresh process reads ASSISTANT_CLOCK anew: its clock starts at the setting now.
    models.forget_clock()
    out, err = io.StringIO(), io.StringIO()
    saved_stdin = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        with _environment(env if env is not None else os.environ), \
                contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(list(args))
            except SystemExit as exit_:  # argparse's own usage errors
                code = exit_.code if isinstance(exit_.code, int) else 1
    finally:
        sys.stdin = saved_stdin
    return subprocess.CompletedProcess(["assistant", *args], code, out.getvalue(), err.getvalue())


def run_process(*args: str, env: Mapping[str, str] | None = None, stdin: str = "",
                timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Runs `python -m assistant ...` in a real process, for the smoke tests."""
    return subprocess.run([sys.executable, "-m", "assistant", *args], input=stdin,
                          capture_output=True, text=True, env=dict(env or os.environ),
                          timeout=timeout, check=False)

"""Two bot workers on one PostgreSQL database send a year group's invitations together through
a Bot API that enforces Telegram's limits: none missed, no 429, none twice (at most the one
message in flight when a worker is killed for good half-way)."""

from __future__ import annotations

import os

import pytest

from assistant.cli.bench_invitations import _workers_on_postgres

URL = os.environ.get("TEST_POSTGRES_URL", "")


@pytest.mark.skipif(not URL, reason="needs PostgreSQL (TEST_POSTGRES_URL); .ci/run sets it up")
@pytest.mark.parametrize("kill_one", [False, True], ids=["both-live", "one-killed"])
def test_two_workers_invite_every_family_once_within_telegrams_limits(kill_one: bool) -> None:
    assert _workers_on_postgres(URL, 150, 2, 0, timeout=300, kill_one=kill_one) == 0

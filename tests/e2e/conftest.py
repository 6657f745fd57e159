"""Fixtures for the end-to-end tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.harness import running_bot
from tests.e2e.test_telegram_e2e import Emulator


@pytest.fixture
def live(tmp_path: Path) -> Iterator[tuple[Emulator, Path]]:
    """The bot and the emulator, the demo school open at every hour (the outbox sends now)."""
    yield from running_bot(tmp_path)

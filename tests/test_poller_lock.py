"""Only one worker polls Telegram for a database; a second is refused at start."""

from __future__ import annotations

import pytest

from assistant.poller_lock import AlreadyPolling, polling_lock


def test_a_second_poller_on_the_same_database_is_refused(db) -> None:
    with (polling_lock(db), pytest.raises(AlreadyPolling, match="already polling"),
          polling_lock(db)):
        pass


def test_the_lock_is_free_again_once_the_first_poller_stops(db) -> None:
    with polling_lock(db):
        pass
    with polling_lock(db):
        pass

"""What an ordinary message costs the database: the account and its conversation are read in
one statement, and the update writes at most its conversation and the flow's own row."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from assistant.engine import Engine
from tests.conftest import Clock
from tests.family import Person, add_family, add_staff

ORDINARY = (
    "hi",
    "can i record the zoom lesson",  # answered from the FAQ
    "/help",
    "how much is dinner money",  # not in the FAQ: kept, and the school offered
    "is the school internet filtered",
    "thanks",
)


@contextmanager
def counted(db: sa.Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def note(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        statements.append(statement)

    sa.event.listen(db, "before_cursor_execute", note)
    try:
        yield statements
    finally:
        sa.event.remove(db, "before_cursor_execute", note)


@pytest.mark.parametrize("who", ["a stranger", "a linked parent", "a linked teacher"])
def test_an_ordinary_message_takes_at_most_three_statements(
        engine: Engine, db: sa.Engine, clock: Clock, who: str) -> None:
    person = Person(engine, "7001")
    if who == "a linked parent":
        person.say(add_family(db, clock.now, parent="Amina",
                              children=[("Sami", "3B", "3"), ("Lina", "5A", "5")]))
    elif who == "a linked teacher":
        person.say(add_staff(db, clock.now, name="Mr Hale", role="teacher", class_code="3B"))
    for text in ORDINARY:  # each once, so the conversation exists as it does later on
        person.say(text)
    for text in ORDINARY:
        with counted(db) as statements:
            reply = person.say(text)
        assert reply.replies, text
        assert len(statements) <= 3, (who, text, statements)

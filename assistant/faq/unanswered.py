"""Questions the FAQ could not answer, kept without a name so staff can improve the answers."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session

from assistant.models import UnansweredQuestion, utcnow

# Only this much of a question is kept for staff to read; the rest adds nothing to the FAQ.
KEEP_CHARS = 1000


# One row written as it is (nothing reads it back in the same update): a plain INSERT, without
# the ORM's bookkeeping for an object.
_KEEP = sa.insert(UnansweredQuestion.__table__)  # type: ignore[attr-defined]


def record_unanswered(*, session: Session, school_id: str, locale: str, text: str,
                      reason: str) -> None:
    """Keeps a question the FAQ did not answer well, and why, without who asked it."""
    session.connection().execute(_KEEP, {
        "school_id": school_id, "locale": locale, "text": text[:KEEP_CHARS],
        "reason": reason, "created_at": utcnow()})

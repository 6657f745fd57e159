"""Questions the FAQ could not answer, kept without a name so staff can improve the answers."""

from __future__ import annotations

from sqlmodel import Session

from assistant.models import UnansweredQuestion

# Only this much of a question is kept for staff to read; the rest adds nothing to the FAQ.
KEEP_CHARS = 1000


def record_unanswered(*, session: Session, school_id: str, locale: str, text: str,
                      reason: str) -> None:
    """Keeps a question the FAQ did not answer well, and why, without who asked it."""
    session.add(UnansweredQuestion(
        school_id=school_id, locale=locale, text=text[:KEEP_CHARS], reason=reason
    ))

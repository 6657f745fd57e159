"""A school's own phrasings: family wordings staff said an FAQ entry answers, as the school chose.

When a member of staff answers a question with "this is what entry X says", the family's words
become a candidate phrasing for X at that school. The school's admin accepts candidates
(`faq candidates --accept`); from then on the matcher answers those words, and words very close
to them, with X, at that school only. The shipped FAQ is never edited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from rapidfuzz import fuzz, process
from sqlmodel import Session, col, select

from assistant.faq.normalise import words
from assistant.models import FaqCandidate

MAX_TEXT = 400
# How close (rapidfuzz ratio, 0-100, on normalised words) a question must be to an accepted
# phrasing to be answered by it: a typo or a word's ending, not a different question.
CLOSE_ENOUGH = 92


def normalised(question: str) -> str:
    """The form phrasings are compared in: words, with texting forms and spellings put right."""
    return " ".join(words(question))[:MAX_TEXT]


def as_typed(question: str) -> str:
    """The form a candidate is stored and listed in: the family's words, lower case."""
    return " ".join(question.lower().split())[:MAX_TEXT]


def add_candidate(*, session: Session, school_id: str, locale: str, entry_id: str,
                  question: str, now: datetime) -> FaqCandidate | None:
    """Counts a family's wording as a candidate phrasing for an entry at a school."""
    text = as_typed(question)
    if not text:
        return None
    found = session.exec(select(FaqCandidate).where(
        FaqCandidate.school_id == school_id, FaqCandidate.locale == locale,
        FaqCandidate.entry_id == entry_id, FaqCandidate.text == text)).first()
    if found is not None:
        found.count += 1
        session.add(found)
        return found
    candidate = FaqCandidate(school_id=school_id, locale=locale, entry_id=entry_id, text=text,
                             created_at=now)
    session.add(candidate)
    return candidate


def candidates(*, session: Session, school_id: str,
               accepted: bool | None = None) -> list[FaqCandidate]:
    """A school's candidate phrasings, most asked first (optionally only (not) accepted)."""
    query = select(FaqCandidate).where(FaqCandidate.school_id == school_id)
    if accepted is not None:
        query = query.where(FaqCandidate.accepted == accepted)
    return list(session.exec(query.order_by(col(FaqCandidate.count).desc(),
                                            col(FaqCandidate.id))))


@dataclass(frozen=True)
class Accepted:
    """What accepting did: the ids accepted now, and the ids that were not the school's."""

    accepted: list[int]
    unknown: list[int]


def accept(*, session: Session, school_id: str, ids: list[int], now: datetime) -> Accepted:
    """Accepts candidates by id as the school's own phrasings."""
    done, unknown = [], []
    for cid in ids:
        candidate = session.get(FaqCandidate, cid)
        if candidate is None or candidate.school_id != school_id:
            unknown.append(cid)
            continue
        if not candidate.accepted:
            candidate.accepted, candidate.accepted_at = True, now
            session.add(candidate)
        done.append(cid)
    return Accepted(done, unknown)


# Read on every question, so built once and run with bound values.
_ACCEPTED = select(FaqCandidate.text, FaqCandidate.entry_id).where(
    FaqCandidate.school_id == sa.bindparam("school_id"),
    FaqCandidate.locale == sa.bindparam("locale"),
    col(FaqCandidate.accepted).is_(True))

_TABLE: sa.Table = FaqCandidate.__table__  # type: ignore[attr-defined]
# How many phrasings are accepted, at every school: the revision of what the matcher answers
# from them. A phrasing is never deleted, edited or un-accepted once accepted (only its ask
# count moves), so every change to what is accepted raises this number. The update's lookup
# reads it as one of its columns, through an index on `accepted`.
ACCEPTED_REVISION = (sa.select(sa.func.count()).select_from(_TABLE)
                     .where(_TABLE.c.accepted == sa.true()).scalar_subquery())


def _closest(rows: list[tuple[str, str]], question: str) -> str | None:
    """The entry of the normalised phrasing closest to a question, if close enough."""
    if not rows:
        return None
    text = normalised(question)
    if not text:
        return None
    best = process.extractOne(text, [t for t, _ in rows], scorer=fuzz.ratio,
                              score_cutoff=CLOSE_ENOUGH)
    return rows[best[2]][1] if best is not None else None


def _read(session: Session, school_id: str, locale: str) -> list[tuple[str, str]]:
    """A school's accepted phrasings in a locale, normalised, with their entries."""
    rows = session.execute(_ACCEPTED, {"school_id": school_id, "locale": locale}).all()
    return [(normalised(text), entry_id) for text, entry_id in rows]


def school_answer(*, session: Session, school_id: str, locale: str,
                  question: str) -> str | None:
    """The entry a school's accepted phrasing gives this question, if one is close enough."""
    return _closest(_read(session, school_id, locale), question)


class SchoolPhrasings:
    """Every school's accepted phrasings as one database holds them, read again only when
    the accepted count (ACCEPTED_REVISION) has moved. One per database: never share it."""

    def __init__(self) -> None:
        self._kept: dict[tuple[str, str], tuple[int, list[tuple[str, str]]]] = {}

    def answer(self, *, session: Session, school_id: str, locale: str, question: str,
               revision: int | None) -> str | None:
        """As school_answer; `revision` is ACCEPTED_REVISION read in this transaction (None
        when it was not read: then the phrasings are read now)."""
        if revision is None:
            return school_answer(session=session, school_id=school_id, locale=locale,
                                 question=question)
        kept = self._kept.get((school_id, locale))
        if kept is None or kept[0] != revision:
            kept = (revision, _read(session, school_id, locale))
            self._kept[(school_id, locale)] = kept
        return _closest(kept[1], question)

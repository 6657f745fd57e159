"""Flagged messages, kept so that one tap can raise them as an urgent concern, or (where no
phrase said in earnest raised the alarm) have them answered as the question they may have been."""

from __future__ import annotations

from sqlmodel import Session

from assistant.events import row_id
from assistant.models import DangerReport
from assistant.safety.check import Danger


def record_report(*, session: Session, account_id: int, school_id: str, text: str,
                  danger: Danger, locale: str) -> DangerReport:
    """Keeps a flagged message (in the caller's transaction) and returns it with its id."""
    report = DangerReport(account_id=account_id, school_id=school_id, text=text[:4096],
                          kinds=list(danger.kinds), locale=locale)
    session.add(report)
    session.flush()
    return report


def report_for(*, session: Session, account_id: int, report_id: str) -> DangerReport | None:
    """The sender's own flagged message by its id, if it has not been raised already."""
    number = row_id(report_id)
    if number is None:
        return None
    report = session.get(DangerReport, number)
    if report is None or report.account_id != account_id or report.concern_id is not None:
        return None
    return report


def own_report(*, session: Session, account_id: int, report_id: str) -> DangerReport | None:
    """The sender's own flagged message by its id, raised or not."""
    number = row_id(report_id)
    report = session.get(DangerReport, number) if number is not None else None
    return report if report is not None and report.account_id == account_id else None


def mark_raised(*, session: Session, report_id: int, concern_id: int) -> None:
    """Records that a flagged message became a concern, so it is not raised twice."""
    report = session.get(DangerReport, report_id)
    if report is not None:
        report.concern_id = concern_id
        session.add(report)

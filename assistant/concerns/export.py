"""The concerns export: the record a DSL transfers into CPOMS or MyConcern."""

from __future__ import annotations

from sqlmodel import Session, col, select

from assistant.concerns.service import summary
from assistant.models import Concern, ConcernEvent, ConcernStep, Staff
from assistant.schools import School

COLUMNS = ["reference", "raised_at", "urgent", "category", "child", "class", "raised_by",
           "account_of_concern", "pictures", "status", "acknowledged_at", "acknowledged_by",
           "resolved_at", "resolved_by", "outcome", "history"]
WARNING = ("warning: this file holds safeguarding information about children. Keep it on a "
           "school device, move it into your safeguarding system, then delete it.")


def concern_rows(session: Session, school: School) -> list[list[str]]:
    """One row per concern with its history, oldest first; times in the school's timezone."""
    def when(at: object) -> str:
        return at.astimezone(school.tz).strftime("%Y-%m-%d %H:%M")  # type: ignore[attr-defined]

    names = {s.id: s.name for s in session.exec(select(Staff).where(
        Staff.school_id == school.id))}
    rows: list[list[str]] = []
    for concern in session.exec(select(Concern).where(Concern.school_id == school.id)
                                .order_by(col(Concern.created_at))):
        s = summary(session, concern)
        history = list(session.exec(select(ConcernEvent).where(
            ConcernEvent.concern_id == concern.id).order_by(col(ConcernEvent.at),
                                                             col(ConcernEvent.id))))
        ack = next((e for e in history if e.event == ConcernStep.ACKNOWLEDGED), None)
        done = next((e for e in history if e.event == ConcernStep.RESOLVED), None)
        steps = "; ".join(
            f"{when(e.at)} {e.event}" + (f" ({names.get(e.staff_id, '')})" if e.staff_id else "")
            for e in history)
        rows.append([
            concern.reference, when(concern.created_at), "yes" if concern.urgent else "no",
            concern.category, s.child, s.class_code, s.sender, concern.text,
            str(len(concern.photos)), concern.status,
            when(ack.at) if ack else "", names.get(ack.staff_id, "") if ack else "",
            when(done.at) if done else "", names.get(done.staff_id, "") if done else "",
            done.note if done else "", steps,
        ])
    return rows

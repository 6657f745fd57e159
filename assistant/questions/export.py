"""The questions export: what families asked the school, who it went to, who answered, when."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from assistant.models import QuestionEvent, QuestionStep, SchoolQuestion, Staff
from assistant.questions.service import summary
from assistant.schools import School

COLUMNS = ["reference", "asked_at", "question", "locale", "child", "class", "asked_by",
           "routed_to", "status", "answered_by", "answered_at", "answer", "faq_entry",
           "history"]


def question_rows(session: Session, school: School) -> list[list[str]]:
    """One row per question with its history, oldest first; times in the school's timezone."""
    def when(at: datetime | None) -> str:
        return at.astimezone(school.tz).strftime("%Y-%m-%d %H:%M") if at else ""

    names = {s.id: s.name for s in session.exec(select(Staff).where(
        Staff.school_id == school.id))}
    rows: list[list[str]] = []
    for question in session.exec(select(SchoolQuestion).where(
            SchoolQuestion.school_id == school.id).order_by(col(SchoolQuestion.created_at),
                                                             col(SchoolQuestion.id))):
        s = summary(session, question)
        history = list(session.exec(select(QuestionEvent).where(
            QuestionEvent.question_id == question.id).order_by(col(QuestionEvent.at),
                                                               col(QuestionEvent.id))))
        routed = ", ".join(dict.fromkeys(
            names.get(e.staff_id, "") for e in history
            if e.event == QuestionStep.ROUTED and e.staff_id)) or question.routed_role
        steps = "; ".join(
            f"{when(e.at)} {e.event}" + (f" ({names.get(e.staff_id, '')})" if e.staff_id else "")
            for e in history)
        rows.append([
            question.reference, when(question.created_at), question.text, question.locale,
            s.child, s.class_code, s.sender, routed, question.status,
            names.get(question.answered_by, "") if question.answered_by else "",
            when(question.answered_at), question.answer, question.entry_id, steps,
        ])
    return rows

"""Builds the running assistant from settings: database, schools, FAQ, flows, engine."""

from __future__ import annotations

import gc
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

import sqlalchemy as sa
from sqlmodel import Session

from assistant.concerns.service import StaffActions, can_receive_urgent
from assistant.db import make_engine, migrate
from assistant.engine import Engine, SafetyNet
from assistant.faq.content import faq_locales, load_entries, load_phrasings
from assistant.faq.matcher import Matcher, build_matcher
from assistant.i18n import SOURCE_LOCALE
from assistant.models import SchoolRow, utcnow
from assistant.questions.service import QuestionActions
from assistant.safety.check import DangerCheck, build_check
from assistant.schools import School, load_profiles
from assistant.settings import Settings
from flows import (
    ANSWER_ACTION,
    CONCERN_ACTIONS,
    OUTBOX_ACTIONS,
    QUESTION_ACTIONS,
    URGENT_ACTION,
    all_flows,
)

DEFAULT_SCHOOL = "demo"
# FAQ topics whose phrasings are often reports of harm: not taught to the danger check as safe.
REPORT_TOPICS = frozenset({"stranger-contact", "cyberbullying", "upsetting-content",
                           "report-concern"})


@dataclass
class Services:
    """What flows share beyond the database: the school profiles and the FAQ matchers."""

    schools: dict[str, School]
    matchers: dict[str, Matcher]
    # The staff buttons on concern messages (the concerns staff flow's entry actions).
    concern_actions: StaffActions
    # The staff buttons on questions passed to the school (the questions staff flow's).
    question_actions: QuestionActions

    def matcher(self, locale: str) -> Matcher:
        """The matcher for a locale's FAQ (English for a language with no FAQ of its own:
        a question is never answered from another language's entries)."""
        return self.matchers.get(locale) or self.matchers["en"]


def sync_schools(db: sa.Engine, schools: dict[str, School]) -> None:
    """Makes sure every profiled school has its row, with the profile's current name."""
    with Session(db) as session:
        for school in schools.values():
            row = session.get(SchoolRow, school.id)
            if row is None:
                session.add(SchoolRow(id=school.id, name=school.name))
            elif row.name != school.name:
                row.name = school.name
                session.add(row)
        session.commit()


def ordinary_questions() -> list[str]:
    """Ordinary school questions for the danger check to learn as safe: every locale's FAQ
    entries (question and alternates) and the English training questions, except the topics
    whose phrasings are often reports of harm. (Every language's training questions as well
    made the check miss more on the development sets: 98.4% recall against 98.7%.)"""
    found: list[str] = []
    for locale in faq_locales():
        found += [phrase for entry in load_entries(locale) if entry.id not in REPORT_TOPICS
                  for phrase in (entry.question, *entry.alternates)]
        if locale == SOURCE_LOCALE:
            found += [q for label, q in load_phrasings(locale) if label not in REPORT_TOPICS]
    return found


@lru_cache(maxsize=1)
def build_danger_check() -> DangerCheck:
    """The danger check, with the FAQ's phrasings learnt as ordinary school questions."""
    return build_check(extra_safe=ordinary_questions())


def settle_memory() -> None:
    """Keeps what start-up loaded (the models, the FAQ, their vocabularies) out of the garbage
    collector's sweeps: it lives as long as the process, and sweeping its 120,000 or so
    objects showed as the slowest answers of the danger check (`danger bench`)."""
    gc.collect()
    gc.freeze()


def build_services(schools: dict[str, School]) -> Services:
    """Loads the FAQ content and builds one matcher per locale."""
    return Services(schools=schools,
                    matchers={locale: build_matcher(locale) for locale in faq_locales()},
                    concern_actions=CONCERN_ACTIONS, question_actions=QUESTION_ACTIONS)


def build_engine(
    settings: Settings,
    *,
    default_school: str = DEFAULT_SCHOOL,
    clock: Callable[[], datetime] = utcnow,
    db: sa.Engine | None = None,
) -> Engine:
    """Opens (and migrates) the database and wires every flow into an engine."""
    schools = load_profiles(settings.schools_dir)
    db = db or make_engine(settings.database_url)
    migrate(db)
    sync_schools(db, schools)
    return Engine(
        db=db,
        flows=all_flows(),
        schools=schools,
        default_school=default_school,
        text_flow="questions",
        services=build_services(schools),
        clock=clock,
        safety=SafetyNet(check=build_danger_check(), urgent_action=URGENT_ACTION,
                         answer_action=ANSWER_ACTION, can_receive=can_receive_urgent),
        outbox_actions=OUTBOX_ACTIONS,
    )

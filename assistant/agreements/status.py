"""Where each pupil stands with each agreement: signed, not signed, an old version, withdrawn."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlmodel import Session, col, select

from assistant.agreements.templates import Template, required_for
from assistant.models import AgreementEvent, AgreementRecord

# Where a pupil stands with one agreement (not stored: worked out from the records).
SIGNED, NOT_SIGNED, OLD_VERSION, WITHDRAWN = "signed", "not-signed", "old-version", "withdrawn"


@dataclass(frozen=True)
class Status:
    """One pupil's standing with one agreement, and the record it rests on."""

    template: Template
    state: str
    record: AgreementRecord | None = None

    @property
    def done(self) -> bool:
        return self.state == SIGNED


def latest_records(
    session: Session, pupil_ids: Iterable[int]
) -> dict[tuple[int, str], AgreementRecord]:
    """The newest record per (pupil, template): the one that decides the status."""
    ids = list(pupil_ids)
    if not ids:
        return {}
    latest: dict[tuple[int, str], AgreementRecord] = {}
    rows = session.exec(
        select(AgreementRecord)
        .where(col(AgreementRecord.pupil_id).in_(ids))
        .order_by(col(AgreementRecord.at), col(AgreementRecord.id))
    )
    for record in rows:
        latest[(record.pupil_id, record.template_id)] = record
    return latest


def status_of(template: Template, record: AgreementRecord | None) -> Status:
    """Decides the status of one agreement from its newest record."""
    if record is None:
        return Status(template, NOT_SIGNED)
    if record.event == AgreementEvent.WITHDRAWN:
        return Status(template, WITHDRAWN, record)
    if record.version != template.version:
        return Status(template, OLD_VERSION, record)
    return Status(template, SIGNED, record)


def statuses(
    pupil_id: int,
    year: str,
    templates: dict[str, Template],
    latest: dict[tuple[int, str], AgreementRecord],
) -> list[Status]:
    """Every agreement a pupil needs, with where it stands."""
    return [status_of(t, latest.get((pupil_id, t.id))) for t in required_for(year, templates)]

"""/mydata: everything the assistant keeps about an account, gathered for the user to see."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, select

from assistant.models import Account, OutboxMessage
from assistant.people.identity import Identity, identity_of


@dataclass(frozen=True)
class KeptData:
    """What is kept about an account: who it stands for, and messages still to send it."""

    identity: Identity
    pending_messages: int


def kept_about(*, session: Session, account: Account) -> KeptData:
    """Gathers who an account stands for and how many messages still wait for it."""
    assert account.id is not None
    pending = session.exec(select(OutboxMessage.id).where(
        OutboxMessage.recipient == account.address,
        OutboxMessage.status != "sent")).all()
    return KeptData(identity_of(session, account.id), len(pending))


def data_record(account: Account, kept: KeptData) -> dict[str, Any]:
    """Lays out what is kept about an account as the /mydata export file holds it."""
    who = kept.identity
    return {
        "account": {"transport": account.transport, "user_id": account.external_id,
                    "language": account.locale, "first_seen": account.created_at.isoformat()},
        "family_links": [
            {"school": f.school_id, "name": f.name,
             "children": [{"name": c.name, "class": c.class_code, "year": c.year,
                           "parental_responsibility": c.parental_responsibility}
                          for c in f.children]}
            for f in who.families
        ],
        "staff_posts": [{"school": s.school_id, "name": s.name,
                         "roles": [{"role": r, "class": c} for r, c in s.roles]}
                        for s in who.staff],
        "pending_messages": kept.pending_messages,
    }

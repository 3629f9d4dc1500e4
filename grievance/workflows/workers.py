"""Who a worker is: found by a keyed hash of her number, created on her first message (or when
a roster names her); her number itself is only ever stored encrypted."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from grievance.models import Worker
from grievance.models.base import insert_ignoring_conflicts
from grievance.privacy import PhoneVault, new_pseudonym


def find_or_create_worker(session: Session, e164: str, vault: PhoneVault, country_code: str,
                          now: datetime) -> Worker:
    current, *previous = vault.lookup_hashes(e164)
    if previous:  # keys are rotating: she may still be stored under a previous hash key
        stored = session.scalar(select(Worker).where(Worker.phone_hash.in_(previous)).with_for_update())
        if stored is not None:
            stored.phone_hash = current
            if not vault.is_current(stored.phone_encrypted):
                stored.phone_encrypted = vault.encrypt(e164)
            return stored
    phone_hash = current
    # Most messages come from workers we know: one round trip finds and locks her row.
    # Locked until the commit: two messages from one worker processed at once must not both
    # find "no open case" and open two (PostgreSQL; SQLite serializes writers anyway).
    known = session.scalar(select(Worker).where(Worker.phone_hash == phone_hash).with_for_update())
    if known is not None:
        return known
    insert_ignoring_conflicts(
        session,
        Worker,
        {
            "phone_hash": phone_hash,
            "phone_encrypted": vault.encrypt(e164),
            "pseudonym": new_pseudonym(),
            "country_code": country_code,
            "opted_out_channels": [],
            "created_at": now,
        },
        conflict=["phone_hash"],
    )
    return session.scalar(select(Worker).where(Worker.phone_hash == phone_hash).with_for_update())

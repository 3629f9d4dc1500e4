"""Organisations (buyers) and the access a factory grants them to its follow-up summaries."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from grievance.access.roles import organisation_code
from grievance.extensions import db
from grievance.models import ConsentGrant, Factory, Organisation, User
from grievance.models.base import utcnow


def find_organisation(name_or_code: str) -> Organisation | None:
    return db.session.scalar(select(Organisation).where(Organisation.code == organisation_code(name_or_code)))


def organisation_for(name_or_code: str) -> Organisation:
    """The organisation of this name or code, made if it is new."""
    found = find_organisation(name_or_code)
    if found is None:
        found = Organisation(code=organisation_code(name_or_code), name=name_or_code.strip()[:120])
        db.session.add(found)
        db.session.flush()
    return found


def active_grant(factory: Factory, organisation: Organisation) -> ConsentGrant | None:
    return db.session.scalar(select(ConsentGrant).where(
        ConsentGrant.factory_id == factory.id, ConsentGrant.organisation_id == organisation.id,
        ConsentGrant.revoked_at.is_(None)))


def grant(factory: Factory, organisation: Organisation, by: User | None, now: datetime | None = None) -> ConsentGrant:
    """The factory grants the organisation access (kept as it is if already granted)."""
    existing = active_grant(factory, organisation)
    if existing is not None:
        return existing
    made = ConsentGrant(factory_id=factory.id, organisation_id=organisation.id, granted_by_id=by.id if by else None,
                        granted_at=now or utcnow())
    db.session.add(made)
    db.session.flush()
    return made


def revoke(factory: Factory, organisation: Organisation, by: User | None, now: datetime | None = None) -> bool:
    """Access ends now; the grant stays as history. False if there was none to revoke."""
    existing = active_grant(factory, organisation)
    if existing is None:
        return False
    existing.revoked_at, existing.revoked_by_id = now or utcnow(), by.id if by else None
    return True

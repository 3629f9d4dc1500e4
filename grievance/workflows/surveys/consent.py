"""Who agreed to be sent a factory's surveys and announcements: a worker who texted the factory
and said yes, or a roster the factory or the programme keeps of workers who agreed in person."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from grievance.models import SurveySubscriber, Worker


def subscribe(session: Session, *, worker: Worker, factory_id: int, source: str, channel: str,
              language: str | None, consent_where: str | None, consent_at: datetime,
              now: datetime) -> SurveySubscriber:
    """She may be sent the factory's surveys (again, if she had withdrawn): one row per worker
    and factory; a later consent updates where, when, her language and channel."""
    row = session.scalar(select(SurveySubscriber).where(SurveySubscriber.worker_id == worker.id,
                                                        SurveySubscriber.factory_id == factory_id))
    if row is None:
        row = SurveySubscriber(worker_id=worker.id, factory_id=factory_id, created_at=now)
        session.add(row)
    row.source, row.channel, row.consent_where, row.consent_at = source, channel, consent_where, consent_at
    row.language = language or row.language
    row.withdrawn_at = None
    session.flush()
    return row


def withdraw(session: Session, *, worker: Worker, now: datetime, factory_id: int | None = None) -> int:
    """She no longer wants surveys (of one factory, or of all): kept, never asked again until she
    says yes. Returns how many consents were withdrawn."""
    rows = session.scalars(select(SurveySubscriber).where(
        SurveySubscriber.worker_id == worker.id, SurveySubscriber.withdrawn_at.is_(None),
        *([SurveySubscriber.factory_id == factory_id] if factory_id is not None else []))).all()
    for row in rows:
        row.withdrawn_at = now
    return len(rows)

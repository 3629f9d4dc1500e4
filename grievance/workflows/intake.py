"""Opening a case from a worker's message."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from grievance.language.texts import worker_date
from grievance.models import Case, ChannelEndpoint, Message, Worker
from grievance.models.case import CLOSED, RESOLVED, new_reference
from grievance.workflows.deadlines import acknowledge_deadline
from grievance.workflows.events import record

OPEN_STATUSES_EXCLUDED = (RESOLVED, CLOSED)


def latest_open_case(session: Session, worker: Worker) -> Case | None:
    return session.scalar(
        select(Case)
        .where(Case.worker_id == worker.id, Case.status.not_in(OPEN_STATUSES_EXCLUDED))
        .order_by(Case.opened_at.desc(), Case.id.desc())
        .limit(1)
    )


def open_case(
    session: Session, *, worker: Worker, endpoint: ChannelEndpoint, message: Message, language: str,
    now: datetime,
) -> Case:
    factory = endpoint.factory
    country = endpoint.country
    timezone = factory.timezone if factory else country.timezone
    for _attempt in range(5):  # a reference collision is rare; try a fresh one
        case = Case(
            reference=new_reference(country.code),
            factory_id=factory.id if factory else None,
            country_code=country.code,
            worker_id=worker.id,
            language=language,
            opened_at=now,
            acknowledge_by=acknowledge_deadline(now, timezone, country.weekend),
        )
        try:
            with session.begin_nested():
                session.add(case)
            break
        except IntegrityError:
            continue
    else:
        raise RuntimeError("could not allocate a unique case reference")
    message.case_id = case.id
    record(session, case, "opened", now, message_id=message.id, channel=message.channel, language=language)
    return case


def acknowledgement_variables(case: Case, language: str) -> dict[str, str]:
    timezone = case.factory.timezone if case.factory else case.country.timezone
    return {"reference": case.reference, "date": worker_date(case.acknowledge_by, timezone, language)}

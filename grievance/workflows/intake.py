"""A case opens: from what an intake gathered, or at once from a grave message; and what a
worker's open cases are. The questions that lead here are ``conversations/intake.py``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from grievance.language.lexicon import categories_named
from grievance.i18n.worker import worker_date
from grievance.models import Case, ChannelEndpoint, Factory, Message, Worker
from grievance.models.case import NEW, OPEN_STATUSES, ROUTE_ADVISOR, new_reference
from grievance.workflows.attaching import attach
from grievance.workflows.deadlines import set_deadlines
from grievance.workflows.events import record
from grievance.workflows.routing import ADVISOR_CATEGORIES, route_for


def open_cases(session: Session, worker: Worker) -> list[Case]:
    return session.scalars(
        select(Case).where(Case.worker_id == worker.id, Case.status.in_(OPEN_STATUSES))
        .order_by(Case.opened_at, Case.id)
    ).all()


def open_cases_here(session: Session, worker: Worker, endpoint: ChannelEndpoint) -> list[Case]:
    """Her open cases a message to this number may join: a factory's number reaches only that
    factory's cases (and those whose factory is unknown), so what she writes to one factory's
    number never lands on another factory's case; a country's shared number reaches them all."""
    cases = open_cases(session, worker)
    if endpoint.factory_id is None:
        return cases
    return [case for case in cases if case.factory_id in (endpoint.factory_id, None)]


def latest_open_case(session: Session, worker: Worker) -> Case | None:
    cases = open_cases(session, worker)
    return cases[-1] if cases else None


def factory_code_in(session: Session, text: str, country_code: str) -> Factory | None:
    """The factory whose code she typed, if any ("IDN-0002 gaji saya ...")."""
    for factory in session.scalars(select(Factory).where(Factory.country_code == country_code)):
        if factory.code.lower() in text.lower():
            return factory
    return None


def country_factories(session: Session, country_code: str, limit: int = 9) -> list[Factory]:
    return session.scalars(
        select(Factory).where(Factory.country_code == country_code).order_by(Factory.code).limit(limit)
    ).all()


def open_case(session: Session, *, worker: Worker, endpoint: ChannelEndpoint, factory: Factory | None,
              language: str, now: datetime, category: str, message_ids: list[int], danger: bool = False,
              anonymous: bool = True, name_encrypted: str | None = None) -> Case:
    """A new case with its deadlines; the messages join it."""
    country = endpoint.country
    route = route_for(session, country.code, category, danger, factory is not None)
    for _attempt in range(5):  # a reference collision is rare; try a fresh one
        reference = new_reference(country.code)
        if session.scalar(select(Case.id).where(Case.reference == reference)) is None:
            break
    else:
        raise RuntimeError("could not allocate a unique case reference")
    # Not in a savepoint of its own (two more round trips for every case): a reference drawn at
    # the same moment by another transaction, which the check above cannot see, fails this one
    # whole, and its messages are processed again.
    case = Case(reference=reference, factory_id=factory.id if factory else None, country_code=country.code,
                worker_id=worker.id, category=category, route=route, status=NEW, language=language,
                opened_at=now, acknowledge_by=now, anonymous=anonymous, name_encrypted=name_encrypted,
                danger_now=danger)
    case.factory, case.country = factory, country
    set_deadlines(session, case, now)
    session.add(case)
    session.flush()
    for message_id in message_ids:
        message = session.get(Message, message_id)
        if message is not None:
            attach(session, case, message, now, words=False)  # the opening: not an answer
    record(session, case, "opened", now, category=category, route=route, anonymous=case.anonymous,
           danger_now=danger, language=language, acknowledge_by=case.acknowledge_by.isoformat(),
           resolve_by=case.resolve_by.isoformat())
    return case


def acknowledgement_variables(case: Case, language: str) -> dict[str, str]:
    timezone = case.timezone
    return {"reference": case.reference, "date": worker_date(case.acknowledge_by, timezone, language)}


def acknowledgement_purpose(case: Case) -> str:
    """The acknowledgement; its wording for the route and her name is chosen when it is queued."""
    return "acknowledgement"


def grave_category(text: str) -> str | None:
    """The gravest category the text names that only the advisors may see, if any."""
    return next((category for category in categories_named(text) if category in ADVISOR_CATEGORIES), None)


def open_advisor_case(session: Session, worker: Worker) -> Case | None:
    """Her most recent open case on the advisors' route."""
    cases = [case for case in open_cases(session, worker) if case.route == ROUTE_ADVISOR]
    return cases[-1] if cases else None

"""What each case contributes to the facts (facts.py), read from the cases of one factory and
one span of time with the columns it needs, never the ORM objects (a year of a big factory is
thousands of cases).

Durations are working days in the factory's calendar (a working day is 24 counted hours, as
deadlines count them), kept as whole tenths. The resolve time leaves out the time the
committee waited for her answers: ``paused_seconds`` is wall-clock time, which would take
nights and days off out of a count that has none of them, so each pause (a ``clock_resumed``
event: it ended at the event, ``paused_seconds`` after it began) is counted in the calendar
and taken off instead.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from grievance.models import Case, CaseEvent
from grievance.models.policy import WORKING_DAYS
from grievance.summaries.sums import TENTHS
from grievance.workflows.working_time import WorkingCalendar

_TENTH = timedelta(days=1) / TENTHS


@dataclass(frozen=True)
class CaseFacts:
    worker_id: int
    route: str
    category: str
    opened_at: datetime
    outcome: str | None       # the code of a resolved case (resolved without one: None)
    ack_due: bool             # acknowledged, or its deadline has passed
    ack_in_time: bool
    resolve_due: bool         # resolved, or its deadline has passed
    resolve_in_time: bool
    ack_tenths: int | None    # working days to acknowledgement, in tenths
    resolve_tenths: int | None
    escalated: bool
    reopened: bool
    answered: bool
    satisfied: bool
    named: bool


def tenths(amount: timedelta) -> int:
    """Counted time as whole tenths of a working day, to the nearest (half up)."""
    return int((amount + _TENTH / 2) // _TENTH)


def _pauses(session: Session, factory_id: int, start: datetime, end: datetime) -> dict[int, list[tuple]]:
    """Each paused case's pauses as (began, ended)."""
    paused = select(Case.id).where(Case.factory_id == factory_id, Case.opened_at >= start, Case.opened_at < end,
                                   Case.paused_seconds > 0)
    found: dict[int, list[tuple]] = defaultdict(list)
    for case_id, at, data in session.execute(select(CaseEvent.case_id, CaseEvent.at, CaseEvent.data).where(
            CaseEvent.case_id.in_(paused), CaseEvent.kind == "clock_resumed")):
        found[case_id].append((at - timedelta(seconds=int((data or {}).get("paused_seconds") or 0)), at))
    return found


def _first_seen(session: Session, factory_id: int, start: datetime, end: datetime) -> dict[tuple[int, str], datetime]:
    """When each worker who wrote in [start, end) first wrote to this factory before ``start``,
    per route: the committee's figures never learn that she once wrote to the advisors."""
    writing = select(Case.worker_id).where(Case.factory_id == factory_id, Case.opened_at >= start,
                                           Case.opened_at < end)
    return {(worker_id, route): first for worker_id, route, first in session.execute(
        select(Case.worker_id, Case.route, func.min(Case.opened_at)).where(
            Case.factory_id == factory_id, Case.opened_at < start, Case.worker_id.in_(writing))
        .group_by(Case.worker_id, Case.route))}


_COLUMNS = (Case.id, Case.worker_id, Case.route, Case.category, Case.opened_at, Case.outcome_code,
            Case.acknowledged_at, Case.acknowledge_by, Case.resolved_at, Case.resolve_by, Case.escalation_level,
            Case.reopen_count, Case.satisfied, Case.anonymous, Case.paused_seconds)


def case_facts(session: Session, factory_id: int, start: datetime, end: datetime, calendar: WorkingCalendar,
               moment: datetime) -> tuple[list[CaseFacts], dict[tuple[int, str], datetime]]:
    """The facts of the factory's cases opened in [start, end), and when each of their workers
    first wrote to the factory, per (worker, route) (the repeat count reads it)."""
    first_seen = _first_seen(session, factory_id, start, end)
    pauses = _pauses(session, factory_id, start, end)
    found = []
    rows = session.execute(select(*_COLUMNS).where(Case.factory_id == factory_id, Case.opened_at >= start,
                                                   Case.opened_at < end).order_by(Case.opened_at, Case.id))
    for row in rows:
        key = (row.worker_id, row.route)
        first_seen[key] = min(first_seen.get(key, row.opened_at), row.opened_at)
        found.append(_one(row, calendar, moment, pauses.get(row.id, ())))
    return found, first_seen


def _one(row, calendar: WorkingCalendar, moment: datetime, pauses) -> CaseFacts:
    acknowledged, resolved = row.acknowledged_at, row.resolved_at
    ack_tenths = resolve_tenths = None
    if acknowledged is not None:
        ack_tenths = tenths(calendar.counted(row.opened_at, acknowledged, WORKING_DAYS))
    if resolved is not None:
        worked = calendar.counted(row.opened_at, resolved, WORKING_DAYS)
        for began, ended in pauses:
            worked -= calendar.counted(max(began, row.opened_at), min(ended, resolved), WORKING_DAYS)
        resolve_tenths = tenths(max(worked, timedelta(0)))
    return CaseFacts(
        worker_id=row.worker_id, route=row.route, category=row.category, opened_at=row.opened_at,
        outcome=row.outcome_code if resolved is not None else None,
        ack_due=acknowledged is not None or row.acknowledge_by <= moment,
        ack_in_time=acknowledged is not None and acknowledged <= row.acknowledge_by,
        resolve_due=resolved is not None or (row.resolve_by is not None and row.resolve_by <= moment),
        resolve_in_time=resolved is not None and row.resolve_by is not None and resolved <= row.resolve_by,
        ack_tenths=ack_tenths, resolve_tenths=resolve_tenths,
        escalated=row.escalation_level > 0, reopened=row.reopen_count > 0,
        answered=row.satisfied is not None, satisfied=row.satisfied is True, named=not row.anonymous)

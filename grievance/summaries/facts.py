"""The stored facts: per factory, period and route, the raw sums (sums.py) of the cases opened
in the period, kept up to date from the cases that changed.

A distinct-worker count of a quarter is not the sum of its months' (the same worker may write
in two of them), so months, quarters and years are each computed from the cases, and a
changed case recomputes its month, that month's quarter and its year. What is open now (Now)
is stored beside them under the period key "now", computed at the same refresh.

Cases without a factory (written to a country's number, not a factory's) are in no factory's
sums: they belong to no factory a summary is about.

    load(session, factory_ids, periods)   {(factory_id, period key, route): Sums}, one query
    now(session, factory_ids)             {(factory_id, route): Now}
    refresh(session, now)                 the factory-periods the changed cases touch
    rebuild(session, now, factory_ids)    everything (first run, `flask summaries refresh --all`)
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from contextlib import contextmanager, nullcontext
from datetime import date, datetime, timedelta
from typing import Iterator
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, delete, func, insert, select
from sqlalchemy.orm import Session

from grievance.models import Case, Factory, SummaryFact, SummaryRefresh
from grievance.models.case import OPEN_STATUSES, ROUTE_ADVISOR, ROUTE_PICC
from grievance.models.summary import NOW_PERIOD
from grievance.summaries.cases import CaseFacts, case_facts
from grievance.summaries.periods import MONTH, YEAR, Period, month_of
from grievance.summaries.sums import Now, Sums
from grievance.workflows.policies import calendar_for

ROUTES = (ROUTE_PICC, ROUTE_ADVISOR)
# A case changed in a transaction that began before the last refresh but committed after it
# carries an updated_at just before the watermark: read that far back again (recomputing is
# idempotent).
OVERLAP = timedelta(minutes=5)
_WATERMARK_ID = 1


# -- reading -----------------------------------------------------------------------------

def load(session: Session, factory_ids: list[int], periods: list[Period]) -> dict[tuple[int, str, str], Sums]:
    """The stored sums, keyed (factory_id, period key, route); a missing key means zero."""
    if not factory_ids or not periods:
        return {}
    rows = session.execute(select(SummaryFact.factory_id, SummaryFact.period, SummaryFact.route, SummaryFact.sums)
                           .where(SummaryFact.factory_id.in_(factory_ids),
                                  SummaryFact.period.in_([period.key for period in periods])))
    return {(factory_id, period, route): Sums.from_dict(sums) for factory_id, period, route, sums in rows}


def now(session: Session, factory_ids: list[int]) -> dict[tuple[int, str], Now]:
    """What was open at the last refresh, keyed (factory_id, route); a missing key means zero."""
    if not factory_ids:
        return {}
    rows = session.execute(select(SummaryFact.factory_id, SummaryFact.route, SummaryFact.sums)
                           .where(SummaryFact.factory_id.in_(factory_ids), SummaryFact.period == NOW_PERIOD))
    return {(factory_id, route): Now(**sums) for factory_id, route, sums in rows}


def refreshed_at(session: Session) -> datetime | None:
    """When the facts were last brought up to date (None: never)."""
    return session.scalar(select(SummaryRefresh.refreshed_at).where(SummaryRefresh.id == _WATERMARK_ID))


# -- computing ---------------------------------------------------------------------------

def _sums(records: list[CaseFacts], first_seen: dict[tuple[int, str], datetime], period_start: datetime) -> Sums:
    """One period's sums of one route from its cases' facts."""
    sums = Sums(cases=len(records))
    workers: dict[str, set[int]] = defaultdict(set)
    by_category: dict[str, set[int]] = defaultdict(set)
    by_outcome: dict[str, set[int]] = defaultdict(set)
    cases_of: dict[int, int] = defaultdict(int)
    for record in records:
        worker = record.worker_id
        workers["all"].add(worker)
        cases_of[worker] += 1
        by_category[record.category].add(worker)
        if record.outcome is not None:
            by_outcome[record.outcome].add(worker)
        if record.ack_due:
            workers["ack_due"].add(worker)
            sums.ack_due_cases += 1
            sums.ack_in_time_cases += record.ack_in_time
        if record.resolve_due:
            workers["resolve_due"].add(worker)
            sums.resolve_due_cases += 1
            sums.resolve_in_time_cases += record.resolve_in_time
        if record.ack_tenths is not None:
            sums.ack_days[record.ack_tenths] += 1
            workers["ack_days"].add(worker)
        if record.resolve_tenths is not None:
            sums.resolve_days[record.resolve_tenths] += 1
            workers["resolve_days"].add(worker)
        for flag in ("escalated", "reopened", "answered", "satisfied", "named"):
            if getattr(record, flag):
                workers[flag].add(worker)
    sums.workers = len(workers["all"])
    sums.by_category.update({key: len(found) for key, found in by_category.items()})
    sums.by_outcome.update({key: len(found) for key, found in by_outcome.items()})
    for name in ("ack_due", "resolve_due", "ack_days", "resolve_days"):
        setattr(sums, f"{name}_workers", len(workers[name]))
    for flag in ("escalated", "reopened", "answered", "satisfied", "named"):
        setattr(sums, flag, len(workers[flag]))
    route = records[0].route if records else None  # the records are of one route
    sums.repeat = sum(1 for worker in workers["all"] if cases_of[worker] > 1 or first_seen[(worker, route)] < period_start)
    return sums


def _open_now(session: Session, factory_id: int, moment: datetime) -> dict[str, Now]:
    """Workers with an open case, with one overdue (as the queue counts it), with one escalated."""
    is_open = Case.status.in_(OPEN_STATUSES)
    rows = session.execute(
        select(Case.route, func.count(func.distinct(Case.worker_id)),
               func.count(func.distinct(Case.worker_id)).filter(Case.due_at < moment),
               func.count(func.distinct(Case.worker_id)).filter(Case.escalation_level > 0))
        .where(Case.factory_id == factory_id, is_open).group_by(Case.route))
    return {route: Now(open_, overdue, escalated) for route, open_, overdue, escalated in rows if open_}


def _periods_of(months: set[Period]) -> list[Period]:
    """The months and every quarter and year they are part of."""
    return sorted(months | {parent for month in months for parent in month.parents()})


def _compute(session: Session, factory: Factory, periods: list[Period], moment: datetime) -> list[dict]:
    """The fact rows (non-zero only) of one factory for these periods, read from its cases."""
    if not periods:
        return []
    zone = factory.timezone
    calendar = calendar_for(session, factory.country, zone)
    bounds = {period.key: period.utc_bounds(zone) for period in periods}
    start, end = min(low for low, _ in bounds.values()), max(high for _, high in bounds.values())
    records, first_seen = case_facts(session, factory.id, start, end, calendar, moment)
    rows = []
    for period in periods:
        low, high = bounds[period.key]
        for route in ROUTES:
            chosen = [record for record in records if record.route == route and low <= record.opened_at < high]
            if chosen:
                rows.append({"factory_id": factory.id, "period": period.key, "route": route,
                             "sums": _sums(chosen, first_seen, low).as_dict(), "refreshed_at": moment})
    return rows


def _store(session: Session, factory: Factory, periods: list[Period], moment: datetime) -> None:
    """Replace the factory's facts for these periods and what is open now."""
    rows = _compute(session, factory, periods, moment)
    rows += [{"factory_id": factory.id, "period": NOW_PERIOD, "route": route,
              "sums": {"open": found.open, "overdue": found.overdue, "escalated": found.escalated},
              "refreshed_at": moment} for route, found in _open_now(session, factory.id, moment).items()]
    keys = [period.key for period in periods] + [NOW_PERIOD]
    session.execute(delete(SummaryFact).where(SummaryFact.factory_id == factory.id, SummaryFact.period.in_(keys)))
    if rows:
        session.execute(insert(SummaryFact), rows)


def _claim_watermark(session: Session) -> SummaryRefresh | None:
    """The watermark row, locked so that two refreshes never run at once (PostgreSQL)."""
    query = select(SummaryRefresh).where(SummaryRefresh.id == _WATERMARK_ID)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    return session.scalar(query)


def _move_watermark(session: Session, mark: SummaryRefresh | None, moment: datetime) -> None:
    if mark is None:
        session.add(SummaryRefresh(id=_WATERMARK_ID, refreshed_at=moment))
    else:
        mark.refreshed_at = moment


# One refresh or rebuild at a time: the cron's every minute, a command, an admin's edit. A
# PostgreSQL advisory lock held on a connection of its own (the session commits as it goes, and
# may change connections), and a lock of this process for the embedded default.
_ADVISORY_KEY = 0x5355_4D4D  # "SUMM"
_process_lock = threading.Lock()


@contextmanager
def _exclusive(session: Session) -> Iterator[bool]:
    """Whether this caller has the facts to itself (False: another refresh is running)."""
    if not _process_lock.acquire(blocking=False):
        yield False
        return
    try:
        bind = session.get_bind()
        if bind.dialect.name != "postgresql":
            yield True
            return
        # A session bound to one connection (a test's rolled-back transaction) locks on it.
        with (nullcontext(bind) if isinstance(bind, Connection) else bind.connect()) as connection:
            if not connection.scalar(select(func.pg_try_advisory_lock(_ADVISORY_KEY))):
                yield False
                return
            try:
                yield True
            finally:
                connection.scalar(select(func.pg_advisory_unlock(_ADVISORY_KEY)))
    finally:
        _process_lock.release()


def refresh(session: Session, now: datetime) -> int:
    """Bring the facts up to date with the cases changed since the last refresh: each changed
    case's month, that month's quarter and year, and what is open now at its factory. Returns
    how many factory-months it recomputed (all of them on the first run; 0 when another
    refresh or rebuild is running: the next round takes up what it leaves). Commits."""
    with _exclusive(session) as alone:
        return _refresh(session, now) if alone else 0


def _refresh(session: Session, now: datetime) -> int:
    mark = _claim_watermark(session)
    if mark is None:
        return _rebuild(session, now, None)
    changed = session.execute(
        select(Case.factory_id, Case.opened_at)
        .where(Case.updated_at > mark.refreshed_at - OVERLAP, Case.factory_id.is_not(None)))
    opened: dict[int, list[datetime]] = defaultdict(list)
    for factory_id, opened_at in changed:
        opened[factory_id].append(opened_at)
    recomputed = 0
    for factory in session.scalars(select(Factory).where(Factory.id.in_(list(opened)))):
        months = {month_of(moment, factory.timezone) for moment in opened[factory.id]}
        _store(session, factory, _periods_of(months), now)
        recomputed += len(months)
    _move_watermark(session, mark, now)
    session.commit()
    return recomputed


def rebuild(session: Session, now: datetime, factory_ids: list[int] | None = None) -> int:
    """Recompute every period of these factories (all: ``None``) from their cases, one year of
    one factory at a time; returns how many factory-months. A full rebuild moves the watermark.
    Waits for a refresh that is running. Commits."""
    while True:
        with _exclusive(session) as alone:
            if alone:
                return _rebuild(session, now, factory_ids)
        time.sleep(0.2)


def _rebuild(session: Session, now: datetime, factory_ids: list[int] | None) -> int:
    query = select(Factory).order_by(Factory.id)
    if factory_ids is not None:
        query = query.where(Factory.id.in_(factory_ids))
    recomputed = 0
    for factory in session.scalars(query).all():
        first, last = session.execute(select(func.min(Case.opened_at), func.max(Case.opened_at))
                                      .where(Case.factory_id == factory.id)).one()
        session.execute(delete(SummaryFact).where(SummaryFact.factory_id == factory.id))
        if first is not None:
            zone = ZoneInfo(factory.timezone)
            for year in range(first.astimezone(zone).year, last.astimezone(zone).year + 1):
                months = set(Period(YEAR, date(year, 1, 1)).months())
                _store(session, factory, _periods_of(months), now)
                recomputed += len(months)
        else:
            _store(session, factory, [], now)
        session.commit()  # one factory at a time: bounded transactions on a big history
    if factory_ids is None:
        mark = _claim_watermark(session)
        _move_watermark(session, mark, now)
        session.commit()
    return recomputed


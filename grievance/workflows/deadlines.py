"""Deadlines: how long a committee has to acknowledge and to resolve a case, the resolve clock
that stops while the committee waits for the worker, and the sweep that reminds before a
deadline and escalates after it.

    opened ──► acknowledge_by ─┬─ acknowledged in time ──► resolve_by ──► resolved
                               │                            ▲  the clock stops while the
                               └─ missed: overdue,          │  committee waits for her answer
                                  escalated one level ──────┘  and restarts when she replies

Each case carries ``next_check_at``, the next moment the sweep has something to do for it (a
reminder or a deadline), so the sweep reads one index, in batches, however many cases are
due. Every change the sweep makes is an UPDATE guarded by the version of the case it read:
run twice, or by two cron processes at once, each reminder and escalation happens once.
The guard is the case's ``version``, which every change of a case increments (the ORM's
version counter), so a committee member's action and the sweep never overwrite each other.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from grievance.models import Case, CaseEvent, Message, Notification, User
from grievance.models.case import ACKNOWLEDGED, NEW, OPEN_STATUSES, REOPENED
from grievance.models.message import INBOUND
from grievance.models.notification import ESCALATED, OVERDUE, REMINDER
from grievance.models.policy import CALENDAR_HOURS
from grievance.workflows.events import record
from grievance.access.people import People
from grievance.workflows.notifications import escalation_chain
from grievance.workflows.outbox import queue_reply, replies_queued
from grievance.workflows.policies import Terms, case_calendar, terms_for
from grievance.workflows.working_time import NoWorkingDays, WorkingCalendar, amount_of

log = logging.getLogger(__name__)

ACKNOWLEDGE, RESOLVE = "acknowledge", "resolve"
BATCH_SIZE = 500


def _reminder_at(calendar: WorkingCalendar, start: datetime, quantity: int, unit: str, share: float) -> datetime | None:
    if not 0 < share < 1:
        return None
    return calendar.add(start, amount_of(quantity, unit) * (1 - share), unit)


def set_deadlines(session: Session, case: Case, start: datetime) -> None:
    """Both deadlines from the policy, counted from ``start`` (the opening or a reopening)."""
    terms = terms_for(session, case.country_code, case.route, case.category)
    calendar = case_calendar(session, case)
    try:
        _apply_terms(case, terms, calendar, start)
    except NoWorkingDays:  # a week or holiday list without working days: never lose the case
        log.error("no working day in the calendar of %s; deadlines counted in calendar hours", case.country_code)
        _apply_terms(case, _in_calendar_hours(terms), calendar, start)
    case.acknowledged_at = None
    case.acknowledge_reminded_at = case.resolve_reminded_at = None
    case.acknowledge_overdue_at = case.resolve_overdue_at = None
    case.waiting_since = None
    schedule(case)


def _in_calendar_hours(terms: Terms) -> Terms:
    def hours(amount: int, unit: str) -> int:
        return int(amount_of(amount, unit).total_seconds() // 3600)

    return Terms(hours(terms.acknowledge_amount, terms.acknowledge_unit), CALENDAR_HOURS,
                 hours(terms.resolve_amount, terms.resolve_unit), CALENDAR_HOURS, terms.reminder_share)


def _apply_terms(case: Case, terms: Terms, calendar: WorkingCalendar, start: datetime) -> None:
    case.acknowledge_by = calendar.add(start, amount_of(terms.acknowledge_amount, terms.acknowledge_unit),
                                       terms.acknowledge_unit)
    case.resolve_by = calendar.add(start, amount_of(terms.resolve_amount, terms.resolve_unit), terms.resolve_unit)
    case.resolve_unit = terms.resolve_unit
    case.acknowledge_remind_at = _reminder_at(calendar, start, terms.acknowledge_amount, terms.acknowledge_unit,
                                              terms.reminder_share)
    case.resolve_remind_at = _reminder_at(calendar, start, terms.resolve_amount, terms.resolve_unit,
                                          terms.reminder_share)


def awaiting_acknowledgement(values: dict) -> bool:
    """New, or reopened by her and not yet acknowledged again."""
    return values["status"] in (NEW, REOPENED) and values["acknowledged_at"] is None


def awaits_acknowledgement(case: Case) -> bool:
    return awaiting_acknowledgement(_values(case))


def resolve_clock_runs(values: dict) -> bool:
    return (values["status"] in OPEN_STATUSES and values["resolve_by"] is not None
            and values["waiting_since"] is None)


def _pending(values: dict) -> list[tuple[str, datetime]]:
    """Deadlines and reminders still ahead of the case: (what, when)."""
    pending = []
    for deadline, running in ((ACKNOWLEDGE, awaiting_acknowledgement(values)), (RESOLVE, resolve_clock_runs(values))):
        if not running or values[f"{deadline}_overdue_at"] is not None:
            continue
        pending.append((f"{deadline}_deadline", values[f"{deadline}_by"]))
        if values[f"{deadline}_reminded_at"] is None and values[f"{deadline}_remind_at"] is not None:
            pending.append((f"{deadline}_reminder", values[f"{deadline}_remind_at"]))
    return pending


def next_check(values: dict) -> datetime | None:
    """The next moment the sweep must look at a case, from its current values."""
    pending = _pending(values)
    return min(when for _what, when in pending) if pending else None


def due_at(values: dict) -> datetime | None:
    """The deadline the queue sorts by: acknowledge while awaited, then resolve (none while paused)."""
    if awaiting_acknowledgement(values):
        return values["acknowledge_by"]
    return values["resolve_by"] if resolve_clock_runs(values) else None


CLOCK_FIELDS = ("status", "acknowledged_at", "acknowledge_by", "resolve_by", "waiting_since", "acknowledge_remind_at",
                "resolve_remind_at", "acknowledge_reminded_at", "resolve_reminded_at", "acknowledge_overdue_at",
                "resolve_overdue_at", "escalation_level")


def _values(case: Case) -> dict:
    return {name: getattr(case, name) for name in CLOCK_FIELDS}


def schedule(case: Case) -> None:
    """Call after any change of status or deadline."""
    values = _values(case)
    case.next_check_at, case.due_at = next_check(values), due_at(values)


# -- what people do --------------------------------------------------------------------------

def acknowledge(session: Session, case: Case, actor: User | None, now: datetime) -> bool:
    if not awaits_acknowledgement(case):
        return False
    case.status, case.acknowledged_at = ACKNOWLEDGED, now
    record(session, case, "acknowledged", now, actor_user_id=actor.id if actor else None,
           in_time=now <= case.acknowledge_by)
    schedule(case)
    return True


def wait_for_worker(session: Session, case: Case, actor: User, now: datetime) -> None:
    """The committee asked her something: the resolve clock stops until she answers."""
    if case.waiting_since is not None or case.status not in OPEN_STATUSES:
        return
    case.waiting_since = now
    record(session, case, "waiting_on_worker", now, actor_user_id=actor.id)
    schedule(case)


def worker_replied(session: Session, case: Case, now: datetime) -> None:
    """Her answer restarts the resolve clock with the time that was left when it stopped."""
    resume_clock(session, case, now)


def resume_clock(session: Session, case: Case, now: datetime) -> None:
    """Restart a stopped resolve clock (she answered, or the case is resolved meanwhile)."""
    if case.waiting_since is None:
        return
    paused_from = case.waiting_since
    if case.resolve_by is not None and case.resolve_overdue_at is None:
        calendar = case_calendar(session, case)
        unit = case.resolve_unit or CALENDAR_HOURS
        left = calendar.counted(paused_from, case.resolve_by, unit)
        reminder_left = (calendar.counted(paused_from, case.resolve_remind_at, unit)
                         if case.resolve_remind_at and case.resolve_reminded_at is None else None)
        case.resolve_by = calendar.add(now, left, unit)
        if reminder_left is not None:
            case.resolve_remind_at = calendar.add(now, reminder_left, unit)
    case.paused_seconds += int((now - paused_from).total_seconds())
    case.waiting_since = None
    record(session, case, "clock_resumed", now, paused_seconds=int((now - paused_from).total_seconds()),
           resolve_by=case.resolve_by.isoformat() if case.resolve_by else None)
    schedule(case)


# -- the sweep -------------------------------------------------------------------------------

@dataclass
class SweepReport:
    checked: int = 0
    reminders: int = 0
    overdue: int = 0
    escalations: int = 0
    notifications: int = 0
    skipped: int = 0
    worker_messages: int = 0
    failed: int = 0

    def add(self, other: "SweepReport") -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_dict(self) -> dict:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


def _actions(values: dict, now: datetime) -> list[tuple[str, str]]:
    """What is due now: ("overdue" | "remind", "acknowledge" | "resolve"). A reminder whose
    deadline has passed too is not sent: the deadline speaks for it."""
    due = {what for what, when in _pending(values) if when <= now}
    actions = []
    for deadline in (ACKNOWLEDGE, RESOLVE):
        if f"{deadline}_deadline" in due:
            actions.append(("overdue", deadline))
        elif f"{deadline}_reminder" in due:
            actions.append(("remind", deadline))
    return actions


def _reply_channels(session: Session, case_ids: list[int]) -> dict[int, Message]:
    """Each case's last message from the worker: she is written to where she wrote."""
    last = (select(func.max(Message.id)).where(Message.case_id.in_(case_ids), Message.direction == INBOUND)
            .group_by(Message.case_id))
    return {m.case_id: m for m in session.scalars(select(Message).where(Message.id.in_(last)))}


class _Batch:
    """The rows one batch adds, inserted together."""

    def __init__(self) -> None:
        self.events: list[dict] = []
        self.notifications: list[dict] = []
        self.replies: list[Message] = []  # to the workers whose case climbed

    def event(self, case: Case, kind: str, now: datetime, **data) -> None:
        self.events.append({"case_id": case.id, "kind": kind, "at": now, "actor_user_id": None, "data": data})

    def notify(self, user_ids: set[int], case: Case, kind: str, deadline: str, now: datetime, **data) -> None:
        self.notifications.extend(
            {"user_id": user_id, "case_id": case.id, "kind": kind, "deadline": deadline, "created_at": now,
             "data": data} for user_id in sorted(user_ids))

    def write(self, session: Session, now: datetime) -> None:
        if self.replies:
            replies_queued(session, self.replies, now)
        if self.events:
            session.execute(insert(CaseEvent), self.events)
        if self.notifications:
            session.execute(insert(Notification), self.notifications)


def _sweep_case(session: Session, case: Case, now: datetime, people: People, batch: _Batch,
                channels: dict[int, Message], report: SweepReport) -> None:
    values = _values(case)
    actions = _actions(values, now)
    chain = escalation_chain(case.route)
    level = values["escalation_level"]
    changes: dict = {}
    for action, deadline in actions:
        if action == "remind":
            changes[f"{deadline}_reminded_at"] = now
        else:
            changes[f"{deadline}_overdue_at"] = now
            changes[f"{deadline}_reminded_at"] = values[f"{deadline}_reminded_at"] or now
    if any(action == "overdue" for action, _deadline in actions):
        level = min(level + 1, len(chain) - 1)  # one level per sweep, even if both were missed
    changes["escalation_level"] = level
    after = {**values, **changes}
    claimed = session.execute(
        update(Case).where(Case.id == case.id, Case.version == case.version)
        .values(**changes, next_check_at=next_check(after), due_at=due_at(after), version=case.version + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:  # someone else (another sweep, a committee member) changed it first
        report.skipped += 1
        return
    report.checked += 1
    responsible = people.for_level(case, chain[values["escalation_level"]]) | people.committee(case)
    for action, deadline in actions:
        if action == "remind":
            report.reminders += 1
            batch.event(case, "reminder", now, deadline=deadline, notified=len(responsible))
            batch.notify(responsible, case, REMINDER, deadline, now)
            report.notifications += len(responsible)
    missed = [deadline for action, deadline in actions if action == "overdue"]
    if not missed:
        return
    report.overdue += len(missed)
    for deadline in missed:
        batch.event(case, "overdue", now, deadline=deadline)
    if level == values["escalation_level"]:  # already at the top: they are told it is late
        batch.notify(responsible, case, OVERDUE, missed[0], now, level=level)
        report.notifications += len(responsible)
        return
    report.escalations += 1
    told = responsible | people.for_level(case, chain[level])
    batch.event(case, "escalated", now, deadline=missed[0], from_level=values["escalation_level"], to_level=level,
                to=chain[level], notified=len(told))
    if not people.for_level(case, chain[level]):
        log.warning("case %s escalated to %s, but nobody holds that role for it", case.reference, chain[level])
    batch.notify(told, case, ESCALATED, missed[0], now, level=level, to=chain[level])
    report.notifications += len(told)
    last = channels.get(case.id)
    if last is not None:
        batch.replies.append(queue_reply(
            session, worker=case.worker, endpoint=last.endpoint, provider=last.provider, purpose="escalated",
            language=case.worker_language, now=now, case=case, reference=case.reference, flush=False))


def _due_ids(session: Session, now: datetime, batch_size: int) -> list[int]:
    query = (select(Case.id).where(Case.next_check_at <= now).order_by(Case.next_check_at, Case.id)
             .limit(batch_size))
    if session.get_bind().dialect.name == "postgresql":
        # A second sweep running at the same time takes other cases instead of waiting.
        query = query.with_for_update(skip_locked=True)
    return list(session.scalars(query))


def _sweep_batch(session: Session, ids: list[int], now: datetime, people: People) -> SweepReport:
    """Sweep these cases and commit; what it did, or an exception with nothing kept."""
    report = SweepReport()
    cases = session.scalars(select(Case).where(Case.id.in_(ids)).order_by(Case.next_check_at, Case.id)).all()
    channels = _reply_channels(session, ids)
    batch = _Batch()
    for case in cases:
        _sweep_case(session, case, now, people, batch, channels, report)
    batch.write(session, now)
    report.worker_messages += len(batch.replies)
    session.commit()  # the outbox sends the replies of the batch after it
    return report


def sweep(session: Session, now: datetime, *, batch_size: int = BATCH_SIZE) -> SweepReport:
    """Remind and escalate every case that is due at ``now``, in batches, each committed.

    Messages queued to workers are sent after the commit of their batch (the outbox). A case that cannot be swept (a fault in
    its data or in this code) is logged and stays due; it never holds up the others.
    """
    report = SweepReport()
    people = People(session)
    seen: set[int] = set()
    while True:
        ids = _due_ids(session, now, batch_size)
        fresh = [i for i in ids if i not in seen]
        if not fresh:  # nothing due, or only cases another sweep holds
            session.rollback()
            break
        seen.update(fresh)
        try:
            report.add(_sweep_batch(session, fresh, now, people))
        except Exception:
            session.rollback()
            log.exception("deadline sweep: a batch of %s cases failed; sweeping them one by one", len(fresh))
            for case_id in fresh:
                try:
                    report.add(_sweep_batch(session, [case_id], now, people))
                except Exception:
                    session.rollback()
                    report.failed += 1
                    log.exception("deadline sweep: case %s failed and stays due", case_id)
        session.expunge_all()  # bounded memory: nothing of this batch stays in the session
    log.info("deadline sweep: %s", report.as_dict())
    return report

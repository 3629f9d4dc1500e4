"""A run's sending: started from its plan, sent in batches within each sender's rate, paused,
resumed, cancelled.

    planned ─start─► running ─► finished
                      │  ▲
                 pause│  │resume            cancel (from planned, running or paused, or
                      ▼  │                  finished while a worker is still mid-survey):
                     paused                 every delivery not yet made and every message not
                                            yet sent is cancelled; nothing more goes out

"finished" says every invitation went, not that the answers are in (``progress.answers_over``).

Each batch takes, per sender number, at most what it sends in ``batch_seconds`` at its rate,
and queues each worker's first message (the outbox sends it after the commit, each within the
sender's pace). A batch is never sent before the previous one had its time, so a second job
for the same run (a requeue, a resume) cannot double the rate. The run's row is locked while
a batch is made, so a cancel waits for it, then stops what it queued.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

from flask import Flask, current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from grievance.extensions import queues
from grievance.models import ChannelEndpoint, Conversation, Factory, Message, Survey, SurveyDelivery, SurveyRun
from grievance.models import SurveySubscriber, User, Worker
from grievance.models.message import CANCELLED as MESSAGE_CANCELLED
from grievance.models.message import QUEUED
from grievance.models.survey import (ANNOUNCEMENT, CANCELLED, DELIVERY_CANCELLED, FINISHED, PAUSED, PENDING, PLANNED,
                                     RUNNING, SENT, SKIPPED)
from grievance.workflows.conversations import replier
from grievance.models.conversation import ACTIVE, WAITING
from grievance.workflows.conversations.registry import Turn, settle_where_asked
from grievance.workflows.conversations.survey import SURVEY, invite, tag, text_in
from grievance.workflows.outbox import queue_reply
from grievance.workflows.surveys.audience import (MONTHLY_CAP, OPTED_OUT, WITHDRAWN, DispatchSettings, audience,
                                                  providers, survey_messages_used)
from grievance.workflows.surveys.planning import ANNOUNCEMENT_PURPOSE, DispatchRefused, check_sendable, messages_each
from grievance.workflows.surveys.progress import of_run, open_conversations
from grievance.workflows.workers import lock_rows

BATCH_JOB = "grievance.survey_batch_job"
# In a run's plan: the texts (part, language) whose removal paused it, shown on its page.
PAUSED_FOR = "paused_for_missing"


@dataclass(frozen=True)
class BatchResult:
    sent: int
    skipped: int
    next_at: datetime | None  # when the next batch is due; None: the run is not sending
    status: str


def use_batch_job(app: Flask, job: Callable[[int], object]) -> None:
    """The job that sends a run's next batch (``tasks.surveys``), deferred by start and resume."""
    app.extensions[BATCH_JOB] = job


def _defer_batch(run: SurveyRun) -> None:
    job = current_app.extensions.get(BATCH_JOB)
    if job is not None:
        queues.defer(job, run.id)


def _locked(session: Session, run_id: int) -> SurveyRun | None:
    # An UPDATE first: SQLite ignores FOR UPDATE, and two batch jobs of one run reading its
    # pending deliveries side by side would both send them. FOR NO KEY UPDATE on PostgreSQL:
    # batches, pauses and cancels of the run wait for one another, but a worker's answer being
    # processed may still store rows that refer to the run (its answer, her next question)
    # while a cancel holds it and waits for her row; FOR UPDATE made the two wait for each
    # other until PostgreSQL cancelled one.
    session.execute(update(SurveyRun).where(SurveyRun.id == run_id).values(id=SurveyRun.id),
                    execution_options={"synchronize_session": False})
    return session.scalar(select(SurveyRun).where(SurveyRun.id == run_id).with_for_update(key_share=True)
                          .execution_options(populate_existing=True))


def start_run(session: Session, run: SurveyRun, actor: User | None, now: datetime,
              settings: DispatchSettings | None = None) -> SurveyRun:
    """Its recipients as they are now (one delivery each; those skipped with why), then its
    first batch is sent after the commit."""
    settings = settings or DispatchSettings.from_app()
    run = _locked(session, run.id)
    if run.status != PLANNED:
        raise DispatchRefused(_l("This run has started already."))
    survey = session.get(Survey, run.survey_id)
    factory = session.get(Factory, run.factory_id) if run.factory_id is not None else None
    country = factory.country if factory is not None else survey.country
    check_sendable(survey, country, factory)  # texts may have been removed since the plan
    found = audience(session, country=country, factory=factory, now=now, messages_each=messages_each(survey),
                     settings=settings)
    rows = [{"run_id": run.id, "worker_id": r.worker_id, "endpoint_id": r.endpoint_id, "language": r.language,
             "status": SKIPPED if r.skipped else PENDING, "reason": r.skipped} for r in found.recipients]
    for start in range(0, len(rows), 2000):
        session.execute(insert(SurveyDelivery), rows[start:start + 2000])
    run.status, run.started_at = RUNNING, now
    session.flush()
    _defer_batch(run)
    return run


def pause_run(session: Session, run: SurveyRun, actor: User | None, now: datetime) -> SurveyRun:
    """No further batch (what the current batch queued may still go out)."""
    run = _locked(session, run.id)
    if run.status != RUNNING:
        raise DispatchRefused(_l("Only a run that is sending can be paused."))
    run.status = PAUSED
    session.flush()
    return run


def resume_run(session: Session, run: SurveyRun, actor: User | None, now: datetime) -> SurveyRun:
    run = _locked(session, run.id)
    if run.status != PAUSED:
        raise DispatchRefused(_l("Only a paused run can be resumed."))
    refused = _unsendable(session, run)
    if refused is not None:
        raise refused
    run.status = RUNNING
    run.plan = {key: value for key, value in (run.plan or {}).items() if key != PAUSED_FOR}
    session.flush()
    _defer_batch(run)
    return run


def cancel_run(session: Session, run: SurveyRun, actor: User | None, now: datetime) -> SurveyRun:
    """Nothing more goes out: deliveries not made are cancelled, queued messages of the run are
    cancelled (the sender claims only queued ones), her survey conversations of this run end
    and what waited behind one speaks. A run whose every invitation went may still be cancelled
    while some worker is in the middle of it."""
    run = _locked(session, run.id)
    if not may_cancel(session, run):
        raise DispatchRefused(_l("This run is over already."))
    run.status, run.cancelled_at = CANCELLED, now
    # The rows of those in the middle of it locked first, as their messages lock them: an answer
    # being processed now is committed first (the question it queued is cancelled below), or
    # finds her conversation gone.
    lock_rows(session, select(Conversation.worker_id).where(of_run(run.id)))
    session.execute(update(SurveyDelivery).where(SurveyDelivery.run_id == run.id, SurveyDelivery.status == PENDING)
                    .values(status=DELIVERY_CANCELLED), execution_options={"synchronize_session": False})
    session.execute(update(Message).where(Message.run_id == run.id, Message.status == QUEUED)
                    .values(status=MESSAGE_CANCELLED, error="its run was cancelled"),
                    execution_options={"synchronize_session": False})
    interrupted = _end_conversations(session, run)
    session.flush()
    session.expire_all()  # rows loaded before the bulk updates show what they say now
    _settle_after(session, interrupted, now)
    return session.get(SurveyRun, run.id)


def may_cancel(session: Session, run: SurveyRun) -> bool:
    """Planned, sending or paused; or every invitation gone while some worker can still answer."""
    return run.status in (PLANNED, RUNNING, PAUSED) or (run.status == FINISHED
                                                        and open_conversations(session, run) > 0)


def _end_conversations(session: Session, run: SurveyRun) -> list[int]:
    """Ends the run's conversations; returns the workers whose active one it was."""
    found = session.execute(select(Conversation.id, Conversation.worker_id, Conversation.status)
                            .where(of_run(run.id))).all()
    ids = [conversation_id for conversation_id, _worker, _status in found]
    for start in range(0, len(ids), 2000):
        session.execute(delete(Conversation).where(Conversation.id.in_(ids[start:start + 2000])),
                        execution_options={"synchronize_session": False})
    return [worker_id for _id, worker_id, status in found if status == ACTIVE]


def _settle_after(session: Session, worker_ids: list[int], now: datetime) -> None:
    """Each worker whose active survey ended is asked what waited behind it (another run's)."""
    waiting = set(session.scalars(select(Conversation.worker_id).where(
        Conversation.worker_id.in_(worker_ids), Conversation.status == WAITING))) if worker_ids else set()
    for worker in session.scalars(select(Worker).where(Worker.id.in_(sorted(waiting)))):
        settle_where_asked(Turn(session=session, worker=worker, now=now, reply=_no_reply))
    session.flush()


def _no_reply(*_args, **_kwargs) -> list[Message]:
    return []  # settle_where_asked replies where the waiting conversation began, never here


def send_batch(session: Session, run_id: int, now: datetime, settings: DispatchSettings | None = None) -> BatchResult:
    """Send the run's next batch if it is running and due; returns when the next one is due."""
    settings = settings or DispatchSettings.from_app()
    run = _locked(session, run_id)
    if run is None or run.status != RUNNING:
        return BatchResult(0, 0, None, run.status if run is not None else CANCELLED)
    last = session.scalar(select(func.max(SurveyDelivery.sent_at)).where(SurveyDelivery.run_id == run.id))
    if last is not None and now < last + timedelta(seconds=settings.batch_seconds):
        return BatchResult(0, 0, last + timedelta(seconds=settings.batch_seconds), run.status)
    refused = _unsendable(session, run)
    if refused is not None:  # a text removed since the start: never in another language
        run.status = PAUSED
        run.plan = {**(run.plan or {}), PAUSED_FOR: [[m.part, m.language] for m in refused.missing]}
        session.flush()
        return BatchResult(0, 0, None, run.status)
    batch = _next_deliveries(session, run, settings)
    sent = skipped = 0
    if batch:
        sent, skipped = _send(session, run, batch, now, settings)
    left = session.scalar(select(SurveyDelivery.id).where(SurveyDelivery.run_id == run.id,
                                                          SurveyDelivery.status == PENDING).limit(1))
    if left is None:
        run.status, run.finished_at = FINISHED, now
        session.flush()
        return BatchResult(sent, skipped, None, run.status)
    return BatchResult(sent, skipped, now + timedelta(seconds=settings.batch_seconds), run.status)


def _unsendable(session: Session, run: SurveyRun) -> DispatchRefused | None:
    survey = session.get(Survey, run.survey_id)
    factory = session.get(Factory, run.factory_id) if run.factory_id is not None else None
    try:
        check_sendable(survey, factory.country if factory is not None else survey.country, factory)
    except DispatchRefused as refused:
        return refused
    return None


def _next_deliveries(session: Session, run: SurveyRun, settings: DispatchSettings) -> list[SurveyDelivery]:
    """Per sender number, what it sends in one batch's time at its rate."""
    endpoint_ids = session.scalars(select(SurveyDelivery.endpoint_id).where(
        SurveyDelivery.run_id == run.id, SurveyDelivery.status == PENDING).distinct()).all()
    batch: list[SurveyDelivery] = []
    for endpoint in session.scalars(select(ChannelEndpoint).where(ChannelEndpoint.id.in_(endpoint_ids))):
        allowance = max(1, int(settings.rate(endpoint.channel) * settings.batch_seconds))
        batch += session.scalars(select(SurveyDelivery).where(
            SurveyDelivery.run_id == run.id, SurveyDelivery.status == PENDING,
            SurveyDelivery.endpoint_id == endpoint.id).order_by(SurveyDelivery.id).limit(allowance)).all()
    return batch


def _send(session: Session, run: SurveyRun, batch: list[SurveyDelivery], now: datetime,
          settings: DispatchSettings) -> tuple[int, int]:
    survey = session.get(Survey, run.survey_id)
    worker_ids = [delivery.worker_id for delivery in batch]
    # Their rows locked at once, in the order a batch of their messages takes them, before each
    # is invited (``begin`` would lock them one by one, in the batch's order, and could wait in
    # a circle with a batch of messages holding some of them).
    workers = lock_rows(session, worker_ids)
    endpoints = {endpoint.id: endpoint for endpoint in session.scalars(
        select(ChannelEndpoint).where(ChannelEndpoint.id.in_({d.endpoint_id for d in batch})))}
    consenting = set(session.scalars(select(SurveySubscriber.worker_id).where(
        SurveySubscriber.worker_id.in_(worker_ids), SurveySubscriber.withdrawn_at.is_(None),
        _run_factories(run))))
    used = survey_messages_used(session, worker_ids, now)
    senders = providers(session, [(d.worker_id, d.endpoint_id, endpoints[d.endpoint_id].channel) for d in batch])
    each, sent, skipped, announced = messages_each(survey), 0, 0, []
    for delivery in batch:
        worker, endpoint = workers[delivery.worker_id], endpoints[delivery.endpoint_id]
        reason = (WITHDRAWN if worker.id not in consenting else OPTED_OUT if worker.opted_out(endpoint.channel)
                  else MONTHLY_CAP if used.get(worker.id, 0) + each > settings.messages_per_month else None)
        provider = senders[(worker.id, endpoint.id)]
        if reason is not None or provider is None:
            delivery.status, delivery.reason = SKIPPED, reason or "no_channel"
            skipped += 1
            continue
        if survey.kind == ANNOUNCEMENT:
            announced.append((delivery, _announce(session, survey, run, delivery, worker, endpoint, provider, now)))
        else:
            turn = Turn(session=session, worker=worker, now=now,
                        reply=replier(session, worker, endpoint, provider, now))
            first = invite(turn, run, delivery, provider)
            delivery.message_id = first[0].id if first else None  # none yet: she is asked after what she is in
        delivery.status, delivery.sent_at = SENT, now
        sent += 1
    session.flush()  # the announcements' rows, in one INSERT
    for delivery, message in announced:
        delivery.message_id = message.id
    session.flush()
    return sent, skipped


def _announce(session: Session, survey: Survey, run: SurveyRun, delivery: SurveyDelivery, worker: Worker,
              endpoint: ChannelEndpoint, provider: str, now: datetime) -> Message:
    """The announcement in her language; her reply to it is an ordinary message (a complaint
    in it starts an intake), so no conversation waits for it."""
    body = text_in(survey.intro, delivery.language)
    message = queue_reply(session, worker=worker, endpoint=endpoint, provider=provider, purpose=ANNOUNCEMENT_PURPOSE,
                          language=delivery.language, now=now, body=body, flush=False, intro=body)
    return tag([message], run)[0]


def _run_factories(run: SurveyRun):
    if run.factory_id is not None:
        return SurveySubscriber.factory_id == run.factory_id
    return SurveySubscriber.factory_id.in_(select(Factory.id).where(Factory.country_code == run.country_code))


def runs_overdue(session: Session, now: datetime, grace_seconds: float,
                 settings: DispatchSettings | None = None) -> list[int]:
    """Running runs whose next batch is long overdue (its job was lost: Redis away, a worker
    killed): the periodic round gives each a batch job again."""
    settings = settings or DispatchSettings.from_app()
    cutoff = now - timedelta(seconds=settings.batch_seconds + grace_seconds)
    last = (select(SurveyDelivery.run_id, func.max(SurveyDelivery.sent_at).label("last"))
            .group_by(SurveyDelivery.run_id).subquery())
    return list(session.scalars(select(SurveyRun.id).outerjoin(last, last.c.run_id == SurveyRun.id).where(
        SurveyRun.status == RUNNING, func.coalesce(last.c.last, SurveyRun.started_at) < cutoff)
        .order_by(SurveyRun.id)))

"""Replies are rows first; a job sends them after the commit.

Nobody sends by hand: every reply row a session inserts (``awaits_sending``) is sent once
that session commits (``queueing.JobQueues.watch``, wired by ``tasks.init_app``); a rollback
sends nothing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from grievance.channels.segments import segment_info
from grievance.i18n.worker import purpose_for, worker_text
from grievance.models import Case, CaseEvent, ChannelEndpoint, Message, Worker
from grievance.models.case import ROUTE_ADVISOR
from grievance.models.message import OUTBOUND, QUEUED
from grievance.workflows.events import record


def queue_reply(
    session: Session,
    *,
    worker: Worker,
    endpoint: ChannelEndpoint,
    provider: str,
    purpose: str,
    language: str,
    now: datetime,
    case: Case | None = None,
    body: str | None = None,
    flush: bool = True,
    **variables: str,
) -> Message:
    """Queue the worker-facing text for ``purpose`` in her language (or ``body`` as written),
    with its SMS cost. With ``flush=False`` (many replies at once) the caller flushes, then
    records the ``reply_queued`` events with ``replies_queued``.

    A text about a case is worded for it: who handles it (the committee or the programme's
    advisors) and whether she gave her name."""
    if case is not None and body is None:
        purpose = purpose_for(purpose, advisors=case.route == ROUTE_ADVISOR, named=gave_her_name(case))
    body = body if body is not None else worker_text(purpose, language, **variables)
    cost = segment_info(body)
    reply = Message(
        direction=OUTBOUND,
        provider=provider,
        channel=endpoint.channel,
        endpoint_id=endpoint.id,
        worker_id=worker.id,
        case_id=case.id if case else None,
        body=body,
        purpose=purpose,
        variables=variables,
        language=language,
        encoding=cost.encoding,
        segments=cost.segments,
        status=QUEUED,
        created_at=now,
    )
    session.add(reply)
    if flush:
        session.flush()
        if case is not None:
            record(session, case, "reply_queued", now, message_id=reply.id)
    return reply


def awaits_sending(row: object) -> bool:
    """A row that, once committed, is sent to a worker: an outbound message still queued."""
    return isinstance(row, Message) and row.direction == OUTBOUND and row.status == QUEUED


def gave_her_name(case: Case) -> bool:
    return not case.anonymous and case.name_encrypted is not None


def replies_queued(session: Session, replies: list[Message], now: datetime) -> None:
    """After queueing with ``flush=False``: one INSERT for all, then their events."""
    session.flush()
    session.add_all([CaseEvent(case_id=reply.case_id, kind="reply_queued", at=now, data={"message_id": reply.id})
                     for reply in replies if reply.case_id is not None])

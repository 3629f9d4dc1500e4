"""Replies are rows first; a job sends them after the commit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from grievance.channels.segments import segment_info
from grievance.language.texts import worker_text
from grievance.models import Case, ChannelEndpoint, Message, Worker
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
    **variables: str,
) -> Message:
    """Queue the worker-facing text for ``purpose`` in her language (or ``body`` as written),
    with its SMS cost."""
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
    session.flush()
    if case is not None:
        record(session, case, "reply_queued", now, message_id=reply.id)
    return reply

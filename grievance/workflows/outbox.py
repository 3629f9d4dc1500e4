"""Replies are rows first; a job sends them after the commit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from grievance.models import Case, ChannelEndpoint, Message, Worker
from grievance.models.message import OUTBOUND, QUEUED
from grievance.workflows.events import record


def queue_reply(
    session: Session,
    *,
    worker: Worker,
    endpoint: ChannelEndpoint,
    provider: str,
    body: str,
    language: str,
    now: datetime,
    case: Case | None = None,
) -> Message:
    reply = Message(
        direction=OUTBOUND,
        provider=provider,
        channel=endpoint.channel,
        endpoint_id=endpoint.id,
        worker_id=worker.id,
        case_id=case.id if case else None,
        body=body,
        language=language,
        status=QUEUED,
        created_at=now,
    )
    session.add(reply)
    session.flush()
    if case is not None:
        record(session, case, "reply_queued", now, message_id=reply.id)
    return reply

"""The job that reads a worker's message once it is stored."""

from __future__ import annotations

import logging

from flask import current_app
from sqlalchemy import update

from grievance.extensions import db
from grievance.models import Message
from grievance.models.base import utcnow
from grievance.models.message import INBOUND, PROCESSED
from grievance.privacy import vault
from grievance.queueing import job
from grievance.workflows.inbound import handle_inbound

log = logging.getLogger(__name__)


@job
def process_inbound(message_id: int) -> None:
    """Handle one inbound message; its replies are sent after the commit (the outbox)."""
    now = utcnow()
    # Claim first: a second run of this job (a retry, a requeue) finds nothing to do,
    # and on PostgreSQL a concurrent one waits on the row lock, then finds nothing.
    claimed = db.session.execute(
        update(Message)
        .where(Message.id == message_id, Message.direction == INBOUND, Message.processed_at.is_(None))
        .values(processed_at=now, status=PROCESSED)
    ).rowcount
    if not claimed:
        db.session.rollback()
        return
    message = db.session.get(Message, message_id)
    replies = handle_inbound(db.session, message, now, vault(),
                             per_hour=current_app.config["INBOUND_PER_WORKER_PER_HOUR"])
    db.session.commit()
    log.info("inbound message %s processed, %s replies queued", message_id, len(replies))

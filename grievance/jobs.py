"""RQ jobs. Each parses its arguments, calls a workflow, commits once, then defers what follows."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select, update

from grievance.channels.base import OutboundMessage, PermanentSendError, get_channel
from grievance.channels.ingest import replay_spool
from grievance.channels.twilio.status import advance
from grievance.extensions import db, queues
from grievance.models import Message
from grievance.models.base import utcnow
from grievance.models.message import FAILED, INBOUND, OUTBOUND, PROCESSED, QUEUED, SENDING
from grievance.privacy import vault
from grievance.queueing import job
from grievance.workflows.inbound import handle_inbound

log = logging.getLogger(__name__)

# Messages older than this and still untouched are handed to a job again by the requeue.
STALE_AFTER = timedelta(minutes=1)


@job
def process_inbound(message_id: int) -> None:
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
    replies = handle_inbound(db.session, message, now, vault())
    for reply in replies:
        queues.defer(send_outbound, reply.id)
    db.session.commit()
    log.info("inbound message %s processed, %s replies queued", message_id, len(replies))


@job
def send_outbound(message_id: int) -> None:
    """Send once: the status moves queued → sending in its own commit before the provider is called."""
    claimed = db.session.execute(
        update(Message)
        .where(Message.id == message_id, Message.direction == OUTBOUND, Message.status == QUEUED)
        .values(status=SENDING)
    ).rowcount
    db.session.commit()
    if not claimed:
        return
    message = db.session.get(Message, message_id)
    channel = get_channel(message.provider)
    outbound = OutboundMessage(
        message_id=message.id,
        channel=message.channel,
        to_address=vault().decrypt(message.worker.phone_encrypted),
        from_address=message.endpoint.address,
        body=message.body,
    )
    try:
        result = channel.send(outbound)
    except PermanentSendError as error:
        message.status, message.error = FAILED, str(error)[:255]
        db.session.commit()
        log.warning("outbound message %s refused: %s", message_id, error)
        return
    except Exception as error:
        # Not accepted by the provider: put it back so a retry or the requeue sends it.
        message.status, message.error = QUEUED, f"{type(error).__name__}"[:255]
        db.session.commit()
        raise
    message.provider_id = result.provider_id
    message.status = advance(SENDING, result.status)
    message.sent_at = utcnow()
    message.error = None
    db.session.commit()
    log.info("outbound message %s sent through %s", message_id, channel.name)


@job
def requeue_stale() -> dict[str, int]:
    """Cron: replay the spool, and hand every message that no job finished to a job again."""
    replayed = replay_spool()
    cutoff = utcnow() - STALE_AFTER
    inbound = db.session.scalars(
        select(Message.id).where(
            Message.direction == INBOUND, Message.processed_at.is_(None), Message.created_at < cutoff
        )
    ).all()
    outbound = db.session.scalars(
        select(Message.id).where(
            Message.direction == OUTBOUND, Message.status == QUEUED, Message.created_at < cutoff
        )
    ).all()
    for message_id in inbound:
        queues.defer(process_inbound, message_id)
    for message_id in outbound:
        queues.defer(send_outbound, message_id)
    db.session.commit()
    return {"spooled": replayed, "inbound": len(inbound), "outbound": len(outbound)}

"""The jobs that read workers' messages once they are stored: one message, or a batch of them.

A batch is processed in one transaction: one claim, one read of the messages, what they share
(their factory's number, its country, the rules) read once, one commit. With Redis, the
replies are then sent by the same job (``send_committed``), not by an RQ job each. Should one
message of a batch fail, the batch is rolled back and each message is processed on its own, so
one bad message holds up no other; it stays unprocessed and the requeue round tries it again.
The senders' rows are read and locked in one statement (the new ones created in one more), in
the order of their hash, so two batches running at once that share workers do not deadlock on
them (should two lock rows in opposite orders elsewhere, or while keys rotate, when the new
ones are created one by one, PostgreSQL ends one of them, and its messages are processed one
by one).
"""

from __future__ import annotations

import logging

from flask import current_app
from sqlalchemy import select, update

from grievance.extensions import db, queues
from grievance.models import Message
from grievance.models.base import utcnow
from grievance.models.message import INBOUND, PROCESSED
from grievance.privacy import vault
from grievance.queueing import job
from grievance.tasks.outbound import send_committed, send_outbound
from grievance.workflows.inbound import handle_inbound, recent_inbound
from grievance.workflows.conversations.registry import read_for
from grievance.workflows.workers import lock_workers

log = logging.getLogger(__name__)


def _process(message_ids: list[int]) -> None:
    now = utcnow()
    # Claim first: a second run of this job (a retry, a requeue) finds nothing to do,
    # and on PostgreSQL a concurrent one waits on the row locks, then finds nothing.
    claimed = db.session.scalars(
        update(Message)
        .where(Message.id.in_(message_ids), Message.direction == INBOUND, Message.processed_at.is_(None))
        .values(processed_at=now, status=PROCESSED)
        .returning(Message.id)
        .execution_options(synchronize_session=False)
    ).all()
    if not claimed:
        db.session.rollback()
        return
    messages = db.session.scalars(select(Message).where(Message.id.in_(claimed)).order_by(Message.id)).all()
    per_hour, secrets = current_app.config["INBOUND_PER_WORKER_PER_HOUR"], vault()
    senders = lock_workers(db.session, [(secrets.decrypt(message.address_encrypted), message.endpoint.country_code)
                                        for message in messages if message.address_encrypted is not None],
                           secrets, now)
    recent = recent_inbound(db.session, [worker.id for worker in senders.values()], now)  # one count for all
    read_for(db.session, [worker.id for worker in senders.values()])  # and one read of their conversations
    replies = 0
    for message in messages:
        replies += len(handle_inbound(db.session, message, utcnow(), secrets, per_hour=per_hour, workers=senders,
                                      recent=recent))
    lanes = _reply_lanes() if queues.uses_redis else []
    db.session.commit()
    log.info("%s inbound messages processed (%s), %s replies queued", len(messages),
             ", ".join(map(str, claimed)), replies)
    send_committed(lanes)


def _reply_lanes() -> list[list[int]]:
    """The replies this session queued, taken from the outbox to be sent by this job: one
    lane per worker, in the order queued. (Without Redis, the in-process jobs send them as
    they always did, so a reply waiting for its sender's slot holds up no message.)"""
    db.session.flush()
    taken = [reply_id for (reply_id,) in queues.take(send_outbound)]
    # Whose each is, in one statement (the rows flushed need not be in the session any more).
    whose = dict(db.session.execute(select(Message.id, Message.worker_id).where(Message.id.in_(taken))).all()
                 ) if taken else {}
    lanes: dict[int | None, list[int]] = {}
    for reply_id in taken:
        lanes.setdefault(whose.get(reply_id), []).append(reply_id)
    return list(lanes.values())


@job
def process_inbound_batch(message_ids: list[int]) -> None:
    """Handle stored inbound messages together; alone, one by one, should the batch fail."""
    try:
        _process(message_ids)
        return
    except Exception:
        db.session.rollback()
        if len(message_ids) == 1:
            raise
        log.warning("a batch of %s inbound messages failed; each is processed on its own", len(message_ids))
    failure = None
    for message_id in message_ids:
        try:
            _process([message_id])
        except Exception as error:
            db.session.rollback()
            log.exception("inbound message %s failed; the requeue round tries it again", message_id)
            failure = failure or error
    if failure is not None:
        raise failure


@job
def process_inbound(message_id: int) -> None:
    """Handle one inbound message; its replies are sent after the commit."""
    _process([message_id])

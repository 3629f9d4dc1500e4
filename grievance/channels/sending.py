"""Sending one reply: claim it, check the opt-out, wait for the sender's pace, send, record.

Sending is idempotent: the claim (queued → sending) is committed before the channel is
called, so a job that runs twice never sends twice. What a failure means is said by the
channel's own error (``channels/base.py``); nothing here knows a provider.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload

from grievance.channels.base import (OutboundMessage, PermanentSendError, SendError, TransientSendError,
                                     advance, channel_for)
from grievance.channels.pacing import reserve_slot
from grievance.extensions import db, queues
from grievance.language.keywords import OPT_OUT
from grievance.models import Message, SurveyRun
from grievance.models.base import utcnow
from grievance.models.message import CANCELLED as MESSAGE_CANCELLED
from grievance.models.message import FAILED, OUTBOUND, QUEUED, SENDING
from grievance.models.survey import CANCELLED as RUN_CANCELLED
from grievance.privacy import vault

log = logging.getLogger(__name__)

# A worker waits for its sender's rate slot at most this long; later slots are scheduled.
MAX_PACING_WAIT = 10.0
# A survey's or announcement's message waits in no worker at all beyond this: a blast must not
# keep the workers from a worker's grievance (her reply takes the next free slot, the blast's
# messages come back for theirs).
BULK_PACING_WAIT = 0.5


def outbound(message: Message) -> OutboundMessage:
    """What a channel needs of a reply: the addresses in clear, the text, the template's inputs."""
    worker = message.worker
    return OutboundMessage(
        message_id=message.id,
        channel=message.channel,
        to_address=vault().decrypt(worker.phone_encrypted),
        from_address=message.endpoint.address,
        body=message.body,
        purpose=message.purpose,
        language=message.language,
        variables=message.variables or {},
        last_inbound_at=worker.whatsapp_last_inbound_at,
    )


def claim(message_ids: list[int]) -> list[int]:
    """Queued → sending, committed, for those of these replies still queued; returns their ids.
    Only the caller that claimed a reply sends it (``send_claimed``)."""
    claimed = db.session.scalars(
        update(Message)
        .where(Message.id.in_(message_ids), Message.direction == OUTBOUND, Message.status == QUEUED)
        .values(status=SENDING, send_started_at=utcnow())
        .returning(Message.id)
        .execution_options(synchronize_session=False)
    ).all()
    db.session.commit()
    return claimed


def _claimed(message_id: int) -> Message:
    # With its worker: her number and opt-out are read next (one round trip, not two).
    return db.session.get(Message, message_id, options=[joinedload(Message.worker)])


def _run_cancelled(run_id: int) -> bool:
    # FOR SHARE: a cancel still being committed holds the run's row; its outcome is waited for.
    status = db.session.scalar(select(SurveyRun.status).where(SurveyRun.id == run_id).with_for_update(read=True))
    return status == RUN_CANCELLED


def _fail(message: Message, reason: str) -> None:
    message.status, message.error = FAILED, reason[:255]
    db.session.commit()
    log.warning("outbound message %s failed: %s", message.id, reason)


def _slot_wait(message: Message) -> float:
    """Seconds until this message's sender may send again (its slot is reserved now)."""
    rate = current_app.config["SEND_RATE_WHATSAPP" if message.channel == "whatsapp" else "SEND_RATE_SMS"]
    return reserve_slot(f"{message.channel}:{message.endpoint.address}", rate)


def send_message(message_id: int, reserved: bool = False) -> float | None:
    """Send one queued reply once. Returns None when done (sent, failed, or not ours to send),
    or the seconds after which the caller schedules it again: its sender's slot is that far
    away and RQ can wait without holding a worker (``reserved`` then, when it comes back).

    A channel error that proves the message never left puts it back to queued and is raised,
    so the job's retry sends it later; one that leaves it uncertain keeps it 'sending' for
    ``reconcile_interrupted``, and is raised too."""
    if not claim([message_id]):
        return None
    return send_claimed(message_id, reserved)


def send_claimed(message_id: int, reserved: bool = False) -> float | None:
    """``send_message`` for a reply this process has claimed already (``claim``)."""
    message = _claimed(message_id)
    if message.run_id is not None and _run_cancelled(message.run_id):
        # Queued after the cancel had stopped the run's queued messages (her answer processed
        # at that moment asked the next question): it never goes.
        message.status, message.error = MESSAGE_CANCELLED, "its run was cancelled"
        db.session.commit()
        return None
    if message.worker.opted_out(message.channel) and message.purpose != OPT_OUT:
        _fail(message, "the worker opted out of messages on this channel")
        return None
    channel = channel_for(message.provider, message.channel)
    if not reserved:
        wait = _slot_wait(message)
        bulk = message.run_id is not None
        if wait > (BULK_PACING_WAIT if bulk else MAX_PACING_WAIT) and (bulk or queues.uses_redis):
            message.status = QUEUED
            db.session.commit()
            return wait
        time.sleep(min(max(wait, 0.0), MAX_PACING_WAIT))
    try:
        result = channel.send(outbound(message))
    except PermanentSendError as error:
        if error.opted_out:
            message.worker.set_opted_out(message.channel, True)
        _fail(message, str(error))
        return None
    except Exception as error:
        _keep_for_retry(message, error)
        raise
    message.provider_id = result.provider_id
    message.status = advance(SENDING, result.status)
    message.sent_at = utcnow()
    message.error = None
    db.session.commit()
    log.info("outbound message %s sent through %s", message_id, channel.name)
    return None


def _keep_for_retry(message: Message, error: Exception) -> None:
    reason = error.reason if isinstance(error, SendError) else type(error).__name__
    if isinstance(error, TransientSendError):
        # The provider surely did not take it: put it back; the job's retry sends it later.
        message.status, message.error = QUEUED, f"{reason}, will retry"[:255]
    else:
        # It may have gone out (a read timeout): keep it 'sending'; the requeue asks the
        # provider before anything is sent again.
        message.error = f"{reason}, checking with the provider"[:255]
    db.session.commit()


def reconcile_interrupted(cutoff: datetime) -> tuple[int, list[int]]:
    """A job killed while sending left its message 'sending': adopt it if the provider has it,
    otherwise queue it again. Never a blind resend. Returns how many were checked and the ids
    queued again, for the caller to send after its commit."""
    stuck = db.session.scalars(
        select(Message).where(
            Message.direction == OUTBOUND, Message.status == SENDING, Message.provider_id.is_(None),
            # Since the send began, not since the reply was queued: a reply that waited long in a
            # backlog and is being sent right now is not asked about (and sent again) mid-send.
            func.coalesce(Message.send_started_at, Message.created_at) < cutoff,
        )
    ).all()
    again = []
    for message in stuck:
        channel = channel_for(message.provider, message.channel)
        finder = getattr(channel, "find_sent", None)
        try:
            found = finder(outbound(message), message.created_at - timedelta(minutes=1)) if finder else None
        except Exception as error:  # the provider cannot be asked now: it stays 'sending', asked next round
            log.warning("could not ask the provider about message %s: %s", message.id, type(error).__name__)
            continue
        if found is not None:
            message.provider_id, message.status = found.provider_id, advance(SENDING, found.status)
            message.sent_at = message.sent_at or utcnow()
        else:
            message.status = QUEUED
            again.append(message.id)
    return len(stuck), again

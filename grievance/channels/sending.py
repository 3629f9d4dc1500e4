"""Sending one reply: claim it, check the opt-out, wait for the sender's pace, send, record.

Sending is idempotent: the claim (queued → sending) is committed before the channel is
called, so a job that runs twice never sends twice. What a failure means is said by the
channel's own error (``channels/base.py``); nothing here knows a provider.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload

from grievance.channels.base import (Channel, OutboundMessage, PermanentSendError, SendError, SendResult,
                                     TransientSendError, advance, channel_for)
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
    """Queued → sending for those of these replies still queued; returns their ids. Committed
    by ``prepare``, in the same transaction, before anything is sent. Only the caller that
    claimed a reply sends it (``prepare``, ``Attempt.send``, ``record``)."""
    return db.session.scalars(
        update(Message)
        .where(Message.id.in_(message_ids), Message.direction == OUTBOUND, Message.status == QUEUED)
        .values(status=SENDING, send_started_at=utcnow())
        .returning(Message.id)
        .execution_options(synchronize_session=False)
    ).all()


@dataclass(eq=False)
class Attempt:
    """One claimed reply on its way out: all a sending thread needs, nothing of another
    thread's session. ``send`` leaves one outcome: ``result``, ``error``, ``deferred`` (seconds
    to its sender's slot, too far off to wait for) or ``cancelled``."""

    message_id: int
    outbound: OutboundMessage | None
    channel: Channel | None
    sender: str = ""  # whose pace it keeps: "sms:+622150000001"
    rate: float = 1.0  # that sender's messages per second
    run_id: int | None = None  # a survey's or announcement's message
    reserved: bool = False  # coming back for the slot it was given
    result: SendResult | None = None
    error: Exception | None = None
    deferred: float | None = None
    cancelled: bool = False

    def send(self) -> None:
        """Reserve its sender's next slot (one Redis round trip, at the moment it is next, so
        the sends of one number stay spaced however the threads run), wait for it, hand the
        reply to its channel. A survey's message holds its run's row (FOR SHARE) until the
        channel has answered, so a cancel committed before it is seen, and one being committed
        waits for it. Runs on any thread with an app context, in that thread's own session."""
        if self.error is not None:  # it could not be made ready: it is tried again later
            return
        try:
            if self.run_id is not None and _run_cancelled(self.run_id):
                # Queued after the cancel had stopped the run's queued messages (her answer
                # processed at that moment asked the next question): it never goes.
                self.cancelled = True
                return
            if not self.reserved and not self._wait_for_slot():
                return
            self.result = self.channel.send(self.outbound)
        except Exception as error:
            self.error = error
        finally:
            if self.run_id is not None:
                db.session.rollback()  # the run's row is let go

    def _wait_for_slot(self) -> bool:
        try:
            wait = reserve_slot(self.sender, self.rate)
        except Exception as error:  # Redis is away: nothing goes unpaced; it is tried again later
            log.warning("sender's pace unavailable (%s): outbound message %s waits", type(error).__name__,
                        self.message_id)
            raise TransientSendError(f"pace unavailable ({type(error).__name__})") from error
        bulk = self.run_id is not None
        if wait > (BULK_PACING_WAIT if bulk else MAX_PACING_WAIT) and (bulk or queues.uses_redis):
            self.deferred = wait
            return False
        time.sleep(min(max(wait, 0.0), MAX_PACING_WAIT))
        return True


def _run_cancelled(run_id: int) -> bool:
    # FOR SHARE: a cancel still being committed holds the run's row; its outcome is waited for.
    status = db.session.scalar(select(SurveyRun.status).where(SurveyRun.id == run_id).with_for_update(read=True))
    return status == RUN_CANCELLED


def prepare(message_ids: list[int], reserved: bool = False) -> list[Attempt]:
    """Claimed replies, read with their workers and numbers in one statement, made ready to
    send, in the order given. One to a worker who opted out fails (whether its run was
    cancelled is asked when it is sent); one that cannot be made ready (its channel gone from the settings, say)
    is given a transient error, so it goes back to queued and is tried again. Commits (the
    claim with it)."""
    found = {message.id: message for message in db.session.scalars(
        select(Message).where(Message.id.in_(message_ids)).options(joinedload(Message.worker))).unique()}
    messages = [found[message_id] for message_id in message_ids if message_id in found]
    attempts: list[Attempt] = []
    config = current_app.config
    for message in messages:
        try:
            if message.worker.opted_out(message.channel) and message.purpose != OPT_OUT:
                _fail(message, "the worker opted out of messages on this channel")
                continue
            attempt = Attempt(message.id, outbound(message), channel_for(message.provider, message.channel),
                              sender=f"{message.channel}:{message.endpoint.address}",
                              rate=config["SEND_RATE_WHATSAPP" if message.channel == "whatsapp" else "SEND_RATE_SMS"],
                              run_id=message.run_id, reserved=reserved)
        except Exception as error:
            log.exception("outbound message %s could not be made ready to send", message.id)
            attempt = Attempt(message.id, None, None,
                              error=TransientSendError(f"not ready to send ({type(error).__name__})"))
        attempts.append(attempt)
    db.session.commit()
    return attempts


def record(attempts: list[Attempt]) -> list[Attempt]:
    """The outcomes of attempts that were sent (or tried), written in one statement and
    committed. Returns those to come back to: deferred ones (their slot is far off: the caller
    schedules them, ``reserved``), and those with an error that is not final: one that proves
    the message never left put it back to queued; one that leaves it uncertain kept it
    'sending' for ``reconcile_interrupted``."""
    if not attempts:
        return []
    rows, again, opted_out = [], [], []
    for attempt in attempts:
        row = {"id": attempt.message_id, "provider_id": None, "sent_at": None}
        error = attempt.error
        if attempt.cancelled:
            row.update(status=MESSAGE_CANCELLED, error="its run was cancelled")
        elif attempt.deferred is not None:
            row.update(status=QUEUED, error=None)
            again.append(attempt)
        elif error is None:
            row.update(provider_id=attempt.result.provider_id, status=advance(SENDING, attempt.result.status),
                       sent_at=utcnow(), error=None)
        elif isinstance(error, PermanentSendError):
            row.update(status=FAILED, error=str(error)[:255])
            log.warning("outbound message %s failed: %s", attempt.message_id, error)
            if error.opted_out:
                opted_out.append(attempt)
        else:
            reason = error.reason if isinstance(error, SendError) else type(error).__name__
            if isinstance(error, TransientSendError):
                # The provider surely did not take it: back to queued, to be sent again later.
                row.update(status=QUEUED, error=f"{reason}, will retry"[:255])
            else:
                # It may have gone out (a read timeout): it stays 'sending'; the requeue asks
                # the provider before anything is sent again.
                row.update(status=SENDING, error=f"{reason}, checking with the provider"[:255])
            again.append(attempt)
        rows.append(row)
    db.session.execute(update(Message), rows)
    for attempt in opted_out:
        worker = db.session.get(Message, attempt.message_id).worker
        worker.set_opted_out(attempt.outbound.channel, True)
    db.session.commit()
    sent = [attempt for attempt in attempts if attempt.result is not None and attempt.error is None]
    if sent:
        log.info("outbound messages %s sent through %s", ", ".join(str(attempt.message_id) for attempt in sent),
                 ", ".join(sorted({attempt.channel.name for attempt in sent})))
    return again


def _fail(message: Message, reason: str) -> None:
    message.status, message.error = FAILED, reason[:255]
    log.warning("outbound message %s failed: %s", message.id, reason)


def send_message(message_id: int, reserved: bool = False) -> float | None:
    """Send one queued reply once. Returns None when done (sent, failed, or not ours to send),
    or the seconds after which the caller schedules it again: its sender's slot is that far
    away and RQ can wait without holding a worker (``reserved`` then, when it comes back).

    A channel error that proves the message never left puts it back to queued and is raised,
    so the job's retry sends it later; one that leaves it uncertain keeps it 'sending' for
    ``reconcile_interrupted``, and is raised too."""
    if not claim([message_id]):
        db.session.rollback()
        return None
    attempts = prepare([message_id], reserved)
    for attempt in attempts:
        attempt.send()
    for attempt in record(attempts):
        if attempt.deferred is not None:
            return attempt.deferred
        raise attempt.error
    return None


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

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
from grievance.channels.pacing import reserve_slots
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
    Only the caller that claimed a reply sends it (``prepare``, ``Attempt.send``, ``record``)."""
    claimed = db.session.scalars(
        update(Message)
        .where(Message.id.in_(message_ids), Message.direction == OUTBOUND, Message.status == QUEUED)
        .values(status=SENDING, send_started_at=utcnow())
        .returning(Message.id)
        .execution_options(synchronize_session=False)
    ).all()
    db.session.commit()
    return claimed


@dataclass(eq=False)
class Attempt:
    """One claimed reply on its way out: all a sending thread needs, nothing of the session."""

    message_id: int
    outbound: OutboundMessage
    channel: Channel
    ready_at: float = 0.0  # time.monotonic() of its sender's slot
    result: SendResult | None = None
    error: Exception | None = None

    def send(self) -> None:
        """Wait for its slot and hand it to its channel; the outcome is kept for ``record``.
        Safe on any thread with an app context: it reads and writes no row of the session."""
        if self.error is not None:  # it could not be given a slot: it is tried again later
            return
        time.sleep(max(0.0, self.ready_at - time.monotonic()))
        try:
            self.result = self.channel.send(self.outbound)
        except Exception as error:
            self.error = error


def _cancelled_runs(run_ids: set[int]) -> set[int]:
    if not run_ids:
        return set()
    # FOR SHARE: a cancel still being committed holds the run's row; its outcome is waited for.
    rows = db.session.execute(select(SurveyRun.id, SurveyRun.status).where(SurveyRun.id.in_(run_ids))
                              .with_for_update(read=True))
    return {run_id for run_id, status in rows if status == RUN_CANCELLED}


def prepare(message_ids: list[int], reserved: bool = False) -> tuple[list[Attempt], dict[int, float]]:
    """Claimed replies, read in one statement and checked: one whose run was cancelled never
    goes, one to a worker who opted out fails. The others' senders' slots are reserved (unless
    ``reserved``: a reply coming back for the slot it was given). Commits; returns what goes
    now, in the order given, and ``{id: seconds}`` of those put back to queued because their
    slot is too far off: the caller schedules them, to come back ``reserved``."""
    found = {message.id: message for message in db.session.scalars(
        select(Message).where(Message.id.in_(message_ids)).options(joinedload(Message.worker))).unique()}
    messages = [found[message_id] for message_id in message_ids if message_id in found]
    cancelled = _cancelled_runs({message.run_id for message in messages if message.run_id is not None})
    going: list[tuple[Message, Attempt]] = []
    for message in messages:
        if message.run_id in cancelled:
            # Queued after the cancel had stopped the run's queued messages (her answer processed
            # at that moment asked the next question): it never goes.
            message.status, message.error = MESSAGE_CANCELLED, "its run was cancelled"
        elif message.worker.opted_out(message.channel) and message.purpose != OPT_OUT:
            _fail(message, "the worker opted out of messages on this channel")
        else:
            going.append((message, Attempt(message.id, outbound(message),
                                           channel_for(message.provider, message.channel))))
    deferred: dict[int, float] = {}
    if going and not reserved:
        config = current_app.config
        try:
            waits = reserve_slots([
                (f"{message.channel}:{message.endpoint.address}",
                 config["SEND_RATE_WHATSAPP" if message.channel == "whatsapp" else "SEND_RATE_SMS"])
                for message, _ in going])
        except Exception as error:  # Redis is away: nothing goes unpaced; each is tried again later
            log.warning("senders' pace unavailable (%s): %s replies wait", type(error).__name__, len(going))
            for _, attempt in going:
                attempt.error = TransientSendError(f"pace unavailable ({type(error).__name__})")
            waits = [0.0] * len(going)
        now, kept = time.monotonic(), []
        for (message, attempt), wait in zip(going, waits):
            bulk = message.run_id is not None
            if wait > (BULK_PACING_WAIT if bulk else MAX_PACING_WAIT) and (bulk or queues.uses_redis):
                message.status = QUEUED
                deferred[message.id] = wait
            else:
                attempt.ready_at = now + min(max(wait, 0.0), MAX_PACING_WAIT)
                kept.append((message, attempt))
        going = kept
    db.session.commit()
    return [attempt for _, attempt in going], deferred


def record(attempts: list[Attempt]) -> list[Attempt]:
    """The outcomes of sent attempts, written in one statement and committed. Returns the
    attempts to try again: a channel error that proves the message never left put it back to
    queued; one that leaves it uncertain kept it 'sending' for ``reconcile_interrupted``."""
    if not attempts:
        return []
    rows, again, opted_out = [], [], []
    for attempt in attempts:
        row = {"id": attempt.message_id, "provider_id": None, "sent_at": None}
        error = attempt.error
        if error is None:
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
    sent = [attempt.message_id for attempt in attempts if attempt.error is None]
    if sent:
        log.info("outbound messages %s sent through %s", ", ".join(map(str, sent)),
                 ", ".join(sorted({attempt.channel.name for attempt in attempts if attempt.error is None})))
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
        return None
    attempts, deferred = prepare([message_id], reserved)
    for attempt in attempts:
        attempt.send()
    for attempt in record(attempts):
        raise attempt.error
    return deferred.get(message_id)


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

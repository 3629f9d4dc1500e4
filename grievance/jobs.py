"""RQ jobs. Each parses its arguments, calls a workflow, commits once, then defers what follows."""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta

from flask import current_app
from rq import Retry
from sqlalchemy import select, update

from grievance.channels.base import OutboundMessage, PermanentSendError, channel_for
from grievance.channels.ingest import replay_spool
from grievance.channels.pacing import reserve_slot
from grievance.channels.twilio.status import RECIPIENT_OPTED_OUT, advance
from grievance.extensions import db, queues
from grievance.language.keywords import OPT_OUT
from grievance.models import Message, User
from grievance.models.base import utcnow
from grievance.models.message import FAILED, INBOUND, OUTBOUND, PROCESSED, QUEUED, SENDING
from grievance.privacy import vault
from grievance.queueing import job
from grievance.workflows.conversations import expire_conversations
from grievance.workflows.deadlines import sweep
from grievance.workflows.notifications import claim_digest, digest_items, pending_digests, release_digest
from grievance.workflows.inbound import handle_inbound

log = logging.getLogger(__name__)

# Messages older than this and still untouched are handed to a job again by the requeue.
STALE_AFTER = timedelta(minutes=1)
# A message left "sending" this long was interrupted: ask the provider whether it went out.
INTERRUPTED_AFTER = timedelta(minutes=10)
# Transient failures (429, 5xx, timeouts, refused connections) are retried by RQ with backoff.
SEND_RETRY = Retry(max=5, interval=[15, 60, 300, 900, 3600])
# A worker waits for its sender's rate slot at most this long; later slots are scheduled.
MAX_PACING_WAIT = 10.0


def defer_send(message_id: int) -> None:
    queues.defer(send_outbound, message_id, retry=SEND_RETRY)


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
    replies = handle_inbound(db.session, message, now, vault(),
                             per_hour=current_app.config["INBOUND_PER_WORKER_PER_HOUR"])
    for reply in replies:
        defer_send(reply.id)
    db.session.commit()
    log.info("inbound message %s processed, %s replies queued", message_id, len(replies))


def not_sent(error: Exception) -> bool:
    """Whether an exception proves the message never left: refused connection, 429, 5xx."""
    from requests.exceptions import ConnectionError as RequestsConnectionError
    from requests.exceptions import ReadTimeout
    from twilio.base.exceptions import TwilioRestException

    if isinstance(error, TwilioRestException):
        return error.status == 429 or error.status >= 500
    return isinstance(error, RequestsConnectionError) and not isinstance(error, ReadTimeout)


def _outbound(message: Message) -> OutboundMessage:
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


def _fail(message: Message, reason: str) -> None:
    message.status, message.error = FAILED, reason[:255]
    db.session.commit()
    log.warning("outbound message %s failed: %s", message.id, reason)


def _wait_for_rate(message: Message, reserved: bool) -> bool:
    """True when it is this message's turn to go; otherwise it is scheduled for its slot."""
    if reserved:  # scheduled for the slot it reserved earlier
        return True
    rate = current_app.config["SEND_RATE_WHATSAPP" if message.channel == "whatsapp" else "SEND_RATE_SMS"]
    wait = reserve_slot(f"{message.channel}:{message.endpoint.address}", rate)
    if wait > MAX_PACING_WAIT and queues.uses_redis:
        message.status = QUEUED
        db.session.commit()
        queues.queue().enqueue_in(timedelta(seconds=wait), send_outbound, message.id, True, retry=SEND_RETRY)
        return False
    time.sleep(min(max(wait, 0.0), MAX_PACING_WAIT))
    return True


@job
def send_outbound(message_id: int, reserved: bool = False) -> None:
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
    if message.worker.opted_out(message.channel) and message.purpose != OPT_OUT:
        return _fail(message, "the worker opted out of messages on this channel")
    channel = channel_for(message.provider, message.channel)
    if not _wait_for_rate(message, reserved):
        return
    try:
        result = channel.send(_outbound(message))
    except PermanentSendError as error:
        if error.code == RECIPIENT_OPTED_OUT:
            message.worker.set_opted_out(message.channel, True)
        return _fail(message, str(error))
    except Exception as error:
        if not_sent(error):
            # The provider surely did not take it: put it back; RQ retries it with backoff.
            message.status, message.error = QUEUED, f"{type(error).__name__}, will retry"[:255]
        else:
            # It may have gone out (a read timeout): keep it 'sending'; the requeue asks the
            # provider before anything is sent again.
            message.error = f"{type(error).__name__}, checking with the provider"[:255]
        db.session.commit()
        raise
    message.provider_id = result.provider_id
    message.status = advance(SENDING, result.status)
    message.sent_at = utcnow()
    message.error = None
    db.session.commit()
    log.info("outbound message %s sent through %s", message_id, channel.name)


def _reconcile_interrupted(cutoff: datetime) -> int:
    """A job killed while sending left its message 'sending': adopt it if the provider has it,
    otherwise queue it again. Never a blind resend."""
    stuck = db.session.scalars(
        select(Message).where(
            Message.direction == OUTBOUND, Message.status == SENDING, Message.provider_id.is_(None),
            Message.created_at < cutoff,
        )
    ).all()
    for message in stuck:
        channel = channel_for(message.provider, message.channel)
        finder = getattr(channel, "find_sent", None)
        found = finder(_outbound(message), message.created_at - timedelta(minutes=1)) if finder else None
        if found is not None:
            message.provider_id, message.status = found.provider_id, advance(SENDING, found.status)
            message.sent_at = message.sent_at or utcnow()
        else:
            message.status = QUEUED
            defer_send(message.id)
    return len(stuck)


@job
def requeue_stale() -> dict[str, int]:
    """Cron: replay the spool, and hand every message that no job finished to a job again."""
    replayed = replay_spool()
    now = utcnow()
    cutoff = now - STALE_AFTER
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
        defer_send(message_id)
    interrupted = _reconcile_interrupted(now - INTERRUPTED_AFTER)
    expired = expire_conversations(db.session, now)
    for reply in expired:
        defer_send(reply.id)
    db.session.commit()
    return {"spooled": replayed, "inbound": len(inbound), "outbound": len(outbound), "interrupted": interrupted,
            "conversations_replies": len(expired)}


@job
def sweep_deadlines() -> dict[str, int]:
    """Cron, every minute: reminders before deadlines, escalation after them, then the mail."""
    report = sweep(db.session, utcnow(), on_message=defer_send)
    if report.notifications:
        queues.defer(email_notifications)
        db.session.commit()
    return report.as_dict()


@job
def email_notifications() -> int:
    """One digest mail per person for what they have not been mailed yet; returns mails sent.

    The claim is committed before the mail goes out, so no row (and on SQLite, no database)
    stays locked while a mail server answers; a failed mail releases its claim.
    """
    from grievance.mail import mailer, render_digest

    sender, sent, now = mailer(), 0, utcnow()
    for user_id, ids in pending_digests(db.session).items():
        claimed = claim_digest(db.session, ids, now)
        db.session.commit()
        user = db.session.get(User, user_id)
        notifications, total = digest_items(db.session, user, claimed) if user.active else ([], 0)
        if not notifications:
            continue
        subject, body, language = render_digest(user, notifications, total)
        try:
            sender.send(user.email, subject, body, language)
        except Exception as error:
            release_digest(db.session, claimed)
            db.session.commit()
            log.warning("mail to user %s failed: %s", user_id, type(error).__name__)
            continue
        sent += 1
    return sent


def start_in_process_rounds(app) -> None:
    """Without Redis there is no cron process: a thread of the web process does its rounds
    (requeue, deadline sweep, mail) every minute, from the first request on."""
    import threading

    started = threading.Event()
    app.extensions["grievance.rounds"] = True  # the webhook need not do the requeue itself

    def rounds() -> None:
        while True:
            for round_job in (requeue_stale, sweep_deadlines, email_notifications):
                try:
                    with app.app_context():
                        round_job()
                except Exception as error:  # the next round tries again
                    log.warning("in-process round %s failed: %s", round_job.__name__, type(error).__name__)
            time.sleep(60)

    @app.before_request
    def _start_rounds() -> None:
        if not started.is_set():
            started.set()
            threading.Thread(target=rounds, name="grievance-rounds", daemon=True).start()

"""The periodic jobs (``cron.py``; without Redis, a thread of the web process): the requeue,
the deadline sweep, the summaries' facts and the digest mail."""

from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta

from flask import Flask, current_app
from sqlalchemy import select

from grievance.channels.ingest import replay_spool
from grievance.channels.sending import reconcile_interrupted
from grievance.channels.twilio.status import apply_early_statuses
from grievance.extensions import db, queues
from grievance.mail import mailer
from grievance.models import Message, User
from grievance.models.base import utcnow
from grievance.models.message import INBOUND, OUTBOUND, QUEUED
from grievance.queueing import job
from grievance.summaries import facts
from grievance.tasks.dispatch import defer_batches
from grievance.tasks.outbound import send_again
from grievance.tasks.surveys import requeue_runs
from grievance.web.digest import render_digest
from grievance.workflows.conversations import expire_conversations
from grievance.workflows.deadlines import sweep
from grievance.workflows.notifications import claim_digest, digest_items, pending_digests, release_digest

log = logging.getLogger(__name__)



def _stale_ids(direction: str, cutoff) -> list[int]:
    untouched = Message.processed_at.is_(None) if direction == INBOUND else Message.status == QUEUED
    return db.session.scalars(
        select(Message.id).where(Message.direction == direction, untouched, Message.created_at < cutoff)
    ).all()


@job
def requeue_stale() -> dict[str, int]:
    """Cron: replay the spool, and hand every message that no job finished to a job again."""
    replayed = replay_spool()
    now, config = utcnow(), current_app.config
    # Untouched this long: handed to a job again. Left "sending" this long: the provider is asked.
    stale = now - timedelta(seconds=config["REQUEUE_STALE_SECONDS"])
    inbound, outbound = _stale_ids(INBOUND, stale), _stale_ids(OUTBOUND, stale)
    defer_batches(inbound)
    interrupted, again = reconcile_interrupted(now - timedelta(seconds=config["REQUEUE_INTERRUPTED_SECONDS"]))
    for message_id in outbound + again:
        send_again(message_id)
    early = apply_early_statuses(now)  # delivery statuses that overtook the record of their send
    expired = expire_conversations(db.session, now)  # its replies are sent by the outbox
    db.session.commit()
    return {"spooled": replayed, "inbound": len(inbound), "outbound": len(outbound),
            "interrupted": interrupted, "early_statuses": early, "conversations_replies": len(expired)}


@job
def sweep_deadlines(mail: bool = True) -> dict[str, int]:
    """Cron, every minute: reminders before deadlines, escalation after them, then the mail
    (``mail=False``: the caller mails itself, as `flask sweep` does, printing what it sent)."""
    report = sweep(db.session, utcnow())
    if report.notifications and mail:
        queues.defer(email_notifications)
    db.session.commit()
    return report.as_dict()


@job
def refresh_summaries() -> int:
    """Cron, every minute: the summaries' facts for the cases changed since the last round
    (the sweep's escalations included); returns how many factory-months it recomputed."""
    return facts.refresh(db.session, utcnow())


@job
def email_notifications() -> int:
    """One digest mail per person for what they have not been mailed yet; returns mails sent.

    The claim is committed before the mail goes out, so no row (and on SQLite, no database)
    stays locked while a mail server answers; a failed mail releases its claim.
    """
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


def start_in_process_rounds(app: Flask) -> None:
    """Without Redis there is no cron process: a thread of the web process does its rounds
    (requeue, survey runs' lost batches, deadline sweep, summaries' facts, mail) every minute, from the first request on."""
    started = threading.Event()
    app.extensions["grievance.rounds"] = True  # the webhook need not do the requeue itself

    def rounds() -> None:
        while True:
            for round_job in (requeue_stale, requeue_runs, sweep_deadlines, refresh_summaries, email_notifications):
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

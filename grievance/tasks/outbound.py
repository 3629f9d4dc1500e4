"""The job that sends one reply to a worker (``channels/sending.py`` does the work), and the
sending of the replies a job queued, by that job, once it has committed."""

from __future__ import annotations

import logging
import queue
import threading
import time
import weakref
from concurrent.futures import ThreadPoolExecutor

from flask import Flask, current_app
from rq import Retry

from grievance.channels.sending import Attempt, claim, prepare, record, send_message
from grievance.extensions import db, queues
from grievance.queueing import job

log = logging.getLogger(__name__)

# Outcomes that come back within this long of the first of them are recorded together, in one
# statement and commit (with a fast provider nearly every reply had its own): a provider id is
# stored this much later at most, and a delivery callback that overtakes it is kept
# (``channels.twilio.status``).
RECORD_GATHER = 0.05

# Transient failures (429, 5xx, refused connections) are retried by RQ with backoff.
SEND_RETRY = Retry(max=5, interval=[15, 60, 300, 900, 3600])


def _come_back(deferred: dict[int, float]) -> None:
    """Replies whose sender's slot is far off come back for it as jobs, without holding a worker."""
    for message_id, wait in deferred.items():
        queues.enqueue_in(wait, send_outbound, message_id, True, retry=SEND_RETRY)


@job
def send_outbound(message_id: int, reserved: bool = False) -> None:
    """Send once; when the sender's slot is far off, come back for it instead of waiting."""
    wait = send_message(message_id, reserved)
    if wait is not None:
        _come_back({message_id: wait})


def send_again(message_id: int) -> None:
    """Send a reply that was queued before (a stale or interrupted one) after this commit.

    New replies need no call: the outbox sends every reply row a session inserts."""
    queues.defer(send_outbound, message_id, retry=SEND_RETRY)


def _executor(app: Flask) -> ThreadPoolExecutor:
    """The app's sending threads (one pool per app, shut down with the process)."""
    with _pool_lock:
        pool = app.extensions.get("grievance.send_pool")
        if pool is None:
            pool = app.extensions["grievance.send_pool"] = ThreadPoolExecutor(
                app.config["REPLY_SEND_THREADS"], thread_name_prefix="grievance-send")
            weakref.finalize(app, pool.shutdown, wait=False)
        return pool


_pool_lock = threading.Lock()


def _send_lane(app: Flask, attempts: list[Attempt], done: queue.SimpleQueue) -> None:
    with app.app_context():
        for attempt in attempts:
            try:
                attempt.send()
            finally:
                done.put(attempt)


def _recorded(attempts: list[Attempt]) -> None:
    for attempt in record(attempts):
        if attempt.deferred is not None:
            _come_back({attempt.message_id: attempt.deferred})
            continue
        # Left queued (the provider surely did not take it) or 'sending' (the requeue asks the
        # provider first): a retry job is harmless either way.
        log.warning("outbound message %s not sent (%s); retried in %s s", attempt.message_id,
                    type(attempt.error).__name__, SEND_RETRY.intervals[0])
        queues.enqueue_in(SEND_RETRY.intervals[0], send_outbound, attempt.message_id, retry=SEND_RETRY)


def send_committed(lanes: list[list[int]]) -> None:
    """Send committed replies here and now, instead of one RQ job each: claimed together and
    read together, then each lane (one worker's replies, in order) on a thread of this process,
    ``REPLY_SEND_THREADS`` at once, so a provider's 100–300 ms per request is waited out side
    by side. Outcomes are recorded as they come back, those that came back within
    ``RECORD_GATHER`` of one another in one statement: the provider's id is stored within
    moments of its answer (a callback for an id not stored yet is kept until it is). Returns when
    all are done: the job that queued them takes no new work meanwhile. (Called with Redis
    only: without it the outbox gives each reply a job of its own.)"""
    if not any(lanes):
        return
    wanted = [message_id for lane in lanes for message_id in lane]
    claimed = set(claim(wanted))  # in no particular order: hers go in the order of her lane
    attempts = prepare([message_id for message_id in wanted if message_id in claimed])
    going = {attempt.message_id: attempt for attempt in attempts}
    lanes = [kept for kept in ([going[m] for m in lane if m in going] for lane in lanes) if kept]
    app = current_app._get_current_object()
    if len(lanes) <= 1 or app.config["REPLY_SEND_THREADS"] <= 1:
        for lane in lanes:
            for attempt in lane:
                attempt.send()
                _recorded([attempt])
        return
    done: queue.SimpleQueue = queue.SimpleQueue()
    futures = [_executor(app).submit(_send_lane, app, lane, done) for lane in lanes]
    left, failure = len(attempts), None
    while left:
        finished = all(future.done() for future in futures)
        came = []
        try:
            came.append(done.get(timeout=1.0))
            until = time.monotonic() + RECORD_GATHER  # those coming back meanwhile go with it
            while len(came) < left:
                came.append(done.get(timeout=max(until - time.monotonic(), 0.0)))
        except queue.Empty:
            pass
        if came:
            left -= len(came)
            try:
                _recorded(came)
            except Exception as error:  # they stay 'sending': the requeue asks the provider about them
                db.session.rollback()
                log.exception("the outcome of %s sent replies could not be recorded", len(came))
                failure = failure or error
        elif finished:
            break  # a lane that could not start: its replies stay 'sending', for the requeue
    for future in futures:
        future.result()
    if failure is not None:
        raise failure

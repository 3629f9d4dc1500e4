"""The job that sends one reply to a worker (``channels/sending.py`` does the work), and the
sending of the replies a job queued, by that job, once it has committed."""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor

from flask import Flask, current_app
from rq import Retry

from grievance.channels.sending import claim, send_claimed, send_message
from grievance.extensions import queues
from grievance.queueing import job

log = logging.getLogger(__name__)

# Transient failures (429, 5xx, refused connections) are retried by RQ with backoff.
SEND_RETRY = Retry(max=5, interval=[15, 60, 300, 900, 3600])


def _send(message_id: int, reserved: bool = False, claimed: bool = False) -> None:
    wait = (send_claimed if claimed else send_message)(message_id, reserved)
    if wait is not None:
        queues.enqueue_in(wait, send_outbound, message_id, True, retry=SEND_RETRY)


@job
def send_outbound(message_id: int, reserved: bool = False) -> None:
    """Send once; when the sender's slot is far off, come back for it instead of waiting."""
    _send(message_id, reserved)


def send_again(message_id: int) -> None:
    """Send a reply that was queued before (a stale or interrupted one) after this commit.

    New replies need no call: the outbox sends every reply row a session inserts."""
    queues.defer(send_outbound, message_id, retry=SEND_RETRY)


_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _executor(threads: int) -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None or _pool._max_workers != threads:
            _pool = ThreadPoolExecutor(threads, thread_name_prefix="grievance-send")
        return _pool


def _send_lane(app: Flask, message_ids: list[int]) -> None:
    with app.app_context():
        for message_id in message_ids:
            try:
                _send(message_id, claimed=True)
            except Exception as error:
                # send_message left the row queued (the provider surely did not take it) or
                # 'sending' (the requeue asks the provider); a retry job is harmless either way.
                log.warning("outbound message %s not sent (%s); retried in %s s", message_id,
                            type(error).__name__, SEND_RETRY.intervals[0])
                queues.enqueue_in(SEND_RETRY.intervals[0], send_outbound, message_id, retry=SEND_RETRY)


def send_committed(lanes: list[list[int]]) -> None:
    """Send committed replies here and now, instead of one RQ job each: claimed together, then
    each lane (one worker's replies, in order) on a thread of this process,
    ``REPLY_SEND_THREADS`` at once, so a provider's 100–300 ms per request is waited out side
    by side. Returns when all are done:
    the job that queued them takes no new work meanwhile. Without Redis (SQLite's one writer,
    the in-process jobs) they go one after another."""
    if not any(lanes):
        return
    # Claimed all at once (one statement, one commit), then each lane sends what is its own.
    claimed = set(claim([message_id for lane in lanes for message_id in lane]))
    lanes = [kept for kept in ([m for m in lane if m in claimed] for lane in lanes) if kept]
    if not lanes:
        return
    app = current_app._get_current_object()
    threads = app.config["REPLY_SEND_THREADS"] if queues.uses_redis else 1
    if threads <= 1 or len(lanes) == 1:
        for lane in lanes:
            _send_lane(app, lane)
        return
    for future in [_executor(threads).submit(_send_lane, app, lane) for lane in lanes]:
        future.result()

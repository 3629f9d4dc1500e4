"""The job that sends one reply to a worker (``channels/sending.py`` does the work)."""

from __future__ import annotations

from rq import Retry

from grievance.channels.sending import send_message
from grievance.extensions import queues
from grievance.queueing import job

# Transient failures (429, 5xx, refused connections) are retried by RQ with backoff.
SEND_RETRY = Retry(max=5, interval=[15, 60, 300, 900, 3600])


@job
def send_outbound(message_id: int, reserved: bool = False) -> None:
    """Send once; when the sender's slot is far off, come back for it instead of waiting."""
    wait = send_message(message_id, reserved)
    if wait is not None:
        queues.enqueue_in(wait, send_outbound, message_id, True, retry=SEND_RETRY)


def send_again(message_id: int) -> None:
    """Send a reply that was queued before (a stale or interrupted one) after this commit.

    New replies need no call: the outbox sends every reply row a session inserts."""
    queues.defer(send_outbound, message_id, retry=SEND_RETRY)

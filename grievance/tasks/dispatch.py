"""The dispatcher: moves stored inbound messages to the queue, so the webhook never waits on Redis.

With Redis, the webhook only stores a message (status ``received``) and answers. A loop in
each RQ worker process (``AppWorker``) marks what is waiting as ``dispatched`` and gives every
``INBOUND_BATCH`` of them a ``process_inbound_batch`` job once that mark is committed, all
enqueued in one round trip. Several dispatchers never take the same message (``SKIP LOCKED``);
a message marked whose job was lost (Redis down, the process killed between commit and
enqueue) is unprocessed still, and the requeue round gives it a job after
``REQUEUE_STALE_SECONDS``, as it always did.
"""

from __future__ import annotations

import logging
import threading

from flask import Flask, current_app
from sqlalchemy import select, update

from grievance.extensions import db, queues
from grievance.models import Message
from grievance.models.message import DISPATCHED, INBOUND, RECEIVED
from grievance.tasks.inbound import process_inbound_batch

log = logging.getLogger(__name__)

BATCH = 500


def dispatch_received(limit: int = BATCH) -> int:
    """Give up to ``limit`` stored messages their jobs; returns how many.

    Only while the queue holds fewer than ``DISPATCH_AHEAD`` jobs: what comes in meanwhile waits
    in the database, and the next round hands it over in full batches. Otherwise, under a steady
    stream, every round would queue a batch of the one or two messages that came in since the
    last, and a backlog would build up in Redis as tiny jobs, each paying a job's whole cost."""
    if queues.uses_redis and queues.queue().count >= current_app.config["DISPATCH_AHEAD"]:
        return 0
    waiting = (
        select(Message.id)
        .where(Message.direction == INBOUND, Message.status == RECEIVED)
        .order_by(Message.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    ids = db.session.scalars(
        update(Message).where(Message.id.in_(waiting.scalar_subquery())).values(status=DISPATCHED)
        .returning(Message.id)
    ).all()
    defer_batches(sorted(ids))
    db.session.commit()  # the jobs are enqueued after this commit, together
    return len(ids)


def defer_batches(message_ids: list[int]) -> None:
    """A ``process_inbound_batch`` job for every ``INBOUND_BATCH`` of these messages, after the commit."""
    size = max(1, current_app.config["INBOUND_BATCH"])
    for start in range(0, len(message_ids), size):
        queues.defer(process_inbound_batch, message_ids[start:start + size])


def start_dispatcher(app: Flask) -> threading.Event:
    """Run the dispatch loop in a daemon thread of this process; set the event it returns to stop it."""
    stop = threading.Event()
    pause = app.config["DISPATCH_POLL_SECONDS"]

    def loop() -> None:
        while not stop.is_set():
            try:
                with app.app_context():
                    done = dispatch_received()
            except Exception as error:  # the database away: try again in a while
                log.warning("dispatcher: %s; trying again", type(error).__name__)
                stop.wait(1.0)
                continue
            if done < BATCH:
                stop.wait(pause)

    threading.Thread(target=loop, name="grievance-dispatcher", daemon=True).start()
    return stop

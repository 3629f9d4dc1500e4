"""With Redis, the webhook only stores; the dispatcher gives each stored message its job."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from grievance.extensions import db, queues
from grievance.models import Case, Message
from grievance.tasks.dispatch import dispatch_received, start_dispatcher
from tests import factories
from tests.conftest import inbound_params

def inbound() -> list[Message]:
    db.session.rollback()
    return db.session.scalars(select(Message).where(Message.direction == "inbound").order_by(Message.id)).all()


@pytest.mark.redis
def test_the_webhook_stores_without_enqueueing_and_the_dispatcher_enqueues_each_message_once(
        require_redis, app, post_twilio, run_jobs):
    factories.factory()
    statuses = [post_twilio(inbound_params("Upah saya dipotong", sender=f"+6281298765{i:03d}")).status_code
                for i in range(3)]

    assert statuses == [200, 200, 200]
    assert queues.queue().count == 0  # nothing went to Redis on the request's path
    assert [m.status for m in inbound()] == ["received"] * 3

    assert dispatch_received() == 3
    assert dispatch_received() == 0  # taken once, never twice
    assert queues.queue().count == 3
    assert [m.status for m in inbound()] == ["dispatched"] * 3

    run_jobs()
    assert all(m.processed_at is not None for m in inbound())
    assert len(db.session.scalars(select(Case)).all()) == 3


@pytest.mark.redis
def test_the_dispatch_loop_hands_a_stored_message_to_a_worker_within_moments(require_redis, app, post_twilio):
    from rq import SimpleWorker

    factories.factory()
    stop = start_dispatcher(app)
    try:
        assert post_twilio(inbound_params("Pintu darurat dikunci")).status_code == 200
        deadline = time.monotonic() + 5
        while queues.queue().count == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        SimpleWorker([queues.queue()], connection=queues.connection()).work(burst=True)
    finally:
        stop.set()
    (message,) = inbound()
    assert message.processed_at is not None


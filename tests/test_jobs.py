"""Jobs run only after the commit that needs them; what was stored is never lost."""

from __future__ import annotations

from sqlalchemy import create_engine, select, text

from grievance.extensions import db, queues
from grievance.tasks.rounds import requeue_stale
from grievance.models import Case, Message
from grievance.models.base import utcnow
from tests import factories
from tests.conftest import inbound_params


def test_a_job_is_handed_over_only_once_its_message_is_committed(app, post_twilio, run_jobs, monkeypatch):
    factories.factory()
    seen_from_outside = []
    real_dispatch = queues.dispatch
    outside = create_engine(db.engine.url)

    def dispatch(func, args, options):
        # Another connection, as a worker would have, must already see the rows.
        ids = args[0] if isinstance(args[0], list) else [args[0]]
        with outside.connect() as connection:
            rows = [connection.execute(text("SELECT id FROM messages WHERE id = :id"), {"id": i}).first()
                    for i in ids]
        seen_from_outside.append((func.__name__, all(row is not None for row in rows)))
        real_dispatch(func, args, options)

    monkeypatch.setattr(queues, "dispatch", dispatch)
    post_twilio(inbound_params("Saya belum menerima upah lembur bulan ini"))
    run_jobs()
    outside.dispose()

    if queues.uses_redis:  # the dispatcher's batch job, which sends the reply it queued itself
        assert seen_from_outside == [("process_inbound_batch", True)]
    else:
        assert seen_from_outside == [("process_inbound", True), ("send_outbound", True)]
    assert db.session.scalar(select(Case)) is not None


def test_a_rollback_forgets_the_jobs_it_had_deferred(app, monkeypatch):
    from grievance.tasks.inbound import process_inbound

    dispatched = []
    monkeypatch.setattr(queues, "dispatch", lambda func, args, options: dispatched.append(func))
    queues.defer(process_inbound, 12345)
    db.session.rollback()
    db.session.commit()
    assert dispatched == []


def test_a_message_whose_job_never_ran_is_picked_up_by_the_requeue(app, post_twilio, run_jobs, monkeypatch):
    factories.factory()
    # Jobs are lost (Redis down, a worker killed): the message is stored all the same.
    monkeypatch.setattr(queues, "dispatch", lambda func, args, options: None)
    response = post_twilio(inbound_params("Saya belum menerima upah lembur bulan ini"))
    assert response.status_code == 200
    monkeypatch.undo()
    message = db.session.scalar(select(Message))
    message.created_at = utcnow().replace(year=2020)
    db.session.commit()

    counts = requeue_stale()
    run_jobs()

    assert counts["inbound"] == 1
    db.session.expire_all()
    assert db.session.scalar(select(Case)) is not None

"""The webhook answers at once: its jobs run after the response, never inside the request."""

from __future__ import annotations

import logging
import threading
import time

from sqlalchemy import func, select

from grievance.tasks import inbound as inbound_task
from grievance.extensions import db, queues
from grievance.models import Message
from tests import factories
from tests.conftest import csrf_token, inbound_params, sign

WEBHOOK = "/webhooks/twilio/messages"


def replies() -> list[Message]:
    db.session.expire_all()
    return db.session.scalars(select(Message).where(Message.direction == "outbound")).all()


def test_the_webhook_answers_before_a_slow_job_finishes(app, post_twilio, run_jobs, monkeypatch):
    factories.factory()
    started, release = threading.Event(), threading.Event()
    real = inbound_task.handle_inbound

    def slow_handle_inbound(*args, **kwargs):
        started.set()
        release.wait(20)
        return real(*args, **kwargs)

    monkeypatch.setattr(inbound_task, "handle_inbound", slow_handle_inbound)
    began = time.perf_counter()
    response = post_twilio(inbound_params("Saya belum menerima upah lembur bulan ini"))
    answered = time.perf_counter() - began
    try:
        assert response.status_code == 200 and answered < 2.0
        if not queues.uses_redis:
            assert started.wait(5), "the in-process job never started"
        assert replies() == []  # the job is still blocked (or queued for a worker)
    finally:
        release.set()
    run_jobs()
    assert [reply.purpose for reply in replies()] == ["acknowledgement"]


def test_thirty_simultaneous_messages_to_one_number_are_all_answered_at_once(make_app, run_jobs):
    """At 5 SMS/s the last of 30 replies waits 6 s for its slot; no webhook may wait with it."""
    paced = make_app(SEND_RATE_SMS=5.0)
    with paced.app_context():
        factories.factory()
    barrier, timings, statuses = threading.Barrier(30), [], []

    def text(worker: int) -> None:
        params = inbound_params("Upah lembur saya belum dibayar", sender=f"+62812987{worker:05d}")
        signature = sign("http://localhost" + WEBHOOK, params)
        http = paced.test_client()
        barrier.wait()
        began = time.perf_counter()
        response = http.post(WEBHOOK, data=params, headers={"X-Twilio-Signature": signature})
        timings.append(time.perf_counter() - began)
        statuses.append(response.status_code)

    threads = [threading.Thread(target=text, args=(worker,)) for worker in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert statuses == [200] * 30
    # Had any webhook waited for its reply's slot, the slowest would wait for the last slot,
    # 29 intervals away: the bound is the pacing's, not a guess at the machine's speed.
    last_slot = 29 / 5.0
    assert max(timings) < last_slot, f"slowest webhook answer took {max(timings):.2f} s"
    run_jobs()
    with paced.app_context():
        acknowledged = db.session.scalar(select(func.count(Message.id)).where(
            Message.direction == "outbound", Message.purpose == "acknowledgement"))
    assert acknowledged == 30


def test_a_failing_in_process_job_is_logged_and_its_message_stays_for_the_requeue(
        app, post_twilio, run_jobs, monkeypatch, caplog):
    factories.factory()

    def broken(*args, **kwargs):
        raise RuntimeError("the conversation broke for +6281298765432")

    monkeypatch.setattr(inbound_task, "handle_inbound", broken)
    with caplog.at_level(logging.WARNING):
        response = post_twilio(inbound_params("Saya belum menerima upah lembur bulan ini"))
        run_jobs()
    assert response.status_code == 200
    if not queues.uses_redis:
        failure = [r for r in caplog.records if "process_inbound failed" in r.getMessage()]
        assert failure and "RuntimeError" in failure[0].getMessage()
        assert "6281298765432" not in caplog.text  # redacted
    db.session.expire_all()
    inbound = db.session.scalars(select(Message).where(Message.direction == "inbound")).one()
    assert inbound.processed_at is None  # the claim was rolled back: the requeue will hand it out again


def test_a_survey_blast_keeps_no_worker_thread_from_a_grievance_that_arrives_behind_it(make_app):
    """Twelve survey messages queued at 2 SMS/s take 6 s to go out; a complaint that comes in
    behind them is processed at once, not after the blast (its messages wait for their slots
    in no thread). The in-process worker's two threads, on either database: with RQ the same
    rule holds for its workers (the same send_message)."""
    from grievance.models.base import utcnow
    from grievance.workflows.surveys.dispatch import start_run
    from grievance.workflows.surveys.planning import plan_run
    from tests.surveys import builders

    paced = make_app(SEND_RATE_SMS=2.0, CHANNELS=("simulator",), REDIS_URL=None)
    with paced.app_context():
        factory = factories.factory()
        now = utcnow()
        builders.subscribers(factory=factory, count=12, now=now)
        run = plan_run(db.session, survey=builders.survey(now=now), factory=factory, actor=None, now=now)
        start_run(db.session, run, None, now)
        db.session.commit()
        run_id = run.id
    http = paced.test_client()
    deadline = time.monotonic() + 10
    with paced.app_context():  # the batch is queued: every invitation is a reply row waiting to be sent
        while db.session.scalar(select(func.count(Message.id)).where(Message.run_id == run_id)) < 12:
            assert time.monotonic() < deadline, "the run's first batch was never queued"
            time.sleep(0.1)
            db.session.expire_all()
    token = csrf_token(http.get("/simulator").get_data(as_text=True))
    assert http.post("/simulator", data={"endpoint": 1, "body": "Upah lembur saya belum dibayar",
                                         "csrf_token": token}).status_code in (200, 302)
    with paced.app_context():
        while True:
            complaint = db.session.scalar(select(Message).where(Message.direction == "inbound"))
            if complaint is not None and complaint.processed_at is not None:
                break
            assert time.monotonic() < deadline + 20, "the complaint was never processed"
            time.sleep(0.1)
            db.session.expire_all()
        sent_before = db.session.scalar(select(func.count(Message.id)).where(
            Message.run_id == run_id, Message.sent_at.is_not(None), Message.sent_at < complaint.processed_at))
    assert sent_before <= 3, f"{sent_before} survey messages went out before the complaint was processed"

"""Delivery callbacks in any order end in the right status; error codes are kept."""

from __future__ import annotations

from itertools import permutations

import pytest
from sqlalchemy import select

from grievance.extensions import db
from grievance.models import Message, Worker
from tests import factories
from tests.conftest import inbound_params

SID = "SM" + "b" * 32


@pytest.fixture
def reply(app, post_twilio, run_jobs):
    factories.factory()
    post_twilio(inbound_params("Saya belum menerima upah lembur bulan ini"))
    run_jobs()
    message = db.session.scalar(select(Message).where(Message.direction == "outbound"))
    message.provider_id, message.status = SID, "sending"
    db.session.commit()
    return message


def callbacks(post_twilio, statuses, error_code=None):
    for status in statuses:
        params = {"MessageSid": SID, "MessageStatus": status}
        if error_code and status in ("failed", "undelivered"):
            params["ErrorCode"] = error_code
        assert post_twilio(params, path="/webhooks/twilio/status").status_code == 204


def final_status() -> Message:
    db.session.expire_all()
    return db.session.scalar(select(Message).where(Message.provider_id == SID))


ORDERS = (
    [(p, "delivered") for p in permutations(["queued", "sent", "delivered"])]
    + [(p, "read") for p in permutations(["sent", "delivered", "read"])]
    + [(p, "failed") for p in permutations(["queued", "sent", "undelivered"])]
)


@pytest.mark.parametrize("order, expected", ORDERS, ids=["-".join(o) for o, _ in ORDERS])
def test_every_order_of_callbacks_ends_in_the_right_status(reply, post_twilio, order, expected):
    callbacks(post_twilio, order, error_code="30003")
    message = final_status()
    assert message.status == expected
    if expected == "failed":
        assert message.error == "twilio error 30003"


def test_error_21610_marks_the_worker_opted_out_of_that_channel(reply, post_twilio):
    callbacks(post_twilio, ["sent", "failed"], error_code="21610")
    worker = db.session.scalar(select(Worker))
    assert worker.opted_out("sms") and not worker.opted_out("whatsapp")


def test_a_malformed_callback_gets_a_reason(reply, post_twilio):
    response = post_twilio({"MessageSid": SID, "MessageStatus": "exploded"}, path="/webhooks/twilio/status")
    assert response.status_code == 400 and "MessageStatus" in response.get_json()["error"]


def test_a_failure_reported_before_the_send_was_recorded_reaches_its_message_at_the_next_round(
        reply, post_twilio):
    """Twilio's callback overtook our record of its answer to the send: the failure is kept, not
    dropped, and the next round puts it on the message, once; the committee sees it failed."""
    from grievance.models import EarlyStatus
    from grievance.tasks.rounds import requeue_stale

    reply.provider_id = None  # the send's answer is on its way to being recorded
    db.session.commit()
    callbacks(post_twilio, ["queued", "sent", "undelivered"], error_code="30003")
    assert final_status() is None  # no message has the id yet
    reply = db.session.get(Message, reply.id)
    reply.provider_id, reply.status = SID, "sent"  # the record of the send, as sending.record writes it
    db.session.commit()
    assert requeue_stale()["early_statuses"] == 2  # "queued" said no more than the record does
    message = final_status()
    assert (message.status, message.error) == ("failed", "twilio error 30003")
    assert db.session.scalars(select(EarlyStatus)).all() == []
    assert requeue_stale()["early_statuses"] == 0


def test_a_status_for_no_message_of_ours_is_kept_two_days_then_dropped(reply, post_twilio):
    from datetime import timedelta

    import time_machine

    from grievance.models import EarlyStatus
    from grievance.models.base import utcnow
    from grievance.tasks.rounds import requeue_stale

    stranger = "SM" + "c" * 32
    assert post_twilio({"MessageSid": stranger, "MessageStatus": "delivered"},
                       path="/webhooks/twilio/status").status_code == 204
    with time_machine.travel(utcnow() + timedelta(days=1)):
        requeue_stale()
    assert db.session.scalar(select(EarlyStatus.provider_id)) == stranger
    with time_machine.travel(utcnow() + timedelta(days=3)):
        requeue_stale()
    db.session.expire_all()
    assert db.session.scalars(select(EarlyStatus)).all() == []
    assert final_status().status == "sending"  # ours untouched

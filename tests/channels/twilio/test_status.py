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

"""Replies leave once, through the channel the worker used; statuses only move forward."""

from __future__ import annotations

import logging
import re

import pytest
from sqlalchemy import select

from grievance.channels.base import channel_for
from grievance.channels.twilio.status import advance
from grievance.extensions import db
from grievance.tasks.outbound import send_outbound
from grievance.models import Message
from tests import factories
from tests.conftest import inbound_params, sign


def the_reply() -> Message:
    db.session.expire_all()
    return db.session.scalar(select(Message).where(Message.direction == "outbound"))


def test_the_reply_leaves_through_the_twilio_sdk_and_the_api_mock_accepts_it(app, twilio_mock, post_twilio,
                                                                              run_jobs, caplog):
    caplog.set_level(logging.INFO)
    factories.factory()
    post_twilio(inbound_params("Saya belum menerima upah lembur bulan ini"))
    run_jobs()

    reply = the_reply()
    assert reply.provider == "twilio"
    assert re.fullmatch(r"SM[0-9a-fA-F]{32}", reply.provider_id), reply.error
    assert reply.status in ("sending", "sent") and reply.sent_at is not None
    assert reply.error is None
    assert "sent through twilio" in caplog.text


def test_a_refusal_by_twilio_marks_the_reply_failed_with_the_reason(make_app, twilio_mock, run_jobs):
    # The mock checks the account SID format, as Twilio does: a malformed one is refused.
    app = make_app(TWILIO_ACCOUNT_SID="not-an-account")
    with app.app_context():
        factories.factory()
        params = inbound_params("Saya belum menerima upah lembur bulan ini")
        url = "http://localhost/webhooks/twilio/messages"
        app.test_client().post(url, data=params, headers={"X-Twilio-Signature": sign(url, params)})
        run_jobs()
        reply = the_reply()
        assert reply.status == "failed"
        assert reply.error.startswith("twilio 4")


def test_sending_twice_never_sends_twice(app, client, monkeypatch, run_jobs):
    factories.factory()
    simulator = channel_for("simulator", "sms")
    calls = []
    real_send = simulator.send
    monkeypatch.setattr(simulator, "send", lambda message: calls.append(message.message_id) or real_send(message))
    page = client.get("/simulator").get_data(as_text=True)
    from tests.conftest import csrf_token

    client.post("/simulator", data={"endpoint": 1, "phone": "+6281298765432", "body": "Upah saya dipotong",
                                    "csrf_token": csrf_token(page)})
    run_jobs()
    reply = the_reply()
    send_outbound(reply.id)
    send_outbound(reply.id)

    assert calls == [reply.id]
    assert the_reply().status == "delivered"


@pytest.mark.parametrize(
    "sequence, final",
    [
        (["sent", "delivered"], "delivered"),
        (["delivered", "sent"], "delivered"),
        (["delivered", "queued", "sent"], "delivered"),
        (["read", "delivered"], "read"),
        (["failed", "delivered"], "failed"),
        (["sent", "failed"], "failed"),
    ],
)
def test_status_only_moves_forward(sequence, final):
    status = "sending"
    for step in sequence:
        status = advance(status, step)
    assert status == final


def test_status_callbacks_out_of_order_end_delivered(app, post_twilio, run_jobs):
    factories.factory()
    post_twilio(inbound_params("Saya belum menerima upah lembur bulan ini"))
    run_jobs()
    reply = the_reply()
    reply.provider_id, reply.status = "SM" + "a" * 32, "sending"
    db.session.commit()

    for status in ("delivered", "sent", "queued"):
        response = post_twilio({"MessageSid": reply.provider_id, "MessageStatus": status},
                               path="/webhooks/twilio/status")
        assert response.status_code == 204
    forged = post_twilio({"MessageSid": reply.provider_id, "MessageStatus": "failed"},
                         path="/webhooks/twilio/status", signature="forged")

    assert forged.status_code == 403
    assert the_reply().status == "delivered"

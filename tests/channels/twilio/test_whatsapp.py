"""WhatsApp through Twilio: free text inside the 24-hour window, an approved template outside."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from grievance.extensions import db
from grievance.models import Message, MessageTemplate, Worker
from grievance.models.base import utcnow
from grievance.workflows.outbox import queue_reply
from tests import factories
from tests.conftest import inbound_params

WA = "whatsapp:+6281298765432"


@pytest.fixture
def whatsapp_case(app, post_twilio, run_jobs, twilio_mock):
    factories.factory(numbers=["+622150000001", "whatsapp:+622150000001"])
    post_twilio(inbound_params("Saya belum menerima upah lembur bulan ini", sender=WA, to="whatsapp:+622150000001"))
    run_jobs()
    db.session.expire_all()
    return db.session.scalar(select(Message).where(Message.direction == "outbound"))


def messages_api_calls(requests):
    return [data for method, url, data in requests if method == "POST" and url.endswith("/Messages.json")]


def follow_up(reply: Message) -> Message:
    message = queue_reply(db.session, worker=reply.worker, endpoint=reply.endpoint, provider="twilio",
                          purpose="added_to_case", language="id", now=utcnow(), reference="ID-7Q4K2M")
    db.session.commit()
    return message


def test_inside_the_window_the_reply_is_free_text(whatsapp_case, twilio_requests, run_jobs):
    reply = whatsapp_case
    assert reply.channel == "whatsapp" and reply.provider_id.startswith(("SM", "MM")), reply.error
    worker = db.session.scalar(select(Worker))
    assert worker.whatsapp_last_inbound_at is not None

    message = follow_up(reply)  # the outbox sends it after the commit
    run_jobs()
    call = messages_api_calls(twilio_requests)[-1]
    assert call["To"] == WA and call["From"] == "whatsapp:+622150000001"
    assert call["Body"].startswith("Pesan Anda sudah kami tambahkan") and "ContentSid" not in call


def test_outside_the_window_the_approved_template_is_sent(whatsapp_case, twilio_requests, run_jobs):
    worker = db.session.scalar(select(Worker))
    worker.whatsapp_last_inbound_at = utcnow() - timedelta(hours=25)
    db.session.add(MessageTemplate(purpose="added_to_case", language="id", content_sid="HX" + "1" * 32,
                                   variable_names=["reference"]))
    db.session.commit()

    message = follow_up(whatsapp_case)  # the outbox sends it after the commit
    run_jobs()

    call = messages_api_calls(twilio_requests)[-1]
    assert call["ContentSid"] == "HX" + "1" * 32
    assert json.loads(call["ContentVariables"]) == {"1": "ID-7Q4K2M"}
    assert "Body" not in call
    db.session.expire_all()
    sent = db.session.get(Message, message.id)
    assert sent.status == "sending" and sent.provider_id  # the mock accepted it


def test_outside_the_window_without_a_template_the_failure_is_visible(whatsapp_case, twilio_requests, run_jobs):
    worker = db.session.scalar(select(Worker))
    worker.whatsapp_last_inbound_at = utcnow() - timedelta(days=3)
    db.session.commit()
    message = follow_up(whatsapp_case)  # the outbox sends it after the commit
    run_jobs()

    db.session.expire_all()
    failed = db.session.get(Message, message.id)
    assert failed.status == "failed"
    assert "24-hour window" in failed.error and "'id'" in failed.error
    assert messages_api_calls(twilio_requests) == []


def test_sms_and_whatsapp_from_one_number_are_one_worker(whatsapp_case, post_twilio, run_jobs):
    post_twilio(inbound_params("Ini saya lagi lewat SMS", sender="+6281298765432"))
    run_jobs()
    assert len(db.session.scalars(select(Worker)).all()) == 1


def test_templates_add_checks_the_content_api(app, twilio_mock):
    result = app.test_cli_runner().invoke(args=[
        "templates", "add", "--purpose", "acknowledgement", "--language", "km",
        "--content-sid", "HX" + "a" * 32, "--variables", "reference,date"])
    assert result.exit_code == 0, result.output
    assert "found HX" in result.output
    template = db.session.scalar(select(MessageTemplate))
    assert (template.purpose, template.language, template.variable_names) == ("acknowledgement", "km",
                                                                               ["reference", "date"])

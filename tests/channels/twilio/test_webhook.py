"""POST /webhooks/twilio/messages: signed, parsed, stored once, answered at once."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from grievance.extensions import db
from grievance.models import Case, Message
from tests import factories
from tests.conftest import inbound_params, new_sid, sign


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def outbound_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Message).where(Message.direction == "outbound"))


@pytest.fixture
def factory(app):
    return factories.factory()


def test_a_signed_message_is_stored_answered_with_empty_twiml_and_opens_a_case(factory, post_twilio, run_jobs):
    response = post_twilio(inbound_params("Saya belum menerima upah lembur bulan ini"))
    run_jobs()

    assert response.status_code == 200
    assert response.mimetype == "text/xml"
    assert b"<Response />" in response.data or b"<Response/>" in response.data
    case = db.session.scalar(select(Case))
    assert case.factory.code == "IDN-0001" and case.status == "new"
    reply = db.session.scalar(select(Message).where(Message.direction == "outbound"))
    assert case.reference in reply.body and reply.language == "id"


def test_the_same_delivery_three_times_leaves_one_message_one_case_one_reply(factory, post_twilio, run_jobs):
    params = inbound_params("Saya belum menerima upah lembur bulan ini")
    statuses = [post_twilio(params).status_code for _ in range(3)]
    run_jobs()

    assert statuses == [200, 200, 200]
    assert count(Message) == 2  # the worker's message and the one reply
    assert count(Case) == 1
    assert outbound_count() == 1


def test_many_messages_in_a_row_are_all_stored(factory, post_twilio, run_jobs):
    # More than psycopg's prepare threshold (5): the prepared INSERT … ON CONFLICT must still
    # find the partial unique index.
    responses = [post_twilio(inbound_params(f"Upah saya dipotong, keluhan {i}", sender=f"+628129876{i:04d}")).status_code
                 for i in range(12)]
    run_jobs()
    assert responses == [200] * 12
    assert count(Case) == 12


def test_concurrent_deliveries_of_the_same_message_store_it_once(app, factory, post_twilio, run_jobs):
    params = inbound_params("Jam kerja terlalu panjang dan tidak ada istirahat")
    barrier = threading.Barrier(3)
    statuses: list[int] = []

    def deliver():
        with app.app_context():
            http = app.test_client()
            barrier.wait()
            statuses.append(post_twilio(params, http=http).status_code)
            db.session.remove()

    threads = [threading.Thread(target=deliver) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    run_jobs()

    assert sorted(statuses) == [200, 200, 200]
    assert count(Case) == 1
    assert outbound_count() == 1
    assert count(Message) == 2


def test_a_forged_signature_is_refused_and_nothing_is_stored(factory, post_twilio):
    params = inbound_params("halo")
    forged = post_twilio(params, signature="bm90IGEgc2lnbmF0dXJl")
    tampered_params = dict(params, Body="something else")
    tampered = post_twilio(tampered_params, signature=sign("http://localhost/webhooks/twilio/messages", params))
    missing = post_twilio(params, signature="")

    for response in (forged, tampered, missing):
        assert response.status_code == 403
        assert "X-Twilio-Signature" in response.get_json()["error"]
    assert count(Message) == 0


def test_without_twilio_credentials_the_webhook_answers_403(make_app, factory):
    app = make_app(TWILIO_AUTH_TOKEN=None)
    response = app.test_client().post("/webhooks/twilio/messages", data=inbound_params("halo"))
    assert response.status_code == 403
    assert "not configured" in response.get_json()["error"]


@pytest.mark.parametrize(
    "change, status, reason",
    [
        ({"From": None}, 400, "From"),
        ({"To": None}, 400, "To"),
        ({"MessageSid": None}, 400, "MessageSid"),
        ({"MessageSid": "not-a-sid"}, 400, "MessageSid"),
        ({"From": "hello"}, 400, "From: is not a phone number"),
        ({"To": "+622199999999"}, 404, "not a number of this service"),
        ({"Body": "x" * 4097}, 400, "Body: longer than 4096 characters"),
        ({"To": "whatsapp:+622150000001"}, 400, "different channels"),
    ],
)
def test_a_malformed_payload_gets_a_reason_and_stores_nothing(factory, post_twilio, change, status, reason):
    params = inbound_params("Saya belum menerima upah")
    for key, value in change.items():
        if value is None:
            params.pop(key)
        else:
            params[key] = value
    response = post_twilio(params)
    assert response.status_code == status
    assert reason in response.get_json()["error"]
    assert count(Message) == 0


def test_invalid_utf8_and_wrong_content_type_are_refused(factory, client):
    from tests.conftest import sign

    url = "http://localhost/webhooks/twilio/messages"
    raw = f"MessageSid={new_sid()}&From=%2B6281298765432&To=%2B622150000001&Body=%FF%FE"
    params = {"MessageSid": "x"}  # the signature cannot even be checked on undecodable bytes
    bad_utf8 = client.post("/webhooks/twilio/messages", data=raw,
                           content_type="application/x-www-form-urlencoded",
                           headers={"X-Twilio-Signature": sign(url, params)})
    as_json = client.post("/webhooks/twilio/messages", json=inbound_params("halo"),
                          headers={"X-Twilio-Signature": "x"})

    assert bad_utf8.status_code == 400 and "UTF-8" in bad_utf8.get_json()["error"]
    assert as_json.status_code == 415
    assert count(Message) == 0


def test_signature_checked_against_public_base_url_behind_a_proxy(make_app, factory):
    from tests.conftest import sign

    app = make_app(PUBLIC_BASE_URL="https://grievance.example.org")
    params = inbound_params("Saya belum menerima upah")
    public = sign("https://grievance.example.org/webhooks/twilio/messages", params)
    internal = sign("http://localhost/webhooks/twilio/messages", params)
    http = app.test_client()

    assert http.post("/webhooks/twilio/messages", data=params, headers={"X-Twilio-Signature": internal}).status_code == 403
    assert http.post("/webhooks/twilio/messages", data=params, headers={"X-Twilio-Signature": public}).status_code == 200


def test_two_messages_from_one_worker_processed_at_once_open_one_case(app, factory, post_twilio, monkeypatch):
    from grievance.extensions import queues
    from grievance.tasks.inbound import process_inbound

    monkeypatch.setattr(queues, "dispatch", lambda func, args, options: None)
    post_twilio(inbound_params("Upah lembur belum dibayar"))
    post_twilio(inbound_params("Sudah tiga bulan"))
    ids = db.session.scalars(select(Message.id).order_by(Message.id)).all()
    barrier = threading.Barrier(2)

    def work(message_id):
        with app.app_context():
            barrier.wait()
            try:
                process_inbound(message_id)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=work, args=(i,)) for i in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    monkeypatch.undo()

    for message_id in ids:
        process_inbound(message_id)
    from grievance.models import Conversation

    # One complaint under way, never two: a case, or (when the vaguer message was taken first)
    # one intake waiting for her answers.
    assert count(Case) + count(Conversation) == 1
    db.session.expire_all()
    acknowledgements = db.session.scalars(select(Message).where(Message.purpose == "acknowledgement")).all()
    assert len(acknowledgements) == count(Case)


def test_behind_a_proxy_without_a_public_url_the_forwarded_address_is_what_twilio_signed(make_app, factory):
    """The proxy's headers are read before the webhook answers (PROXY_FIX_X_FOR, no PUBLIC_BASE_URL)."""
    app = make_app(PUBLIC_BASE_URL=None, PROXY_FIX_X_FOR=1)
    params = inbound_params("Saya belum menerima upah")
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "sms.example.org", "X-Forwarded-For": "203.0.113.9"}
    http = app.test_client()

    signed_for_proxy = http.post("/webhooks/twilio/messages", data=params, headers={
        **forwarded, "X-Twilio-Signature": sign("https://sms.example.org/webhooks/twilio/messages", params)})
    signed_for_us = http.post("/webhooks/twilio/messages", data={**params, "MessageSid": new_sid()}, headers={
        **forwarded, "X-Twilio-Signature": sign("http://localhost/webhooks/twilio/messages", params)})

    assert signed_for_proxy.status_code == 200
    assert signed_for_us.status_code == 403
    assert count(Message) == 1


def test_a_body_over_the_size_limit_is_a_413_with_its_reason(factory, post_twilio):
    response = post_twilio(inbound_params("x" * (300 * 1024)))

    assert response.status_code == 413
    assert response.get_json()["error"] == "the request is larger than 262144 bytes"
    assert count(Message) == 0


def test_an_unexpected_failure_is_a_500_that_logs_no_number(make_app, factory, monkeypatch, caplog):
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    def broken(inbound):
        raise RuntimeError(f"could not take the message from {inbound.from_address}")

    monkeypatch.setattr("grievance.channels.twilio.webhook.accept_inbound", broken)
    params = inbound_params("Saya belum menerima upah", sender="+6281298765432")
    url = "http://localhost/webhooks/twilio/messages"
    response = app.test_client().post("/webhooks/twilio/messages", data=params,
                                      headers={"X-Twilio-Signature": sign(url, params)})

    assert response.status_code == 500
    assert response.get_json() == {"error": "internal error"}
    assert "could not take the message" in caplog.text
    assert "6281298765432" not in caplog.text and "81298765432" not in caplog.text

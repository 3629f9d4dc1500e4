"""Sending survives a killed job, a timeout and a blast, and never sends twice."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import requests
from sqlalchemy import select

from grievance.channels.base import TransientSendError, UncertainSendError, channel_for
from grievance.channels.twilio.sender import BaseUrlHttpClient
from grievance.extensions import db
from grievance.tasks.outbound import send_outbound
from grievance.tasks.rounds import requeue_stale
from grievance.models import Message
from grievance.models.base import utcnow
from tests import factories
from tests.conftest import inbound_params


class Killed(BaseException):
    """The worker process dies: nothing after this line of the job runs."""


def queued_reply(make_app, post_twilio, run_jobs, monkeypatch):
    factories.factory()
    from grievance.extensions import queues

    from grievance.tasks import inbound

    # We run the jobs by hand: none is handed over, and the inbound job sends no reply itself.
    monkeypatch.setattr(queues, "dispatch", lambda func, args, options: None)
    monkeypatch.setattr(inbound, "send_committed", lambda lanes: None)
    post_twilio(inbound_params("Saya belum menerima upah lembur bulan ini"))
    from grievance.tasks.inbound import process_inbound

    process_inbound(db.session.scalar(select(Message.id)))
    return db.session.scalar(select(Message).where(Message.direction == "outbound"))


def creates(requests_seen):
    return [r for r in requests_seen if r[0] == "POST" and r[1].endswith("/Messages.json")]


def test_a_job_killed_after_twilio_accepted_does_not_send_again_when_rerun(
        app, make_app, post_twilio, run_jobs, monkeypatch, twilio_mock, twilio_requests):
    reply = queued_reply(make_app, post_twilio, run_jobs, monkeypatch)
    channel = channel_for("twilio", "sms")
    real_send = channel.send

    def send_then_die(message):
        real_send(message)
        raise Killed()

    monkeypatch.setattr(channel, "send", send_then_die)
    with pytest.raises(Killed):
        send_outbound(reply.id)
    monkeypatch.setattr(channel, "send", real_send)

    send_outbound(reply.id)  # RQ or the requeue runs it again
    requeue_stale()

    assert len(creates(twilio_requests)) == 1
    db.session.expire_all()
    assert db.session.get(Message, reply.id).status == "sending"


def twilio_http_raises(monkeypatch, error: Exception) -> None:
    """Twilio's SDK meets ``error`` on the wire; the channel says what it means."""

    def request(self, *args, **kwargs):
        raise error

    monkeypatch.setattr(BaseUrlHttpClient, "request", request)


def test_a_read_timeout_keeps_the_message_for_a_check_instead_of_a_resend(
        app, make_app, post_twilio, run_jobs, monkeypatch):
    reply = queued_reply(make_app, post_twilio, run_jobs, monkeypatch)
    twilio_http_raises(monkeypatch, requests.exceptions.ReadTimeout("no answer in 15 s"))
    with pytest.raises(UncertainSendError):
        send_outbound(reply.id)
    db.session.expire_all()
    message = db.session.get(Message, reply.id)
    assert message.status == "sending" and "checking with the provider" in message.error


def test_a_refused_connection_puts_the_message_back_for_a_retry(app, make_app, post_twilio, run_jobs, monkeypatch):
    reply = queued_reply(make_app, post_twilio, run_jobs, monkeypatch)
    twilio_http_raises(monkeypatch, requests.exceptions.ConnectionError("refused"))
    with pytest.raises(TransientSendError):
        send_outbound(reply.id)
    db.session.expire_all()
    assert db.session.get(Message, reply.id).status == "queued"


def held_back_then_sent(reply, monkeypatch, broken: str, failing, reason: str) -> None:
    """While ``sending.<broken>`` fails as ``failing`` does, the reply is not sent: it waits,
    queued, with ``reason``; mended, it goes once."""
    from grievance.channels import sending
    from grievance.channels.base import SendResult

    channel = channel_for(reply.provider, reply.channel)
    sent = []
    monkeypatch.setattr(channel, "send", lambda message: sent.append(message.message_id)
                        or SendResult(provider_id="SM" + "0" * 32, status="sent"))
    real = getattr(sending, broken)
    monkeypatch.setattr(sending, broken, failing)
    with pytest.raises(TransientSendError):
        send_outbound(reply.id)
    db.session.expire_all()
    waiting = db.session.get(Message, reply.id)
    assert sent == [] and waiting.status == "queued" and reason in waiting.error

    monkeypatch.setattr(sending, broken, real)
    send_outbound(reply.id)
    db.session.expire_all()
    assert sent == [reply.id] and db.session.get(Message, reply.id).status == "sent"


def test_while_the_senders_pace_cannot_be_read_nothing_goes_unpaced_and_the_reply_goes_after(
        app, make_app, post_twilio, run_jobs, monkeypatch):
    """Redis, which keeps each number's pace across workers, is away at the moment of sending:
    the reply is not sent at a guess; it goes back to queued with the reason and goes later."""
    import redis

    def away(sender, per_second):
        raise redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:6379")

    reply = queued_reply(make_app, post_twilio, run_jobs, monkeypatch)
    held_back_then_sent(reply, monkeypatch, "reserve_slot", away, "pace unavailable")


def test_a_reply_that_cannot_be_made_ready_goes_back_to_queued_not_stuck_sending(
        app, make_app, post_twilio, run_jobs, monkeypatch):
    def broken(message):
        raise ValueError("a number that will not decrypt")

    reply = queued_reply(make_app, post_twilio, run_jobs, monkeypatch)
    held_back_then_sent(reply, monkeypatch, "outbound", broken, "not ready to send")


def test_an_interrupted_send_is_resent_only_when_twilio_does_not_have_it(
        app, make_app, post_twilio, run_jobs, monkeypatch, twilio_mock, twilio_requests):
    reply = queued_reply(make_app, post_twilio, run_jobs, monkeypatch)
    reply.status, reply.created_at = "sending", utcnow() - timedelta(minutes=30)
    db.session.commit()

    counts = requeue_stale()

    assert counts["interrupted"] == 1
    lists = [r for r in twilio_requests if r[0] == "GET" and r[1].endswith("/Messages.json")]
    assert lists, "Twilio was asked first"
    db.session.expire_all()
    assert db.session.get(Message, reply.id).status == "queued"  # not in Twilio's list: safe to send


def test_a_reply_that_waited_long_and_is_being_sent_now_is_not_asked_about_or_sent_again(
        app, make_app, post_twilio, run_jobs, monkeypatch):
    """A backlog (a survey's replies at the sender's pace, a Redis outage) leaves replies queued
    for long; the one a live job is sending right now is no interrupted send."""
    reply = queued_reply(make_app, post_twilio, run_jobs, monkeypatch)
    reply.status, reply.created_at = "sending", utcnow() - timedelta(minutes=30)
    reply.send_started_at = utcnow() - timedelta(seconds=2)
    db.session.commit()
    twilio_http_raises(monkeypatch, AssertionError("Twilio must not be asked about a send in progress"))

    counts = requeue_stale()

    assert counts["interrupted"] == 0 and counts["outbound"] == 0
    db.session.expire_all()
    assert db.session.get(Message, reply.id).status == "sending"


def test_a_sender_number_sends_within_its_rate(make_app, post_twilio, run_jobs):
    app = make_app(SEND_RATE_SMS=5.0)
    with app.app_context():
        factories.factory()
        started = time.monotonic()
        http = app.test_client()
        for i in range(4):
            post_twilio(inbound_params(f"Keluhan {i}", sender=f"+62812987654{i:02d}"), http=http)
        run_jobs()
        elapsed = time.monotonic() - started
        statuses = db.session.scalars(select(Message.status).where(Message.direction == "outbound")).all()
    assert len(statuses) == 4
    assert elapsed >= 0.55  # four messages at five a second: at least three intervals of 0.2 s


def test_a_flood_from_one_phone_is_kept_and_flagged_without_replies(make_app, post_twilio, run_jobs):
    app = make_app(INBOUND_PER_WORKER_PER_HOUR=3)
    with app.app_context():
        factories.factory()
        http = app.test_client()
        for i in range(6):
            post_twilio(inbound_params(f"Pesan {i}"), http=http)
            run_jobs()
        db.session.expire_all()
        inbound = db.session.scalars(select(Message).where(Message.direction == "inbound").order_by(Message.id)).all()
        outbound = db.session.scalars(select(Message).where(Message.direction == "outbound")).all()
    assert [m.status for m in inbound] == ["processed"] * 3 + ["flagged"] * 3
    assert all(m.case_id == inbound[0].case_id for m in inbound)  # kept on her case, not lost
    assert len(outbound) == 3


def test_when_twilio_cannot_be_asked_the_interrupted_send_waits_and_the_round_goes_on(
        app, make_app, post_twilio, run_jobs, monkeypatch):
    """An outage of Twilio's API must not stop the periodic round (stranded messages, expiries)."""
    reply = queued_reply(make_app, post_twilio, run_jobs, monkeypatch)
    reply.status, reply.created_at = "sending", utcnow() - timedelta(minutes=30)
    db.session.commit()
    twilio_http_raises(monkeypatch, requests.exceptions.ConnectionError("refused"))

    counts = requeue_stale()

    assert counts["interrupted"] == 1
    db.session.expire_all()
    assert db.session.get(Message, reply.id).status == "sending"  # never resent blind; asked again later

"""A reply queued in a session is sent once that session commits, whoever queued it; a rollback
sends nothing. Nobody calls a send function: each test only does what the caller does."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from grievance.extensions import db, queues
from grievance.models import Case, ChannelEndpoint, Message
from grievance.models.base import utcnow
from grievance.tasks.rounds import sweep_deadlines
from grievance.workflows.outbox import queue_reply
from tests import factories
from tests.conftest import case_form, csrf_token, inbound_params

PHONE = "+6281311112222"


def _sign_in(app, email: str):
    client = app.test_client()
    token = csrf_token(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"email": email, "password": factories.PASSWORD, "csrf_token": token})
    return client


@pytest.fixture
def handed_over(monkeypatch):
    """The (job name, first argument) of every job a commit hands over, as it goes."""
    seen: list[tuple[str, object]] = []
    real = type(queues).dispatch_all

    def dispatch_all(self, pending):
        seen.extend((func.__name__, args[0] if args else None) for func, args, _options in pending)
        real(self, pending)

    # On the class: patching the instance would leave it patched with the real method after.
    monkeypatch.setattr(type(queues), "dispatch_all", dispatch_all)
    return seen


@pytest.fixture
def phone(app, run_jobs):
    """A worker's phone on the simulator; ``phone(text)`` sends and waits for the jobs."""
    factories.factory(code="IDN-0001", number="+622150000001")
    factories.picc_member(email="ani@example.org", factory_code="IDN-0001")
    http = app.test_client()
    endpoint = db.session.scalar(select(ChannelEndpoint.id).where(ChannelEndpoint.address == "+622150000001"))

    def text(body: str) -> None:
        token = csrf_token(http.get("/simulator").get_data(as_text=True))
        http.post("/simulator", data={"endpoint": endpoint, "phone": PHONE, "body": body, "csrf_token": token})
        run_jobs()
        db.session.expire_all()

    return text


def reply(purpose: str) -> Message:
    db.session.expire_all()
    return db.session.scalars(select(Message).where(Message.direction == "outbound", Message.purpose == purpose)
                              .order_by(Message.id.desc())).first()


def only_case() -> Case:
    db.session.expire_all()
    return db.session.scalars(select(Case)).one()


def test_the_acknowledgement_of_a_message_reaches_her_phone(phone):
    phone("Upah lembur saya belum dibayar")
    acknowledgement = reply("acknowledgement")
    assert acknowledgement is not None and acknowledgement.status == "delivered"


def test_the_reply_to_a_twilio_message_reaches_twilio(app, post_twilio, run_jobs, twilio_mock):
    factories.factory(code="IDN-0001", number="+622150000001")
    post_twilio(inbound_params("Upah lembur saya belum dibayar"))
    run_jobs()
    acknowledgement = reply("acknowledgement")
    assert acknowledgement.status != "queued" and acknowledgement.provider_id, acknowledgement.error


def test_a_committee_reply_from_the_case_page_reaches_her_phone(app, phone, run_jobs):
    phone("Upah lembur saya belum dibayar")
    case = only_case()
    committee = _sign_in(app, "ani@example.org")
    token = case_form(committee.get(f"/cases/{case.reference}").get_data(as_text=True))
    committee.post(f"/cases/{case.reference}/reply", data={**token, "reply-template": "",
                                                           "reply-text": "Kami sudah bicara dengan HRD."})
    run_jobs()
    written = reply("committee_text")
    assert written.body.startswith("Kami sudah bicara dengan HRD.") and written.status == "delivered"


def test_the_outcome_of_a_resolved_case_reaches_her_phone(app, phone, run_jobs):
    phone("Upah lembur saya belum dibayar")
    case = only_case()
    committee = _sign_in(app, "ani@example.org")
    token = case_form(committee.get(f"/cases/{case.reference}").get_data(as_text=True))
    committee.post(f"/cases/{case.reference}/resolve", data={**token,
                                                             "resolve-outcome_code": "remedied", "resolve-confirm": "y", "resolve-outcome": "Lembur sudah dibayar."})
    run_jobs()
    outcome = reply("outcome")
    assert "Lembur sudah dibayar." in outcome.body and outcome.status == "delivered"


def test_the_sweeps_escalation_text_reaches_her_phone(app, phone, run_jobs):
    phone("Upah lembur saya belum dibayar")
    case = only_case()
    with time_machine.travel(case.acknowledge_by + timedelta(hours=1), tick=False):
        sweep_deadlines()
        run_jobs()
    escalated = reply("escalated")
    assert escalated is not None and case.reference in escalated.body and escalated.status == "delivered"


def test_a_reply_that_is_only_queued_and_committed_is_sent(app, phone, run_jobs, handed_over):
    phone("Upah lembur saya belum dibayar")
    case = only_case()
    queued = queue_reply(db.session, worker=case.worker, endpoint=case.factory.endpoints[0], provider="simulator",
                         purpose="added_to_case", language="id", now=utcnow(), case=case, reference=case.reference)
    assert ("send_outbound", queued.id) not in handed_over  # nothing leaves before the commit
    db.session.commit()
    run_jobs()
    assert ("send_outbound", queued.id) in handed_over
    assert db.session.get(Message, queued.id).status == "delivered"


def test_a_rolled_back_reply_is_never_sent(app, phone, run_jobs, handed_over):
    phone("Upah lembur saya belum dibayar")
    case = only_case()
    before = list(handed_over)
    queue_reply(db.session, worker=case.worker, endpoint=case.factory.endpoints[0], provider="simulator",
                purpose="added_to_case", language="id", now=utcnow(), case=case, reference=case.reference)
    db.session.rollback()
    db.session.commit()
    run_jobs()
    assert handed_over == before
    assert reply("added_to_case") is None


def test_a_savepoint_sends_nothing_until_the_transaction_commits_and_a_rolled_back_one_never(
        app, phone, run_jobs, handed_over):
    phone("Upah lembur saya belum dibayar")
    case = only_case()
    endpoint, before = case.factory.endpoints[0], len(handed_over)

    def queue() -> Message:
        return queue_reply(db.session, worker=case.worker, endpoint=endpoint, provider="simulator",
                           purpose="added_to_case", language="id", now=utcnow(), case=case, reference=case.reference)

    with db.session.begin_nested():
        kept = queue()
    assert len(handed_over) == before  # the savepoint was released, the transaction is still open
    savepoint = db.session.begin_nested()
    dropped_id = queue().id
    savepoint.rollback()
    db.session.commit()
    run_jobs()

    sent = [argument for name, argument in handed_over[before:] if name == "send_outbound"]
    assert sent == [kept.id] and dropped_id != kept.id
    assert db.session.get(Message, kept.id).status == "delivered"

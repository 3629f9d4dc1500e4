"""Whose turn it is when surveys meet: two runs' batches sent at the same moment to one worker,
and a survey that waited behind one that ended without a message of hers (pipeline tier for the
first: two sessions, as two job threads have)."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from grievance.extensions import db
from grievance.models import ChannelEndpoint, Conversation, Message, SurveyDelivery, SurveyRun, Worker
from grievance.models.base import utcnow
from grievance.models.conversation import ACTIVE, WAITING
from grievance.workflows.conversations import replier, survey
from grievance.workflows.conversations.registry import Turn
from grievance.workflows.surveys.audience import DispatchSettings
from grievance.workflows.surveys.dispatch import BATCH_JOB, send_batch, start_run
from grievance.workflows.surveys.planning import plan_run
from tests import factories
from tests.conftest import _clean
from tests.surveys import builders
from tests.surveys.test_replies import CANTEEN, INDONESIA, places, say, start, three_questions  # noqa: F401

SETTINGS = DispatchSettings(sms_rate=50, whatsapp_rate=80, batch_seconds=10, messages_per_month=30)


@pytest.fixture
def app(make_app):
    made = make_app(CHANNELS=("simulator",))
    _clean(made)
    with made.app_context():
        yield made


def test_two_surveys_begun_at_the_same_moment_for_one_worker_make_one_active_and_the_other_wait(app, monkeypatch):
    monkeypatch.delitem(app.extensions, BATCH_JOB)  # the two batches below are the only ones
    factory = factories.factory()
    builders.subscribers(factory=factory, count=1, now=utcnow())
    now = utcnow()
    first, second = (start_run(db.session, plan_run(db.session, survey=builders.survey(now=now, title=title),
                                                    factory=factory, actor=None, now=now, settings=SETTINGS),
                               None, now, SETTINGS).id for title in ("Pertama", "Kedua"))
    db.session.commit()
    invite(first)  # not committed yet: its batch is still being sent
    assert while_uncommitted(app, lambda: invite(second)) == [None]
    db.session.expire_all()
    statuses = db.session.execute(select(Conversation.status, Conversation.data)).all()
    assert sorted((status, data["run_id"]) for status, data in statuses) == [(ACTIVE, first), (WAITING, second)]
    asked = db.session.scalars(select(Message.run_id).where(Message.direction == "outbound")).all()
    assert asked == [first]


def test_two_runs_sent_at_the_same_moment_never_take_her_past_the_monthly_cap(app, monkeypatch, require_postgres):
    """Two announcements, each planned while she had room for one more message this month, are
    sent at the same moment: the second batch waits for her row, then counts the first's message
    and skips her (on PostgreSQL, where two batches really run at once)."""
    monkeypatch.delitem(app.extensions, BATCH_JOB)  # the two batches below are the only ones
    capped = DispatchSettings(sms_rate=50, whatsapp_rate=80, batch_seconds=10, messages_per_month=1)
    factory = factories.factory()
    builders.subscribers(factory=factory, count=1, now=utcnow())
    now = utcnow()
    first, second = (start_run(db.session, plan_run(db.session, survey=builders.announcement(now=now, intro=intro),
                                                    factory=factory, actor=None, now=now, settings=capped),
                               None, now, capped).id
                     for intro in ({"id": "Rapat PICC hari Jumat.", "en": "PICC meeting on Friday."},
                                   {"id": "Kantin tutup hari Senin.", "en": "The canteen is shut on Monday."}))
    db.session.commit()
    assert send_batch(db.session, first, now, capped).sent == 1  # not committed yet
    results = while_uncommitted(app, lambda: send_batch(db.session, second, now, capped))
    assert [(r.sent, r.skipped) for r in results] == [(0, 1)]
    db.session.expire_all()
    assert db.session.scalars(select(Message.body).where(Message.direction == "outbound")).all() == [
        "Rapat PICC hari Jumat."]
    assert db.session.execute(select(SurveyDelivery.run_id, SurveyDelivery.reason)
                              .order_by(SurveyDelivery.run_id)).all() == [(first, None), (second, "monthly_cap")]


def test_a_run_cancelled_while_her_answer_is_processed_waits_for_it_and_nothing_falls_apart(
        app, monkeypatch, processing_held, require_postgres):
    """Her answer to the first question is being processed (her row locked) when the run is
    cancelled: the cancel waits for it, then ends what is left, and her answer is kept (before,
    the cancel went first and her answer, stored before it, was not kept; with the run's row
    held FOR UPDATE, the two waited for each other until PostgreSQL cancelled one)."""
    from grievance.models import SurveyAnswer
    from grievance.models.message import INBOUND, RECEIVED
    from grievance.models.survey import CANCELLED
    from grievance.privacy import vault
    from grievance.workflows.surveys.dispatch import cancel_run

    monkeypatch.delitem(app.extensions, BATCH_JOB)
    factory = factories.factory()
    builders.subscribers(factory=factory, count=1, now=utcnow())
    now = utcnow()
    two = [{"kind": "yes_no", "text": {"id": "Apakah lembur dibayar? 1 ya 2 tidak", "en": "Overtime paid? 1 yes 2 no"}},
           {"kind": "yes_no", "text": {"id": "Apakah ada air minum? 1 ya 2 tidak", "en": "Drinking water? 1 yes 2 no"}}]
    run_id = start_run(db.session, plan_run(db.session, survey=builders.survey(now=now, questions=two),
                                            factory=factory, actor=None, now=now, settings=SETTINGS),
                       None, now, SETTINGS).id
    db.session.commit()
    invite(run_id)
    db.session.commit()
    endpoint = db.session.scalar(select(ChannelEndpoint))
    answer = Message(direction=INBOUND, provider="simulator", channel="sms", endpoint_id=endpoint.id,
                     address_encrypted=vault().encrypt("+628120000000"), body="1", status=RECEIVED)
    db.session.add(answer)
    db.session.commit()
    processing_held.start(answer.id)
    cancel_run(db.session, db.session.get(SurveyRun, run_id), None, utcnow())
    db.session.commit()
    assert processing_held.finish() == []
    db.session.expire_all()
    assert db.session.scalars(select(SurveyAnswer.value)).all() == ["yes"]  # her answer kept
    assert db.session.get(SurveyRun, run_id).status == CANCELLED
    assert db.session.scalars(select(Conversation)).all() == []


def test_a_run_started_while_her_message_is_processed_does_not_wait_for_it(
        app, monkeypatch, processing_held, require_postgres):
    """Her message is being processed (her row locked) when the run she is in starts: its
    deliveries, rows referring to her, are stored at once, and her message goes on. With her
    row locked FOR UPDATE, the start waited for every recipient whose message was being
    processed, and a batch of hers locking her row after the start had stored her delivery
    waited for the whole start to commit."""
    from grievance.models.message import INBOUND, PROCESSED, RECEIVED
    from grievance.models.survey import RUNNING
    from grievance.privacy import vault

    monkeypatch.delitem(app.extensions, BATCH_JOB)
    factory = factories.factory()
    builders.subscribers(factory=factory, count=1, now=utcnow())
    now = utcnow()
    run = plan_run(db.session, survey=builders.survey(now=now), factory=factory, actor=None, now=now,
                   settings=SETTINGS)
    endpoint = db.session.scalar(select(ChannelEndpoint))
    complaint = Message(direction=INBOUND, provider="simulator", channel="sms", endpoint_id=endpoint.id,
                        address_encrypted=vault().encrypt("+628120000000"), status=RECEIVED,
                        body="Upah lembur saya belum dibayar")
    db.session.add(complaint)
    db.session.commit()
    processing_held.start(complaint.id)
    start_run(db.session, run, None, utcnow(), SETTINGS)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Message, complaint.id).status == RECEIVED  # still being processed
    assert db.session.get(SurveyRun, run.id).status == RUNNING
    assert processing_held.finish() == []
    db.session.expire_all()
    assert db.session.get(Message, complaint.id).status == PROCESSED
    assert [d.worker_id for d in db.session.scalars(select(SurveyDelivery))] == [
        db.session.scalar(select(Worker.id))]


def while_uncommitted(app, other_batch) -> list:
    """``other_batch`` run and committed on a thread of its own (another job's session) while
    this session's batch is still uncommitted; this one commits half a second later. Returns
    what the other returned, once it is done; fails on what it raised."""
    failures, results = [], []

    def run():
        with app.app_context():
            try:
                results.append(other_batch())
                db.session.commit()
            except Exception as error:  # pragma: no cover - shown by the assertion below
                failures.append(error)

    racing = threading.Thread(target=run)
    racing.start()
    time.sleep(0.5)
    db.session.commit()
    racing.join(10)
    assert failures == []
    return results


def invite(run_id: int) -> None:
    """What a batch does for her delivery of the run (without the run's own lock, which on
    SQLite would make the two batches wait for each other whole)."""
    run = db.session.get(SurveyRun, run_id)
    delivery = db.session.scalars(select(SurveyDelivery).where(SurveyDelivery.run_id == run_id)).one()
    worker = db.session.get(Worker, delivery.worker_id)
    endpoint = db.session.get(ChannelEndpoint, delivery.endpoint_id)
    turn = Turn(session=db.session, worker=worker, now=utcnow(),
                reply=replier(db.session, worker, endpoint, "simulator", utcnow()))
    survey.invite(turn, run, delivery, "simulator")
    db.session.flush()


def test_stop_on_sms_asks_at_once_the_whatsapp_survey_that_waited_behind_her_sms_one(session, start, say, now):
    say(INDONESIA, "SURVEI", channel="whatsapp", at=now - timedelta(hours=1))  # her WhatsApp window is open
    start(INDONESIA)
    assert start(INDONESIA, channel="whatsapp") == []  # it waits behind the SMS survey
    say(INDONESIA, "BERHENTI", at=now + timedelta(minutes=1))  # by SMS
    asked = session.scalars(select(Message).where(Message.channel == "whatsapp", Message.direction == "outbound",
                                                  Message.run_id.is_not(None))).all()
    assert [(m.purpose, m.body.splitlines()[-1]) for m in asked] == [("survey_question", CANTEEN["id"])]
    assert session.scalars(select(Conversation.status)).all() == [ACTIVE]

"""A run of a survey or an announcement: its plan, its batches within the sender's rate, its
progress, pause, resume and cancel (workflow tier: explicit clock, nothing leaves)."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from grievance.channels.sending import send_message
from grievance.channels.simulator import SimulatorChannel
from grievance.extensions import db
from grievance.models import Conversation, Message, MessageTemplate, SurveyDelivery, Worker
from grievance.models.message import CANCELLED as MESSAGE_CANCELLED
from grievance.models.message import DELIVERED, QUEUED
from grievance.models.survey import CANCELLED, FINISHED, PAUSED, RUNNING, SKIPPED
from grievance.tasks.surveys import send_run_batch
from grievance.workflows.surveys.audience import DispatchSettings
from grievance.workflows.surveys.dispatch import cancel_run, pause_run, resume_run, send_batch, start_run
from grievance.workflows.surveys.planning import DispatchRefused, plan_run
from grievance.workflows.surveys.progress import progress
from grievance.access.roles import Scope
from grievance.access.viewer import Viewer
from grievance.summaries.surveys import readable
from grievance.workflows.surveys import editing
from tests import factories
from tests.surveys import builders

# An SMS long code at 50 messages a second, batches of 10 seconds: 500 invitations a batch.
SETTINGS = DispatchSettings(sms_rate=50, whatsapp_rate=80, batch_seconds=10, messages_per_month=30)


# Reasons and refusals are read in English, as an English page shows them.
pytestmark = pytest.mark.usefixtures("page_language")

@pytest.fixture(autouse=True)
def simulated(workflow_app, monkeypatch):
    """Replies go through the simulator, so the real send_message can send them here."""
    monkeypatch.setitem(workflow_app.config, "CHANNELS", ["simulator"])


@pytest.fixture
def factory(session):
    return factories.factory()


def run_messages(run) -> dict[str, int]:
    return dict(db.session.execute(select(Message.status, func.count()).where(Message.run_id == run.id)
                                   .group_by(Message.status)).all())


def test_ten_thousand_workers_go_at_the_rate_with_progress_and_a_cancel_stops_every_send(
        session, factory, now, deferred, monkeypatch):
    began = time.monotonic()
    builders.subscribers(factory=factory, count=10_000, now=now)
    survey = builders.survey(now=now)
    run = plan_run(session, survey=survey, factory=factory, actor=None, now=now, settings=SETTINGS)
    assert run.plan["recipients"] == 10_000
    assert run.plan["duration_seconds"] == 200  # 10,000 at 50 a second
    assert run.plan["languages"]["id"]["sms"] == 10_000
    run = start_run(session, run, None, now, SETTINGS)
    session.commit()
    assert [func for func, args, _ in deferred if args == (run.id,)] == [send_run_batch]

    clock, seen = now, []
    for batch in range(5):
        result = send_batch(session, run.id, clock, SETTINGS)
        session.commit()
        assert (result.sent, result.next_at) == (500, clock + timedelta(seconds=10))
        # A second job for the run at the same moment sends nothing: the rate holds.
        assert send_batch(session, run.id, clock + timedelta(seconds=5), SETTINGS).sent == 0
        seen.append(progress(session, run))
        clock = result.next_at
    assert [p.sent for p in seen] == [500, 1000, 1500, 2000, 2500]
    assert [p.left for p in seen] == [9500, 9000, 8500, 8000, 7500]
    assert run_messages(run) == {QUEUED: 2500}

    # The sender sends some of what is queued; progress shows them delivered.
    first = session.scalars(select(Message.id).where(Message.run_id == run.id).order_by(Message.id).limit(50)).all()
    for message_id in first:
        send_message(message_id)
    assert progress(session, run).delivered == 50

    cancel_run(session, run, None, clock)
    session.commit()
    after = progress(session, run)
    assert (after.sent, after.cancelled, after.left, after.delivered) == (2500, 7500, 0, 50)
    assert db.session.get(type(run), run.id).status == CANCELLED

    # Every reply still queued when the cancel came is never sent, through the real sender.
    sends = []
    monkeypatch.setattr(SimulatorChannel, "send", lambda self, message: sends.append(message.message_id))
    for message_id in session.scalars(select(Message.id).where(Message.run_id == run.id)):
        assert send_message(message_id) is None
    assert sends == []
    assert run_messages(run) == {DELIVERED: 50, MESSAGE_CANCELLED: 2450}
    later = send_batch(session, run.id, clock + timedelta(minutes=5), SETTINGS)
    assert (later.sent, later.next_at) == (0, None)
    # Her survey conversations of this run are over: nothing waits to ask her more.
    assert session.scalar(select(func.count()).select_from(Conversation)) == 0
    assert time.monotonic() - began < 60


def test_a_paused_run_sends_nothing_until_it_is_resumed(session, factory, now, deferred):
    builders.subscribers(factory=factory, count=30, now=now)
    slow = DispatchSettings(sms_rate=1, batch_seconds=10)
    run = start_run(session, plan_run(session, survey=builders.survey(now=now), factory=factory, actor=None,
                                      now=now, settings=slow), None, now, slow)
    assert send_batch(session, run.id, now, slow).sent == 10
    pause_run(session, run, None, now)
    session.commit()
    deferred.clear()
    paused = send_batch(session, run.id, now + timedelta(minutes=1), slow)
    assert (paused.sent, paused.next_at, paused.status) == (0, None, PAUSED)
    resume_run(session, run, None, now + timedelta(minutes=2))
    session.commit()
    assert [func for func, *_ in deferred] == [send_run_batch]
    assert send_batch(session, run.id, now + timedelta(minutes=2), slow).sent == 10
    last = send_batch(session, run.id, now + timedelta(minutes=3), slow)
    assert (last.sent, last.next_at, last.status) == (10, None, FINISHED)
    assert progress(session, run).sent == 30


def test_an_opted_out_worker_is_never_sent_anything(session, factory, now):
    out, later, stays = builders.subscribers(factory=factory, count=3, now=now)
    db.session.get(Worker, out).set_opted_out("sms", True)
    session.commit()
    run = plan_run(session, survey=builders.survey(now=now), factory=factory, actor=None, now=now, settings=SETTINGS)
    assert (run.plan["recipients"], run.plan["skipped"]) == (2, {"opted_out": 1})
    start_run(session, run, None, now, SETTINGS)
    db.session.get(Worker, later).set_opted_out("sms", True)  # between the start and her batch
    session.commit()
    assert send_batch(session, run.id, now, SETTINGS).sent == 1
    sent_to = session.scalars(select(Message.worker_id).where(Message.run_id == run.id)).all()
    assert sent_to == [stays]
    reasons = dict(session.execute(select(SurveyDelivery.worker_id, SurveyDelivery.reason)
                                   .where(SurveyDelivery.status == SKIPPED)).all())
    assert reasons == {out: "opted_out", later: "opted_out"}


def test_a_worker_over_the_monthly_cap_is_skipped(session, factory, now):
    busy, free = builders.subscribers(factory=factory, count=2, now=now)
    earlier = start_run(session, plan_run(session, survey=builders.announcement(now=now), factory=factory, actor=None,
                                          now=now, settings=SETTINGS), None, now, SETTINGS)
    send_batch(session, earlier.id, now, SETTINGS)
    capped = DispatchSettings(sms_rate=50, batch_seconds=10, messages_per_month=2)
    # The announcement was one message each; a survey of one question sends two more.
    run = plan_run(session, survey=builders.survey(now=now), factory=factory, actor=None,
                   now=now + timedelta(days=1), settings=capped)
    assert (run.plan["recipients"], run.plan["skipped"]) == (0, {"monthly_cap": 2})
    announcement = plan_run(session, survey=builders.announcement(now=now), factory=factory, actor=None,
                            now=now + timedelta(days=1), settings=capped)
    assert announcement.plan["recipients"] == 2
    # Thirty days on, the first one no longer counts.
    fresh = plan_run(session, survey=builders.survey(now=now), factory=factory, actor=None,
                     now=now + timedelta(days=31), settings=capped)
    assert fresh.plan["recipients"] == 2


def test_a_worker_in_the_middle_of_an_intake_is_asked_after_it(session, factory, now, receive):
    receive("Saya mau mengadu")  # the intake asks what her complaint is about
    worker = session.scalars(select(Worker)).one()
    factories_subscribe(session, worker, factory, now)
    run = start_run(session, plan_run(session, survey=builders.survey(now=now), factory=factory, actor=None,
                                      now=now, settings=SETTINGS), None, now, SETTINGS)
    assert send_batch(session, run.id, now, SETTINGS).sent == 1
    session.commit()
    assert session.scalars(select(Message).where(Message.run_id == run.id)).all() == []
    assert [r.purpose for r in receive("1", at=now + timedelta(minutes=1))] == ["ask_anonymity"]  # wages
    assert session.scalars(select(Message).where(Message.run_id == run.id)).all() == []
    replies = receive("2", at=now + timedelta(minutes=2))  # anonymous: the case opens
    assert [reply.purpose for reply in replies] == ["acknowledgement", "survey_question"]
    assert replies[-1].run_id == run.id
    assert replies[-1].body.startswith("Survei singkat dari pabrik Anda.")
    assert progress(session, run).sent == 1
    replies[-1].status = DELIVERED  # as the provider's status callback records it
    session.commit()
    assert progress(session, run).delivered == 1  # her first message of the run, sent after the intake


def factories_subscribe(session, worker, factory, now):
    from grievance.workflows.surveys.consent import subscribe

    subscribe(session, worker=worker, factory_id=factory.id, source="texted", channel="sms", language=None,
              consent_where="SMS", consent_at=now, now=now)
    session.commit()


def test_a_survey_missing_texts_is_refused_with_each_one_named(session, factory, now):
    survey = builders.survey(now=now, thanks={"id": "Terima kasih."},
                             questions=[{"kind": "yes_no", "text": {"id": "Lembur dibayar?"}}])
    with pytest.raises(DispatchRefused) as refused:
        plan_run(session, survey=survey, factory=factory, actor=None, now=now, settings=SETTINGS)
    assert [(m.part, m.language) for m in refused.value.missing] == [("question 1", "en"), ("thanks", "en")]
    empty = builders.survey(now=now, questions=[])
    with pytest.raises(DispatchRefused, match="no question"):
        plan_run(session, survey=empty, factory=factory, actor=None, now=now, settings=SETTINGS)


def test_an_announcement_to_a_country_reaches_each_factory_in_her_language_and_her_reply_is_a_message(
        session, now, receive):
    first = factories.factory()
    second = factories.factory(code="IDN-0002", name="PT Dua", number="+622150000002")
    (indonesian,) = builders.subscribers(factory=first, count=1, now=now, prefix="+628129", first=8765432)
    (english,) = builders.subscribers(factory=second, count=1, now=now, language="en", first=1)
    announcement = builders.announcement(now=now)
    run = plan_run(session, survey=announcement, country_code="ID", actor=None, now=now, settings=SETTINGS)
    assert {language: row["sms"] for language, row in run.plan["languages"].items()} == {"id": 1, "en": 1}
    assert len(run.plan["senders"]) == 2
    start_run(session, run, None, now, SETTINGS)
    assert send_batch(session, run.id, now, SETTINGS).status == FINISHED
    session.commit()
    sent = {m.worker_id: (m.body, m.purpose, m.endpoint.address) for m in
            session.scalars(select(Message).where(Message.run_id == run.id))}
    assert sent == {indonesian: ("Rapat PICC hari Jumat.", "announcement", "+622150000001"),
                    english: ("PICC meeting on Friday.", "announcement", "+622150000002")}
    # Her reply is an ordinary message: a complaint in it starts an intake, no survey waits.
    replies = receive("Saya mau mengadu", sender=factories.WORKER_PHONE)
    assert [(reply.purpose, reply.worker_id, reply.run_id) for reply in replies] == [
        ("ask_category", indonesian, None)]
    kinds = session.scalars(select(Conversation.kind).where(Conversation.worker_id == indonesian)).all()
    assert kinds == ["intake"]


def test_a_survey_goes_only_to_a_factory_of_its_country(session, now):
    factories.factory()
    with pytest.raises(DispatchRefused, match="Only an announcement"):
        plan_run(session, survey=builders.survey(now=now), country_code="ID", actor=None, now=now, settings=SETTINGS)


def test_the_plan_names_whatsapp_recipients_outside_the_window_and_the_templates_they_need(session, now):
    factory = factories.factory(numbers=["+622150000001", "whatsapp:+622150000001"])
    quiet, talking = builders.subscribers(factory=factory, count=2, now=now, channel="whatsapp")
    db.session.get(Worker, talking).whatsapp_last_inbound_at = now - timedelta(hours=2)
    session.add(MessageTemplate(purpose="survey_invite", language="en", content_sid="HX" + "1" * 32))
    session.commit()
    run = plan_run(session, survey=builders.survey(now=now), factory=factory, actor=None, now=now, settings=SETTINGS)
    assert run.plan["languages"]["id"] | {} == {"sms": 0, "whatsapp": 2, "outside_window": 1, "template": False,
                                               "segments": 1, "encoding": "GSM-7",
                                               "cost": run.plan["languages"]["id"]["cost"]}
    assert run.plan["cost"] == pytest.approx(2 * SETTINGS.whatsapp_message_price)
    assert run.plan["senders"] == [{"channel": "whatsapp", "address": "+622150000001", "recipients": 2, "rate": 80,
                                    "seconds": 1}]
    assert run.plan["template_purpose"] == "survey_invite"


def test_a_lost_batch_job_is_given_again_by_the_periodic_round(session, factory, now):
    from grievance.workflows.surveys.dispatch import runs_overdue

    builders.subscribers(factory=factory, count=1000, now=now)
    run = start_run(session, plan_run(session, survey=builders.announcement(now=now), factory=factory, actor=None,
                                      now=now, settings=SETTINGS), None, now, SETTINGS)
    send_batch(session, run.id, now, SETTINGS)
    assert runs_overdue(session, now + timedelta(seconds=30), 60, SETTINGS) == []
    assert runs_overdue(session, now + timedelta(seconds=71), 60, SETTINGS) == [run.id]
    assert run.status == RUNNING and progress(session, run).left == 500


def test_on_whatsapp_outside_the_window_the_invite_template_opens_the_conversation(session, now):
    factory = factories.factory(numbers=["+622150000001", "whatsapp:+622150000001"])
    quiet, talking = builders.subscribers(factory=factory, count=2, now=now, channel="whatsapp")
    db.session.get(Worker, talking).whatsapp_last_inbound_at = now - timedelta(hours=2)
    session.commit()
    run = start_run(session, plan_run(session, survey=builders.survey(now=now), factory=factory, actor=None, now=now,
                                      settings=SETTINGS), None, now, SETTINGS)
    send_batch(session, run.id, now, SETTINGS)
    sent = {m.worker_id: (m.channel, m.purpose) for m in session.scalars(select(Message).where(Message.run_id == run.id))}
    assert sent == {quiet: ("whatsapp", "survey_invite"), talking: ("whatsapp", "survey_question")}


def test_each_sender_number_sends_at_most_its_own_rate_in_a_batch(session, now):
    factory = factories.factory(numbers=["+622150000001", "whatsapp:+622150000001"])
    builders.subscribers(factory=factory, count=100, now=now)
    chatting = builders.subscribers(factory=factory, count=100, now=now, channel="whatsapp", first=500)
    for worker_id in chatting:
        db.session.get(Worker, worker_id).whatsapp_last_inbound_at = now - timedelta(hours=1)
    session.commit()
    rates = DispatchSettings(sms_rate=5, whatsapp_rate=8, batch_seconds=10)
    run = start_run(session, plan_run(session, survey=builders.announcement(now=now), factory=factory, actor=None,
                                      now=now, settings=rates), None, now, rates)
    assert run.plan["duration_seconds"] == 20  # 100 SMS at 5 a second; the WhatsApp sender is faster
    assert send_batch(session, run.id, now, rates).sent == 130
    by_channel = dict(session.execute(select(Message.channel, func.count()).where(Message.run_id == run.id)
                                      .group_by(Message.channel)).all())
    assert by_channel == {"sms": 50, "whatsapp": 80}


# -- when the answers are in; a cancel after the last invitation; what a cancel lets through ----

def _three_invited(session, factory, now):
    """A run of one question whose three invitations all went in one batch."""
    builders.subscribers(factory=factory, count=3, now=now)
    run = start_run(session, plan_run(session, survey=builders.survey(now=now), factory=factory, actor=None, now=now,
                                      settings=SETTINGS), None, now, SETTINGS)
    assert send_batch(session, run.id, now, SETTINGS).status == FINISHED
    session.commit()
    return run


def test_results_stay_the_programmes_while_a_worker_can_still_answer(session, factory, now, receive):
    run = _three_invited(session, factory, now)
    manager = Viewer(None, [Scope("factory_manager", factory.id, None, None)])
    programme = Viewer(None, [Scope("advisor", None, "ID", None)])
    assert readable(programme, run, now) and not readable(manager, run, now)
    for number in ("+628120000000", "+628120000001"):
        receive("1", sender=number, at=now + timedelta(hours=1))
    # One worker still has the question before her: two answers in, figures would move with hers.
    assert not readable(manager, run, now + timedelta(hours=1))
    receive("2", sender="+628120000002", at=now + timedelta(hours=2))
    assert readable(manager, run, now + timedelta(hours=2))


def test_results_open_once_each_questions_expiry_has_passed_since_the_last_invitation(session, factory, now):
    run = _three_invited(session, factory, now)
    manager = Viewer(None, [Scope("factory_manager", factory.id, None, None)])
    assert not readable(manager, run, now + timedelta(days=2))
    assert readable(manager, run, now + timedelta(days=3))


def test_a_run_whose_invitations_all_went_is_cancelled_while_workers_are_mid_survey(session, factory, now, receive):
    run = _three_invited(session, factory, now)
    cancel_run(session, run, None, now + timedelta(minutes=1))
    session.commit()
    assert db.session.get(type(run), run.id).status == CANCELLED
    assert session.scalar(select(func.count()).select_from(Conversation)) == 0
    with pytest.raises(DispatchRefused, match="over already"):
        cancel_run(session, run, None, now + timedelta(minutes=2))


def test_a_question_queued_after_the_cancel_stopped_the_runs_messages_is_never_sent(
        session, factory, now, monkeypatch):
    run = _three_invited(session, factory, now)
    cancel_run(session, run, None, now + timedelta(minutes=1))
    session.commit()
    # Her answer, processed at that same moment, queued the next question after the cancel's UPDATE.
    late = Message(worker_id=session.scalars(select(Worker.id)).first(), endpoint_id=factory.endpoints[0].id,
                   direction="outbound", channel="sms", provider="simulator", purpose="survey_question",
                   language="id", body="Pertanyaan berikutnya", status=QUEUED, run_id=run.id, created_at=now)
    session.add(late)
    session.commit()
    sends = []
    monkeypatch.setattr(SimulatorChannel, "send", lambda self, message: sends.append(message.message_id))
    assert send_message(late.id) is None
    assert sends == []
    assert db.session.get(Message, late.id).status == MESSAGE_CANCELLED


def test_a_question_made_ready_to_send_when_its_run_is_cancelled_is_never_sent(session, factory, now, monkeypatch):
    """A batch made its replies ready (claimed, read, committed) and is about to send them when
    the cancel commits: the question is asked about its run at the moment it would go."""
    from grievance.channels.sending import claim, prepare, record

    run = _three_invited(session, factory, now)
    question = Message(worker_id=session.scalars(select(Worker.id)).first(), endpoint_id=factory.endpoints[0].id,
                       direction="outbound", channel="sms", provider="simulator", purpose="survey_question",
                       language="id", body="Pertanyaan berikutnya", status=QUEUED, run_id=run.id, created_at=now)
    session.add(question)
    session.commit()
    (attempt,) = prepare(claim([question.id]), reserved=True)
    cancel_run(session, db.session.get(type(run), run.id), None, now + timedelta(minutes=1))
    session.commit()
    sends = []
    monkeypatch.setattr(SimulatorChannel, "send", lambda self, message: sends.append(message.message_id))
    attempt.send()
    assert record([attempt]) == []
    assert sends == []
    db.session.expire_all()
    assert db.session.get(Message, question.id).status == MESSAGE_CANCELLED


def test_a_survey_waiting_behind_a_cancelled_one_is_asked_at_once(session, factory, now):
    (worker_id,) = builders.subscribers(factory=factory, count=1, now=now)
    first, second = (start_run(session, plan_run(session, survey=builders.survey(now=now, title=title), factory=factory,
                                                 actor=None, now=now, settings=SETTINGS), None, now, SETTINGS)
                     for title in ("Pertama", "Kedua"))
    send_batch(session, first.id, now, SETTINGS)
    send_batch(session, second.id, now, SETTINGS)
    session.commit()
    assert session.scalars(select(Message.run_id).where(Message.worker_id == worker_id)).all() == [first.id]
    cancel_run(session, first, None, now + timedelta(minutes=1))
    session.commit()
    asked = session.scalars(select(Message).where(Message.run_id == second.id)).all()
    assert [(m.purpose, m.status) for m in asked] == [("survey_question", QUEUED)]
    assert session.scalars(select(Conversation.status)).all() == ["active"]


def test_overlapping_runs_cannot_add_up_past_the_monthly_cap(session, factory, now):
    builders.subscribers(factory=factory, count=1, now=now)
    ten = [{"kind": "yes_no", "text": {"id": f"P{i}? 1 ya 2 tidak", "en": f"Q{i}? 1 yes 2 no"}} for i in range(10)]
    results = []
    for number in range(3):  # three surveys of ten questions and a thank-you each, the same day
        survey = builders.survey(now=now, title=f"S{number}", questions=ten)
        run = start_run(session, plan_run(session, survey=survey, factory=factory, actor=None, now=now,
                                          settings=SETTINGS), None, now, SETTINGS)
        results.append(send_batch(session, run.id, now, SETTINGS))
        session.commit()
    assert [r.sent for r in results] == [1, 1, 0]  # 22 of 30 set aside; a third would make it 33
    assert session.scalars(select(SurveyDelivery.reason).where(SurveyDelivery.status == SKIPPED)).all() == [
        "monthly_cap"]


def test_a_text_cannot_be_removed_while_a_run_sends_and_a_batch_without_it_pauses(session, factory, now):
    builders.subscribers(factory=factory, count=30, now=now)
    survey = builders.survey(now=now)
    slow = DispatchSettings(sms_rate=1, batch_seconds=10)
    run = start_run(session, plan_run(session, survey=survey, factory=factory, actor=None, now=now, settings=slow),
                    None, now, slow)
    send_batch(session, run.id, now, slow)
    session.commit()
    with pytest.raises(editing.TextsInUse) as refused:
        editing.save_texts(survey, {("intro",): {"id": "", "en": "A short survey."}, ("question", 1): {"id": ""}}, now)
    assert refused.value.parts == [(("intro",), "id"), (("question", 1), "id")]
    assert survey.intro["id"] and survey.intro["en"] == "A short survey from your factory."  # nothing changed
    survey.intro = {"en": survey.intro["en"]}  # removed some other way (an import, by hand)
    session.commit()
    paused = send_batch(session, run.id, now + timedelta(seconds=11), slow)
    assert (paused.sent, paused.status) == (0, PAUSED)
    assert session.scalar(select(func.count()).select_from(Message).where(Message.run_id == run.id)) == 10
    with pytest.raises(DispatchRefused, match="missing"):
        resume_run(session, run, None, now + timedelta(minutes=1))

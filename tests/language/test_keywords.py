"""Opt-out, opt-in and help in every language; only when the message is just that word."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from grievance.extensions import db
from grievance.language.keywords import KEYWORDS, OPT_IN, OPT_OUT, SURVEYS_OFF, SURVEYS_ON, match_keyword
from grievance.models import Case, Message, Worker
from tests import factories
from tests.conftest import inbound_params

PHONE = "+6281298765432"


def worker() -> Worker:
    db.session.expire_all()
    return db.session.scalar(select(Worker))


def last_reply() -> Message:
    db.session.expire_all()
    return db.session.scalars(select(Message).where(Message.direction == "outbound").order_by(Message.id.desc())).first()


@pytest.fixture
def text(app, post_twilio, run_jobs):
    factories.factory()

    def send(body: str):
        post_twilio(inbound_params(body, sender=PHONE))
        run_jobs()

    return send


@pytest.mark.parametrize("language", sorted(KEYWORDS[OPT_OUT]))
def test_each_languages_opt_out_word_opts_out_and_its_opt_in_word_opts_back_in(text, language):
    stop, start = KEYWORDS[OPT_OUT][language][0], KEYWORDS[OPT_IN][language][0]

    text(f"  {stop.lower()}! ")
    assert worker().opted_out("sms")
    confirmation = last_reply()
    assert confirmation.purpose == "opt_out" and start in confirmation.body
    assert db.session.scalar(select(func.count()).select_from(Case)) == 0

    text(start)
    assert not worker().opted_out("sms")
    assert last_reply().purpose == "opt_in"


@pytest.mark.parametrize("body", ["END", "end", "they cancel our leave", "Stop hitting us", "Saya mau berhenti kerja"])
def test_words_inside_a_message_or_end_and_cancel_never_opt_out(text, body):
    text(body)
    assert not worker().opted_out("sms")
    # Taken as the start of a complaint: a case opens, or the intake asks what it is about.
    assert last_reply().purpose in ("acknowledgement", "acknowledgement_programme", "ask_category")
    assert db.session.scalar(select(Message.body).where(Message.direction == "inbound")) == body


def test_vietnamese_keyword_works_with_or_without_diacritics():
    assert match_keyword("dừng").kind == OPT_OUT
    assert match_keyword("DUNG").kind == OPT_OUT
    assert match_keyword("bat dau").kind == OPT_IN
    assert match_keyword("ឈប់ ").kind == OPT_OUT  # Khmer, with the space a phone adds


def test_help_answers_in_the_workers_language_and_opens_no_case(text):
    text("BANTUAN")
    reply = last_reply()
    assert reply.purpose == "help" and reply.language == "id" and "BERHENTI" in reply.body
    assert db.session.scalar(select(func.count()).select_from(Case)) == 0


def test_no_message_reaches_a_worker_who_opted_out(text, run_jobs):
    text("Upah lembur saya belum dibayar")
    text("BERHENTI")
    case = db.session.scalar(select(Case))
    # Something queued for her afterwards (say, a committee follow-up) is refused, not sent.
    from grievance.workflows.outbox import queue_reply

    follow_up = queue_reply(db.session, worker=worker(), endpoint=case.factory.endpoints[0], provider="twilio",
                            purpose="added_to_case", language="id", now=case.opened_at, case=case,
                            reference=case.reference)
    db.session.commit()  # the outbox hands it to a send job
    run_jobs()

    db.session.expire_all()
    refused = db.session.get(Message, follow_up.id)
    assert refused.status == "failed" and "opted out" in refused.error
    assert refused.provider_id is None


@pytest.mark.parametrize("language", sorted(KEYWORDS[SURVEYS_ON]))
def test_each_languages_survey_words_say_yes_and_no_to_surveys_and_never_stop(language):
    yes, no = KEYWORDS[SURVEYS_ON][language][0], KEYWORDS[SURVEYS_OFF][language][0]
    assert match_keyword(f" {yes.lower()} ").kind == SURVEYS_ON
    assert match_keyword(f"{no.lower()}!").kind == SURVEYS_OFF
    assert match_keyword(KEYWORDS[OPT_OUT][language][0]).kind == OPT_OUT  # STOP alone still stops everything
    assert match_keyword(f"{yes} kantin kotor") is None  # inside a message: words, not a keyword

"""Conversations a worker can finish on a basic phone: intake, several cases, status, follow-up, outcome."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from grievance.extensions import db
from grievance.tasks.rounds import requeue_stale
from grievance.models import Case, Conversation, Message
from grievance.models.base import utcnow
from tests import factories
from tests.conftest import case_form, csrf_token, inbound_params

SHARED_ID = "+622150009999"  # a country hotline, not owned by one factory


def _factories_and_a_hotline() -> None:
    from grievance.models import ChannelEndpoint

    factories.factory(code="IDN-0001", name="PT Contoh Garmen", number="+622150000001")
    factories.factory(code="IDN-0002", name="PT Lain Tekstil", number="+622150000002")
    factories.factory(code="KHM-0001", name="Angkor Apparel", country="KH", number="+85523900001")
    factories.factory(code="VNM-0001", name="Saigon Textile", country="VN", number="+842838000001")
    db.session.add(ChannelEndpoint(channel="sms", address=SHARED_ID, factory_id=None, country_code="ID"))
    db.session.commit()


def _last_reply() -> Message:
    db.session.expire_all()
    return db.session.scalars(select(Message).where(Message.direction == "outbound").order_by(Message.id.desc())).first()


@pytest.fixture
def texting(session, receive, now):
    """The worker's phone in the workflow tier: each text goes straight to handle_inbound at the
    phone's clock (`later()` moves it); text() returns the latest reply she was queued."""
    _factories_and_a_hotline()

    class Phone:
        number = "+6281298765432"
        clock = now

        def text(self, body: str, to: str = "+622150000001") -> Message:
            receive(body, sender=self.number, to=to, at=self.clock)
            return _last_reply()

        def later(self, **delta) -> None:
            self.clock += timedelta(**delta)

    return Phone()


@pytest.fixture
def phone(app, post_twilio, run_jobs):
    """A worker's phone: text() sends, and returns the reply she receives."""
    _factories_and_a_hotline()

    class Phone:
        number = "+6281298765432"

        def text(self, body: str, to: str = "+622150000001") -> Message:
            post_twilio(inbound_params(body, sender=self.number, to=to))
            run_jobs()
            db.session.expire_all()
            return db.session.scalars(
                select(Message).where(Message.direction == "outbound").order_by(Message.id.desc())).first()

    return Phone()


def only_case() -> Case:
    db.session.expire_all()
    return db.session.scalars(select(Case)).one()


def test_indonesian_intake_by_digits(texting):
    assert texting.text("Tolong saya").purpose == "ask_category"
    assert texting.text("3").purpose == "ask_anonymity"  # safety and health
    assert texting.text("2").purpose == "ask_danger"  # not her name
    ack = texting.text("2")
    case = only_case()
    assert ack.purpose == "acknowledgement" and case.reference in ack.body
    assert (case.category, case.factory.code, case.anonymous, case.route) == ("safety_health", "IDN-0001", True,
                                                                              "picc")
    kept = db.session.scalars(select(Message.body).where(Message.case_id == case.id,
                                                         Message.direction == "inbound")).all()
    assert kept[0] == "Tolong saya"


def test_khmer_intake_by_khmer_digits_and_words(texting):
    texting.number = "+85512345678"
    to = "+85523900001"
    assert texting.text("សួស្តី ខ្ញុំមានបញ្ហា", to=to).purpose == "ask_category"
    assert texting.text("២", to=to).purpose == "ask_anonymity"  # hours or leave, in Khmer digits
    assert texting.text("បាទ", to=to).purpose == "ask_name"  # yes, the committee may know her name
    assert texting.text("សុភា", to=to).purpose == "ask_danger"
    ack = texting.text("ទេ", to=to)
    case = only_case()
    assert ack.language == "km" and ack.purpose == "acknowledgement_named"  # she gave her name
    assert (case.category, case.anonymous, case.danger_now) == ("hours_leave", False, False)


def test_vietnamese_intake_by_words_on_a_shared_number_picks_the_factory(texting):
    texting.number = "+84901234567"
    to = "+842838000001"
    first = texting.text("Xin chào, tôi cần giúp đỡ", to=to)
    assert first.purpose == "ask_category" and first.language == "vi"
    assert texting.text("lương", to=to).purpose == "ask_anonymity"
    assert texting.text("không", to=to).purpose == "acknowledgement"
    case = only_case()
    assert (case.category, case.factory.code, case.anonymous) == ("wages", "VNM-0001", True)


def test_a_shared_country_number_asks_which_factory(texting):
    question = texting.text("Upah lembur saya belum dibayar", to=SHARED_ID)
    assert question.purpose == "ask_factory"
    assert "1 PT Contoh Garmen (IDN-0001)" in question.body and "2 PT Lain Tekstil (IDN-0002)" in question.body
    assert texting.text("2", to=SHARED_ID).purpose == "ask_anonymity"
    texting.text("2", to=SHARED_ID)
    assert only_case().factory.code == "IDN-0002"


def test_a_message_naming_factory_and_category_opens_the_case_in_one_step(texting):
    ack = texting.text("IDN-0002 gaji saya dipotong tanpa alasan", to=SHARED_ID)
    case = only_case()
    assert ack.purpose == "acknowledgement"
    assert (case.factory.code, case.category, case.anonymous) == ("IDN-0002", "wages", True)
    assert db.session.scalar(select(Conversation)) is None


def test_garbage_is_asked_again_once_then_the_safe_default_is_taken(texting):
    texting.text("Halo, saya mau melapor")
    again = texting.text("???")
    assert again.purpose == "ask_category" and again.body.startswith("Maaf")
    assert texting.text("blablabla").purpose == "ask_anonymity"  # second miss: "other", and we go on
    texting.text("entah")
    assert texting.text("mungkin").purpose == "ask_danger"  # anonymous after two misses
    texting.text("hmm")
    assert texting.text("hmm").purpose == "acknowledgement"  # not dangerous after two misses
    case = only_case()
    assert (case.category, case.anonymous, case.danger_now) == ("other", True, False)


def test_an_abandoned_intake_still_becomes_a_case_and_a_reply_two_days_later_joins_it(phone):
    assert phone.text("Saya mau lapor").purpose == "ask_category"
    with time_machine.travel(utcnow() + timedelta(days=2)):
        reply = phone.text("1")
        case = only_case()
        assert case.category == "other"  # the unanswered intake became a case
        assert reply.purpose == "added_to_case" and case.reference in reply.body
        assert db.session.scalar(select(Message.case_id).where(Message.body == "1")) == case.id


def test_the_periodic_round_turns_an_abandoned_intake_into_a_case(phone):
    phone.text("Saya mau lapor")
    with time_machine.travel(utcnow() + timedelta(days=2)):
        counts = requeue_stale()
    assert counts["conversations_replies"] == 1
    assert only_case().category == "other"


def test_two_cases_open_at_once_and_an_ambiguous_message_asks_which(texting):
    texting.text("Upah lembur saya belum dibayar")
    first = only_case()
    ack = texting.text("BARU")  # a new complaint while the first is open
    assert ack.purpose == "ask_category"
    texting.text("3")
    texting.text("2")
    texting.text("2")
    cases = db.session.scalars(select(Case).order_by(Case.id)).all()
    assert len(cases) == 2
    texting.later(days=2)  # no recent thread to guess from
    question = texting.text("Masih belum ada kabar")
    assert question.purpose == "pick_case" and cases[0].reference in question.body
    answer = texting.text("1")
    assert answer.purpose == "added_to_case" and first.reference in answer.body
    assert db.session.scalar(select(Message.case_id).where(Message.body == "Masih belum ada kabar")) == first.id


def test_a_message_with_a_reference_goes_to_that_case(texting):
    texting.text("Upah lembur saya belum dibayar")
    first = only_case()
    reply = texting.text(f"{first.reference.lower()} sudah 3 bulan")
    assert reply.purpose == "added_to_case"
    assert db.session.scalar(select(Message.case_id).where(Message.body.like("%sudah 3 bulan"))) == first.id


def test_status_with_and_without_reference(texting):
    from grievance.i18n.worker import worker_text

    nothing = texting.text("CEK")
    assert nothing.purpose == "status" and nothing.body == worker_text("status_none", "id")
    texting.text("Upah lembur saya belum dibayar")
    case = only_case()
    status = texting.text("CEK")
    assert status.purpose == "status" and case.reference in status.body and "diterima" in status.body
    by_reference = texting.text(f"STATUS {case.reference}")
    assert case.reference in by_reference.body
    texting.number = "+85512345678"
    assert texting.text("ស្ថានភាព", to="+85523900001").language == "km"


def _sign_in(app, email):
    client = app.test_client()
    token = csrf_token(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"email": email, "password": factories.PASSWORD, "csrf_token": token})
    return client


def _committee_on_a_case(app, phone):
    """A worker's wages case, and its PICC member signed in on the case page (with its CSRF token)."""
    factories.picc_member(email="ani@example.org", factory_code="IDN-0001")
    phone.text("Upah lembur saya belum dibayar")
    case = only_case()
    committee = _sign_in(app, "ani@example.org")
    token = case_form(committee.get(f"/cases/{case.reference}").get_data(as_text=True))
    return case, committee, token


def test_a_picc_reply_reaches_her_phone_and_her_answer_lands_on_the_case(app, phone, twilio_mock, run_jobs):
    factories.picc_member(email="ani@example.org", factory_code="IDN-0001")
    phone.text("Upah lembur saya belum dibayar")
    case = only_case()
    committee = _sign_in(app, "ani@example.org")
    page = committee.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert "6281298765432" not in page and "812" not in page.replace(case.reference, "")
    response = committee.post(f"/cases/{case.reference}/reply", data={
        **case_form(page), "reply-template": "followup_more_info", "reply-text": ""})
    assert response.status_code == 302
    run_jobs()
    db.session.expire_all()
    sent = db.session.scalars(select(Message).where(Message.purpose == "followup_more_info")).one()
    assert sent.language == "id" and case.reference in sent.body and sent.body.endswith("Komite pabrik")
    assert sent.provider == "twilio" and sent.provider_id.startswith(("SM", "MM")), sent.error  # the mock took it

    phone.text("Kejadiannya tanggal 3 di gudang")
    assert db.session.scalar(select(Message.case_id).where(Message.body.like("Kejadiannya%"))) == case.id


def test_an_empty_reply_form_comes_back_with_the_problem_named(app, phone):
    case, committee, token = _committee_on_a_case(app, phone)
    response = committee.post(f"/cases/{case.reference}/reply", data={**token, "reply-template": "",
                                                                       "reply-text": " "})
    assert response.status_code == 400
    assert 'role="alert"' in response.get_data(as_text=True)  # the problem is named by the field
    assert db.session.scalar(select(Message).where(Message.purpose == "committee_text")) is None


def test_resolve_not_satisfied_reopens_with_a_new_deadline(app, phone):
    case, committee, token = _committee_on_a_case(app, phone)
    later = utcnow() + timedelta(days=5)
    with time_machine.travel(later):
        committee.post(f"/cases/{case.reference}/resolve",
                       data={**token, "resolve-outcome_code": "remedied", "resolve-confirm": "y", "resolve-outcome": "Lembur sudah dibayar tanggal 20."})
        db.session.expire_all()
        outcome = db.session.scalars(select(Message).where(Message.purpose == "outcome")).one()
        assert "Lembur sudah dibayar tanggal 20." in outcome.body and only_case().status == "resolved"
        reply = phone.text("2")
    reopened = only_case()
    assert reply.purpose == "reopened" and reopened.reference in reply.body
    assert (reopened.status, reopened.satisfied, reopened.reopen_count) == ("reopened", False, 1)
    assert reopened.acknowledge_by > later


def test_satisfied_closes_and_no_answer_closes_too(app, phone):
    case, committee, token = _committee_on_a_case(app, phone)
    committee.post(f"/cases/{case.reference}/resolve", data={**token, "resolve-outcome_code": "remedied", "resolve-confirm": "y", "resolve-outcome": "Sudah."})
    assert phone.text("ya").purpose == "satisfied_thanks"
    assert (only_case().status, only_case().satisfied) == ("closed", True)


def test_a_rating_left_unanswered_closes_the_case_after_a_week(app, phone, run_jobs):
    case, committee, token = _committee_on_a_case(app, phone)
    committee.post(f"/cases/{case.reference}/resolve", data={**token, "resolve-outcome_code": "remedied", "resolve-confirm": "y", "resolve-outcome": "Sudah."})
    run_jobs()
    with time_machine.travel(utcnow() + timedelta(days=8)):
        requeue_stale()
    closed = only_case()
    assert (closed.status, closed.satisfied) == ("closed", None)


def test_forced_labour_goes_to_the_advisors_and_the_factory_never_sees_it(app, phone):
    factories.picc_member(email="ani@example.org", factory_code="IDN-0001")
    factories.advisor(email="adv@example.org", country="ID")
    ack = phone.text("Paspor saya ditahan mandor dan saya dipaksa lembur")
    case = only_case()
    assert (case.category, case.route) == ("forced_labour", "advisor")
    assert ack.purpose == "acknowledgement_programme"
    assert case.acknowledge_by - case.opened_at == timedelta(hours=24)  # calendar hours, not working days

    picc = _sign_in(app, "ani@example.org")
    assert case.reference not in picc.get("/queue").get_data(as_text=True)
    assert picc.get(f"/cases/{case.reference}").status_code == 404
    advisor = _sign_in(app, "adv@example.org")
    assert case.reference in advisor.get("/queue").get_data(as_text=True)


def test_a_picc_reply_reaches_the_simulated_phone(app, run_jobs):
    factories.factory(code="IDN-0001", name="PT Contoh Garmen", number="+622150000001")
    factories.picc_member(email="ani@example.org", factory_code="IDN-0001")
    worker_phone = app.test_client()
    page = worker_phone.get("/simulator").get_data(as_text=True)
    worker_phone.post("/simulator", data={"endpoint": 1, "phone": "+6281311112222", "csrf_token": csrf_token(page),
                                          "body": "Upah lembur saya belum dibayar"})
    run_jobs()
    case = only_case()
    committee = _sign_in(app, "ani@example.org")
    token = case_form(committee.get(f"/cases/{case.reference}").get_data(as_text=True))
    committee.post(f"/cases/{case.reference}/reply", data={**token, "reply-template": "",
                                                           "reply-text": "Kami sudah bicara dengan HRD."})
    run_jobs()
    thread = worker_phone.get("/simulator/thread").get_json()["messages"]
    assert thread[-1]["direction"] == "outbound"
    assert thread[-1]["body"] == "Kami sudah bicara dengan HRD.\n- Komite pabrik"


def test_a_message_to_another_factorys_number_never_joins_her_case_at_the_first(phone):
    """What she writes to one factory's number is that factory's matter: it opens a case there,
    and the first factory's committee never reads it."""
    phone.text("Upah lembur saya belum dibayar", to="+622150000001")
    ack = phone.text("Gaji saya dipotong tanpa alasan", to="+622150000002")
    first, second = db.session.scalars(select(Case).order_by(Case.id)).all()
    assert (first.factory.code, second.factory.code) == ("IDN-0001", "IDN-0002")
    assert ack.purpose == "acknowledgement" and second.reference in ack.body
    on_first = db.session.scalars(select(Message.body).where(Message.case_id == first.id,
                                                             Message.direction == "inbound")).all()
    assert on_first == ["Upah lembur saya belum dibayar"]


def test_a_reference_already_taken_is_drawn_again_and_her_case_opens_under_the_new_one(texting, monkeypatch):
    """Two cases never share a reference: one drawn again for her new case is not used, another
    is drawn, and she is told the one her case really has."""
    from grievance.workflows import intake

    taken = factories.case(phone="+6281311112222")
    drawn = iter([taken.reference, "ID-7QK2MX"])
    monkeypatch.setattr(intake, "new_reference", lambda country_code: next(drawn))
    ack = texting.text("Paspor saya ditahan mandor dan saya dipaksa lembur")
    theirs, hers = db.session.scalars(select(Case).order_by(Case.id)).all()
    assert theirs.reference == taken.reference and theirs.category == taken.category  # untouched
    assert hers.reference == "ID-7QK2MX" and hers.category == "forced_labour"
    assert ack.purpose == "acknowledgement_programme" and "ID-7QK2MX" in ack.body
